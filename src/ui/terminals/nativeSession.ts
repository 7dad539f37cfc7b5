import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { terminalEnv } from '../../cli/processEnv';
import { runCli } from '../../cli/runner';
import type { AgentPlan } from '../../town/agentPlan';
import type { LaunchCommand } from '../../town/launchCommand';
import { inputPlan } from '../../town/agentInput';
import { startupDelivery } from '../../town/startupPrompt';
import { nativeCommandLine } from '../../town/shellQuote';
import { isAutonomous } from '../../town/roles';
import { screenState } from '../../town/screenState';
import { appendTail, stripAnsi } from '../../town/terminalText';
import { ROLE_STYLE } from '../views/townTree';
import type { AgentSession, SessionState, SessionStatus } from './agentSession';
import { isRunning } from './agentSession';
import { ScreenModel } from './screenModel';
import { SessionBase } from './sessionBase';

const SHELL_INTEGRATION_WAIT_MS = 10_000;
/** How long a message typed while the agent starts waits for its prompt. */
const STARTING_INPUT_WAIT_MS = 60_000;
/** The screen is judged once output has paused this long (gt polls twice, 200 ms apart). */
const QUIET_MS = 250;
const QUIET_AFTER_SUBMIT_MS = 600;
const SILENT_AFTER_SUBMIT_MS = 3000;

/** The shell the agent's command line is written for: bash (shell integration, POSIX quoting) or PowerShell. */
export function agentShell(): { path: string; windows: boolean } {
  if (process.platform === 'win32') {
    return { path: 'powershell.exe', windows: true };
  }
  return { path: fs.existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh', windows: false };
}

/** Whether gt would nudge this agent with `gt prime` because it has no hooks to prime itself. */
export function needsPrimeNudge(plan: AgentPlan): boolean {
  return startupDelivery(plan.resolved.preset) === 'prime';
}

/**
 * Native host: the VS Code terminal is the session. A bash terminal starts in the role's home with the role's
 * environment; the agent's command line runs through shell integration so its output and exit code are seen.
 */
export class NativeSession extends SessionBase implements AgentSession {
  readonly host = 'native';
  private execution: vscode.TerminalShellExecution | undefined;
  /** Launched by sendText (no shell integration): the shell was replaced by the agent (`exec`). */
  private launchedBlind = false;
  private text = '';
  private readyTimer: NodeJS.Timeout | undefined;
  private screen: ScreenModel | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  /**
   * Where typed input stands: `typing` until the submit key is sent (the agent's echo of the text is no answer),
   * `submitted` until the agent's first output after it; the screen is not judged in between.
   */
  private input: 'none' | 'typing' | 'submitted' = 'none';
  private inputQueue: Promise<void> = Promise.resolve();
  private primed = false;
  private startedAt = Date.now();
  private versionCache: Promise<string> | undefined;

  constructor(
    plan: AgentPlan,
    private readonly launch: LaunchCommand,
    log: vscode.LogOutputChannel,
    /** gt's beacon, typed once the agent is ready: for agents with hooks that take no prompt argument. */
    private readonly typedStartup?: string,
  ) {
    super(plan, log);
    this.register({
      dispose: () => {
        clearTimeout(this.readyTimer);
        clearTimeout(this.checkTimer);
        this.screen?.dispose();
      },
    });
    this.register(
      vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.execution === this.execution) {
          this.execution = undefined;
          this.setState({ kind: 'exited', code: e.exitCode });
        }
      }),
    );
    this.register(
      vscode.window.onDidCloseTerminal((t) => {
        if (t === this.term) {
          this.term = undefined;
          this.execution = undefined;
          if (this.launchedBlind && isRunning(this.current)) {
            this.setState({ kind: 'exited', code: t.exitStatus?.code });
          } else if (isRunning(this.current)) {
            this.setState({ kind: 'stopped' });
          }
        }
      }),
    );
  }

  get output(): string {
    return this.text;
  }

  protected override setState(s: SessionState): boolean {
    const changed = super.setState(s);
    if (changed && s.kind === 'ready') {
      this.afterReady();
    }
    return changed;
  }

  /**
   * Takes over a terminal that runs this role's agent but is not ours: one opened from the "Gas Town Agent"
   * profile (the agent is the terminal's process), or one of ours from before the extension host restarted. Its
   * output cannot be read, so the agent's exit is seen when the terminal closes, and readiness comes from the
   * preset's delay for a new one.
   */
  adopt(terminal: vscode.Terminal, fresh: boolean): void {
    this.term = terminal;
    this.launchedBlind = true;
    this.startedAt = Date.now();
    // An agent found again after a reload was given its startup message when it started; a new one gets it now.
    this.primed = !fresh;
    if (!fresh) {
      this.setState({ kind: 'ready' });
      return;
    }
    this.setState({ kind: 'starting' });
    this.readyTimer = setTimeout(() => {
      if (this.current.kind === 'starting') {
        this.setState({ kind: 'ready' });
      }
    }, this.plan.resolved.preset.ready_delay_ms ?? 3000);
  }

  async start(): Promise<void> {
    const style = ROLE_STYLE[this.home.kind];
    const shell = agentShell();
    this.startedAt = Date.now();
    this.launchedBlind = false;
    this.text = '';
    this.primed = false;
    this.input = 'none';
    this.screen?.dispose();
    this.screen = new ScreenModel();
    this.setState({ kind: 'starting' });
    this.term = vscode.window.createTerminal({
      name: this.name,
      cwd: this.home.dir,
      // The window's environment minus any leaked agent identity (a GT_ROLE from where VS Code was started).
      env: terminalEnv(process.env, this.plan.env),
      shellPath: shell.path,
      iconPath: new vscode.ThemeIcon(style.icon),
      color: new vscode.ThemeColor(style.color),
      // Not transient: a window reload reconnects the terminal with the agent still running, and the records find it.
    });
    this.term.show(true);
    const line = nativeCommandLine(this.launch.argv, this.home.dir, this.roleVariables(), shell.windows);
    const integration = await this.waitForShellIntegration(this.term);
    if (!this.term) {
      return;
    }
    if (integration) {
      this.execution = integration.executeCommand(line);
      void this.readOutput(this.execution);
    } else {
      // No shell integration (e.g. disabled by the user): the agent replaces the shell, so the terminal closes
      // (with the agent's exit code) when the agent ends, and typed text can never reach a shell.
      this.log.warn(`${this.name}: no shell integration; readiness by delay, exit code from the terminal`);
      this.launchedBlind = true;
      this.term.sendText(nativeCommandLine(this.launch.argv, this.home.dir, this.roleVariables(), shell.windows, true), true);
    }
    // With a ready prompt the screen decides (a dialog waiting for the user is not "ready"); the preset's delay
    // is for agents without one, and for a launch whose output cannot be read.
    if (!this.plan.resolved.preset.ready_prompt_prefix || this.launchedBlind) {
      this.readyTimer = setTimeout(() => {
        if (this.current.kind === 'starting') {
          this.setState({ kind: 'ready' });
        }
      }, this.plan.resolved.preset.ready_delay_ms ?? 3000);
    }
  }

  /**
   * The role's own variables for the command line. The preset's `env` (it may hold keys or tokens) stays in the
   * terminal's environment only, so the command line echoed in the terminal does not show it.
   */
  private roleVariables(): Record<string, string> {
    const presetEnv = this.plan.resolved.preset.env ?? {};
    return Object.fromEntries(Object.entries(this.plan.env).filter(([k, v]) => !(k in presetEnv) || presetEnv[k] !== v));
  }

  private waitForShellIntegration(term: vscode.Terminal): Promise<vscode.TerminalShellIntegration | undefined> {
    if (term.shellIntegration) {
      return Promise.resolve(term.shellIntegration);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        sub.dispose();
        resolve(term.shellIntegration);
      }, SHELL_INTEGRATION_WAIT_MS);
      const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
        if (e.terminal === term) {
          clearTimeout(timer);
          sub.dispose();
          resolve(e.shellIntegration);
        }
      });
    });
  }

  private async readOutput(execution: vscode.TerminalShellExecution): Promise<void> {
    const screen = this.screen;
    try {
      for await (const chunk of execution.read()) {
        this.text = appendTail(this.text, stripAnsi(chunk));
        if (screen && screen === this.screen) {
          void screen.write(chunk).then(() => this.outputSettling());
        }
      }
    } catch (err) {
      this.log.warn(`${this.name}: output stream ended: ${(err as Error).message}`);
    }
  }

  private outputSettling(): void {
    if (this.input === 'typing') {
      return;
    }
    // After a submit the agent may pause before it shows that it works: judge only after a longer quiet.
    const quiet = this.input === 'submitted' ? QUIET_AFTER_SUBMIT_MS : QUIET_MS;
    this.input = 'none';
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.checkScreen(), quiet);
  }

  /** Ready when the prompt shows and nothing says busy; busy again when the agent works on its own. */
  private checkScreen(): void {
    const prefix = this.plan.resolved.preset.ready_prompt_prefix ?? '';
    if (!prefix || !this.screen || this.input !== 'none' || !isRunning(this.current)) {
      return;
    }
    const seen = screenState(this.screen.lines(), prefix);
    if (seen === 'ready' && (this.current.kind === 'starting' || this.current.kind === 'busy')) {
      this.setState({ kind: 'ready' });
    } else if (seen === 'busy' && this.current.kind === 'ready') {
      this.setState({ kind: 'busy' });
    }
  }

  /** The visible screen of the agent, as the readiness check sees it (for tests and diagnostics). */
  screenLines(): string[] {
    return this.screen?.lines() ?? [];
  }

  /** Agents without hooks get their context the way gt gives it: `gt prime` typed into them once ready. */
  private afterReady(): void {
    if (this.primed) {
      return;
    }
    const prime = isAutonomous(this.home.kind) ? 'gt prime && gt mail check --inject' : 'gt prime';
    const first = needsPrimeNudge(this.plan) ? prime : this.typedStartup;
    if (!first) {
      return;
    }
    this.primed = true;
    void this.sendMessage(first).catch((err: unknown) => this.log.warn(`${this.name}: the startup message failed: ${String(err)}`));
  }

  isReady(): boolean {
    return this.current.kind === 'ready' || this.current.kind === 'busy';
  }

  /** Terminal open, its process alive, and the agent (a child of the shell) one of the preset's process names. */
  async isAlive(): Promise<boolean> {
    if (!this.term || this.term.exitStatus !== undefined || !isRunning(this.current)) {
      return false;
    }
    const pid = await this.term.processId;
    if (pid === undefined) {
      return false;
    }
    if (process.platform !== 'linux') {
      return true;
    }
    try {
      const r = await runCli('ps', ['-o', 'comm=', '--ppid', String(pid)], { timeoutMs: 5000 });
      const names = (this.plan.env.GT_PROCESS_NAMES ?? '').split(',').filter((n) => n !== '');
      const children = r.stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '');
      return names.length === 0 ? children.length > 0 : children.some((c) => names.includes(c));
    } catch {
      // ps exits 1 when the shell has no children: the agent is gone.
      return false;
    }
  }

  /**
   * Types the text into the agent with the input protocol (one bracketed paste, a pause, the submit key alone).
   * Refused when the agent is not running: the shell would read it instead.
   */
  sendMessage(text: string): Promise<void> {
    // One message at a time: two typed at once (the startup `gt prime` and a nudge) would merge into one prompt.
    const next = this.inputQueue.then(() => this.typeMessage(text));
    this.inputQueue = next.catch(() => undefined);
    return next;
  }

  private async typeMessage(text: string): Promise<void> {
    const term = this.term;
    if (!term || !(this.execution || this.launchedBlind) || !isRunning(this.current)) {
      throw new Error(`${this.name} is not running, so the message was not sent (it would reach the shell, not the agent)`);
    }
    if (this.current.kind === 'starting') {
      // Typed before the agent's UI is up, text is echoed by the terminal, held back or lost: wait for its prompt.
      await this.untilReady(STARTING_INPUT_WAIT_MS);
      if (this.term !== term || !isRunning(this.current)) {
        throw new Error(`${this.name} ended before it was ready, so the message was not sent`);
      }
    }
    if (this.current.kind === 'ready') {
      this.setState({ kind: 'busy' });
    }
    this.input = 'typing';
    clearTimeout(this.checkTimer);
    const input = inputPlan(text, this.plan.resolved.preset);
    term.sendText(input.text, false);
    await new Promise((r) => setTimeout(r, input.delayMs));
    // The agent may have ended during the pause; then the key would reach the shell.
    if (this.term === term && isRunning(this.current)) {
      // What the agent echoed of the paste is not its answer: only output after the submit key counts.
      this.input = 'submitted';
      term.sendText(input.submit, false);
      // An agent that prints nothing in answer still gets its screen judged.
      clearTimeout(this.checkTimer);
      this.checkTimer = setTimeout(() => {
        if (this.input === 'submitted') {
          this.input = 'none';
          this.checkScreen();
        }
      }, SILENT_AFTER_SUBMIT_MS);
    } else {
      this.input = 'none';
    }
  }

  /** Resolves when the agent is no longer starting, or after `ms` (then the text goes anyway). */
  private untilReady(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const sub = this.onDidChangeState((st) => {
        if (st.kind !== 'starting') {
          done();
        }
      });
      function done(): void {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  }

  injectContext(text: string): Promise<void> {
    return this.sendMessage(text);
  }

  getStatus(): SessionStatus {
    return { host: 'native', agent: this.plan.resolved.name, state: this.current, terminalName: this.term?.name, startedAt: this.startedAt };
  }

  version(): Promise<string> {
    const command = this.plan.resolved.preset.command ?? '';
    this.versionCache ??= runCli(command, ['--version'], { timeoutMs: 10_000, cwd: this.home.dir })
      .then((r) => r.stdout.trim().split('\n')[0] ?? '')
      .catch(() => 'unknown');
    return this.versionCache;
  }

  stop(): Promise<void> {
    const term = this.term;
    this.term = undefined;
    this.execution = undefined;
    this.setState({ kind: 'stopped' });
    term?.dispose();
    return Promise.resolve();
  }

}
