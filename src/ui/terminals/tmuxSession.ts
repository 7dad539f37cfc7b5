import * as vscode from 'vscode';
import { screenState } from '../../town/screenState';
import type { GtClient } from '../../cli/gtClient';
import { SessionBase } from './sessionBase';
import type { AgentPlan } from '../../town/agentPlan';
import { ROLE_STYLE } from '../views/townTree';
import type { AgentSession, SessionStatus } from './agentSession';

/** The address `gt nudge` takes for a role: `mayor`, `<rig>/witness`, `<rig>/<name>`. */
export function nudgeTarget(plan: AgentPlan): string {
  return plan.address.replace(/\/$/, '');
}

/**
 * tmux host: gt owns the session on its per-town socket; the VS Code terminal only attaches to it, so gt's
 * nudge, handoff and crash detection keep working, and closing the terminal only detaches.
 */
export class TmuxSession extends SessionBase implements AgentSession {
  readonly host = 'tmux';
  private readonly startedAt = Date.now();

  constructor(
    plan: AgentPlan,
    readonly socket: string,
    private readonly gt: GtClient,
    log: vscode.LogOutputChannel,
  ) {
    super(plan, log);
    this.register(
      vscode.window.onDidCloseTerminal((t) => {
        if (t === this.term) {
          this.term = undefined;
          void this.refreshAlive();
        }
      }),
    );
  }

  get sessionName(): string {
    return this.plan.sessionName;
  }

  /** tmux keeps the output; the pane is read on demand (`capturePane`), not streamed. */
  get output(): string {
    return '';
  }

  /** Starts the role through gt when its session does not exist yet, then attaches. */
  async start(opts: { resume?: string; signal?: AbortSignal } = {}): Promise<void> {
    if (!(await this.gt.hasSession(this.socket, this.sessionName))) {
      this.setState({ kind: 'starting' });
      try {
        await this.gt.startRole(this.home, opts);
      } catch (err) {
        // gt failed, timed out or was cancelled: not "starting" any more. A session gt made anyway is adopted
        // by the next status read.
        this.setState({ kind: 'stopped' });
        throw err;
      }
    }
    await this.attach();
    // Only a session we are starting is still "starting" here.
    await this.awaitPrompt(opts.signal);
  }

  /**
   * gt's start can return before the agent draws its prompt (measured with gt v1.2.1: about 0.5 s, before the
   * test agent's prompt), so a session we started is "starting" until its pane shows the preset's ready prompt;
   * the preset's delay (at least 30 s) is the way out for a prompt never seen. One `tmux capture-pane` each 300 ms.
   */
  private async awaitPrompt(signal?: AbortSignal): Promise<void> {
    const preset = this.plan.resolved.preset;
    const until = Date.now() + Math.max(preset.ready_delay_ms ?? 0, 30_000);
    while (preset.ready_prompt_prefix && Date.now() < until && this.current.kind === 'starting' && !signal?.aborted) {
      if (screenState(await this.gt.capturePane(this.socket, this.sessionName), preset.ready_prompt_prefix) === 'ready') {
        break;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    if (this.current.kind === 'starting') {
      this.setState({ kind: 'ready' });
    }
  }

  async attach(): Promise<void> {
    if (!(await this.gt.hasSession(this.socket, this.sessionName))) {
      this.setState({ kind: 'stopped' });
      throw new Error(`tmux session ${this.sessionName} is not running on socket ${this.socket}; start the agent first`);
    }
    if (this.term) {
      this.term.show();
      return;
    }
    const style = ROLE_STYLE[this.home.kind];
    this.term = vscode.window.createTerminal({
      name: this.name,
      shellPath: this.gt.tmux,
      shellArgs: ['-u', '-L', this.socket, 'attach-session', '-t', `=${this.sessionName}`],
      cwd: this.home.dir,
      // Attaching from inside another tmux would nest; VS Code's own TMUX must not leak in.
      env: { TMUX: null, TMUX_PANE: null },
      iconPath: new vscode.ThemeIcon(style.icon),
      color: new vscode.ThemeColor(style.color),
      isTransient: true,
    });
    this.term.show(true);
    // A session that was running before is taken as ready; one we are starting waits for its prompt (awaitPrompt).
    if (this.current.kind !== 'starting') {
      this.setState({ kind: 'ready' });
    }
  }

  private async refreshAlive(): Promise<void> {
    const alive = await this.gt.hasSession(this.socket, this.sessionName);
    this.setState(alive ? (this.term ? this.current : { kind: 'detached' }) : { kind: 'stopped' });
  }

  isReady(): boolean {
    return this.current.kind === 'ready' || this.current.kind === 'detached';
  }

  isAlive(): Promise<boolean> {
    return this.gt.hasSession(this.socket, this.sessionName);
  }

  /** `gt nudge`: gt's own delivery into the tmux pane (waits for the agent to be idle). */
  async sendMessage(text: string): Promise<void> {
    await this.gt.nudge(this.home.townRoot, nudgeTarget(this.plan), text);
  }

  injectContext(text: string): Promise<void> {
    return this.sendMessage(text);
  }

  getStatus(): SessionStatus {
    return { host: 'tmux', agent: this.plan.resolved.name, state: this.current, terminalName: this.term?.name, startedAt: this.startedAt };
  }

  async version(): Promise<string> {
    return Promise.resolve(this.plan.resolved.name);
  }

  /** Stops the agent through gt (the tmux session ends), which also closes the attached terminal. */
  /**
   * `gt <role> stop`. A refusal is gt's to explain (the error carries its words) and the session stays; with
   * `force`, gt's --force where the verb has one, and the tmux session killed when gt still fails.
   */
  async stop(opts: { force?: boolean } = {}): Promise<void> {
    const gtForce = opts.force === true && (this.home.kind === 'crew' || this.home.kind === 'polecat');
    try {
      await this.gt.stopRole(this.home, { force: gtForce });
    } catch (err) {
      if (!opts.force) {
        throw new StopRefused(this.name, (err as Error).message);
      }
      this.log.warn(`gt stop for ${this.name} failed (${(err as Error).message}); killing the tmux session as asked`);
      await this.gt.killSession(this.socket, this.sessionName);
    }
    this.term?.dispose();
    this.term = undefined;
    this.setState({ kind: 'stopped' });
  }

  /** Marks a session gt runs without a terminal of ours (found by a status refresh). */
  markDetached(): void {
    if (!this.term) {
      this.setState({ kind: 'detached' });
    }
  }
}

/** gt would not stop the agent; the message is gt's. Force Stop goes past it. */
export class StopRefused extends Error {
  constructor(
    readonly agent: string,
    readonly reason: string,
  ) {
    super(`gt did not stop ${agent}: ${reason}`);
  }
}
