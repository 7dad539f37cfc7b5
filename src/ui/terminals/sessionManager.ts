import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GtClient } from '../../cli/gtClient';
import { portOpen } from '../../cli/portProbe';
import { Disposable } from '../../common/lifecycle';
import type { TownModels } from '../../model/townModel';
import type { TownStore } from '../../model/townStore';
import { AgentPlan, planAgent, planResume } from '../../town/agentPlan';
import type { LaunchCommand } from '../../town/launchCommand';
import { launchProblems } from '../../town/preflight';
import { gtRole, mailAddress, RoleHome, tmuxSessionName } from '../../town/roles';
import { startupDelivery, startupPrompt } from '../../town/startupPrompt';
import { lastLines } from '../../town/terminalText';
import { allRoles } from '../pickRole';
import { townSocketName } from '../../town/tmuxSocket';
import type { AgentSession, SessionHost } from './agentSession';
import { type AgentTerminalRecords, processName } from './agentTerminalRecords';
import { isFailedExit, isRunning } from './agentSession';
import { agentShell, NativeSession } from './nativeSession';
import { TmuxSession } from './tmuxSession';

export type HostSetting = 'auto' | 'native' | 'tmux';

/** An exit this soon after the start is a launch failure: starting again would fail the same way. */
const QUICK_EXIT_MS = 15_000;


export interface StartOptions {
  host?: SessionHost;
  override?: string;
  prompt?: string;
  /** A launch other than the plain start (resume, continue). */
  launch?: (plan: AgentPlan) => LaunchCommand | undefined;
  /** tmux host: the session id `gt crew start --resume` takes. */
  resume?: string;
  /** Cancels a start that waits on gt. */
  signal?: AbortSignal;
}

/** Owns every agent session of the window: one per role, native or tmux, and tells the views when one changes. */
export class SessionManager extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<RoleHome | undefined>());
  readonly onDidChange = this.changed.event;
  private readonly sessions = new Map<string, AgentSession>();
  /** Starts under way per role: a second Start (a double click) joins the first instead of starting twice. */
  private readonly starting = new Map<string, Promise<AgentSession | undefined>>();
  /** Runs before every launch (the agent's hook files); it reports its own problems and never stops the start. */
  beforeLaunch?: (plan: AgentPlan) => Promise<void>;

  constructor(
    private readonly towns: TownStore,
    private readonly status: TownModels,
    private readonly gt: GtClient,
    private readonly log: vscode.LogOutputChannel,
    private readonly hostSetting: () => HostSetting,
    private readonly startupPrompts: () => boolean = () => true,
    /** The window's agent terminals by process, to find them again after a reload. */
    private readonly records?: AgentTerminalRecords,
  ) {
    super();
    this.register({
      dispose: () => {
        for (const s of this.sessions.values()) {
          s.dispose();
        }
      },
    });
  }

  private key(home: RoleHome): string {
    return `${home.townRoot}|${gtRole(home)}`;
  }

  get(home: RoleHome): AgentSession | undefined {
    return this.sessions.get(this.key(home));
  }

  all(): AgentSession[] {
    return [...this.sessions.values()];
  }

  plan(home: RoleHome, opts: StartOptions = {}): AgentPlan {
    return planAgent(home, { builtins: this.towns.builtins.presets, prefix: this.towns.prefixOf(home), override: opts.override, prompt: opts.prompt });
  }

  socket(townRoot: string): string {
    return this.status.statusOf(townRoot)?.tmux?.socket || townSocketName(townRoot);
  }

  /** `auto`: tmux when gt reports a running tmux server for the town (and we are not on Windows). */
  async resolveHost(townRoot: string, asked?: SessionHost): Promise<SessionHost> {
    const setting = asked ?? this.hostSetting();
    if (setting !== 'auto') {
      return setting;
    }
    if (process.platform === 'win32') {
      return 'native';
    }
    const reported = this.status.statusOf(townRoot)?.tmux?.running;
    if (reported !== undefined) {
      return reported ? 'tmux' : 'native';
    }
    return (await this.gt.listSessions(this.socket(townRoot))).length > 0 ? 'tmux' : 'native';
  }

  private track(session: AgentSession): AgentSession {
    const key = this.key(session.home);
    const old = this.sessions.get(key);
    if (old && old !== session) {
      // A native session's terminal (an exited agent's shell) goes with it; gt's tmux session stays gt's.
      if (old instanceof NativeSession) {
        void old.stop();
      }
      old.dispose();
    }
    this.sessions.set(key, session);
    session.onDidChangeState((s) => {
      this.changed.fire(session.home);
      if (s.kind === 'exited' && isFailedExit(s)) {
        void this.crashed(session, s.code ?? -1);
      }
      if (s.kind === 'stopped' || s.kind === 'exited') {
        this.status.invalidateStatus(session.home.townRoot);
      }
    });
    this.changed.fire(session.home);
    return session;
  }

  /**
   * An agent that exited with an error: the warning carries the last lines it printed (the reason, e.g. Claude
   * refusing to run as root), and Restart is not offered for a failure that would only repeat.
   */
  private async crashed(session: AgentSession, code: number): Promise<void> {
    const tail = lastLines(session.output, 4);
    const quick = Date.now() - session.getStatus().startedAt < QUICK_EXIT_MS;
    const restart = 'Restart';
    const show = 'Show Terminal';
    const why = 'Show Resolved Agent';
    const actions = quick ? [why, show] : [restart, show];
    const reason = tail ? `: ${tail}` : '';
    const pick = await vscode.window.showWarningMessage(
      `Gas Town: the agent ${session.name} exited with code ${code}${quick ? ' right after it started' : ''}${reason}`,
      ...actions,
    );
    if (pick === restart) {
      await this.restart(session.home).catch((err: unknown) => vscode.window.showErrorMessage(`Gas Town: restart failed: ${(err as Error).message}`));
    } else if (pick === show) {
      await vscode.commands.executeCommand('gastown.showAgentTerminal', session.home.dir);
    } else if (pick === why) {
      await vscode.commands.executeCommand('gastown.showResolvedAgent', session.home.dir);
    }
  }

  /** Checks what would make the start fail and tells the user how to fix it; false when it cannot go on. */
  private async preflight(plan: AgentPlan, host: SessionHost): Promise<boolean> {
    const problems = launchProblems(plan, host);
    const port = Number(plan.env.GT_DOLT_PORT ?? 0);
    if (port > 0 && !(await portOpen(port))) {
      const start = 'Start Dolt Server';
      const anyway = 'Start Agent Anyway';
      const pick = await vscode.window.showWarningMessage(
        `Gas Town: the town's Dolt server is not running (port ${port}), so the agent cannot read or write beads.`,
        { modal: true },
        start,
        anyway,
      );
      if (pick === start) {
        await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Starting the Dolt server (gt dolt start)…' }, () =>
          this.gt.run(['dolt', 'start'], plan.home.townRoot),
        );
      } else if (pick !== anyway) {
        return false;
      }
    }
    const first = problems[0];
    if (!first) {
      return true;
    }
    const actions: string[] = first.action === 'open-registry' ? ['Open Agent Registry'] : first.action === 'copy-crew-add' ? ['Copy Command'] : [];
    void vscode.window.showErrorMessage(`Gas Town: ${first.message}`, ...actions).then(async (pick) => {
      if (pick === 'Open Agent Registry') {
        await vscode.commands.executeCommand('gastown.openAgentRegistry');
      } else if (pick === 'Copy Command') {
        await vscode.env.clipboard.writeText(`gt crew add ${plan.home.name} --rig ${plan.home.rig}`);
      }
    });
    return false;
  }

  /** Starts the role's agent (or shows it when already running). */
  start(home: RoleHome, opts: StartOptions = {}): Promise<AgentSession | undefined> {
    const key = this.key(home);
    const pending = this.starting.get(key);
    if (pending) {
      return pending;
    }
    const p = this.doStart(home, opts).finally(() => this.starting.delete(key));
    this.starting.set(key, p);
    return p;
  }

  private async doStart(home: RoleHome, opts: StartOptions): Promise<AgentSession | undefined> {
    const existing = this.get(home);
    if (existing && isRunning(existing.state) && !opts.launch) {
      if (existing instanceof TmuxSession && !existing.terminal) {
        // gt's session may have ended since the last status read: attach then marks it stopped, and we start anew.
        await existing.attach().catch((err: unknown) => {
          if (isRunning(existing.state)) {
            throw err;
          }
        });
      }
      if (isRunning(existing.state)) {
        existing.terminal?.show();
        return existing;
      }
    }
    const host = await this.resolveHost(home.townRoot, opts.host);
    let plan = this.plan(home, opts);
    // gt's beacon for the agents gt starts (in tmux gt gives it itself): the prompt argument, or typed once ready.
    const beacon = host === 'native' && !opts.prompt && !opts.launch && this.startupPrompts() ? startupDelivery(plan.resolved.preset) : undefined;
    if (beacon === 'argument') {
      plan = this.plan(home, { ...opts, prompt: startupPrompt(home) });
    }
    if (!(await this.preflight(plan, host))) {
      return undefined;
    }
    const launch = opts.launch ? opts.launch(plan) : plan.start;
    if (!launch) {
      throw new Error(`agent "${plan.resolved.name}" has no way to do that (see its preset)`);
    }
    await this.beforeLaunch?.(plan).catch((err: unknown) => this.log.warn(`before launching ${plan.address}: ${(err as Error).message}`));
    const session = host === 'tmux' ? new TmuxSession(plan, this.socket(home.townRoot), this.gt, this.log) : new NativeSession(plan, launch, this.log, beacon === 'typed' ? startupPrompt(home) : undefined);
    this.track(session);
    if (session instanceof TmuxSession) {
      await session.start({ resume: opts.resume, signal: opts.signal });
    } else {
      await session.start();
      if (session.terminal) {
        await this.records?.remember(session.terminal, home);
      }
    }
    return session;
  }

  /** Attaches a VS Code terminal to the tmux session gt runs for this role. */
  async attach(home: RoleHome): Promise<AgentSession> {
    const existing = this.get(home);
    if (existing instanceof TmuxSession) {
      await existing.attach();
      return existing;
    }
    const session = new TmuxSession(this.plan(home), this.socket(home.townRoot), this.gt, this.log);
    try {
      await session.attach();
    } catch (err) {
      session.dispose();
      throw err;
    }
    return this.track(session);
  }

  async stop(home: RoleHome, opts: { force?: boolean } = {}): Promise<void> {
    const session = this.get(home);
    if (session) {
      await session.stop(opts);
    }
  }

  async restart(home: RoleHome, opts: { signal?: AbortSignal } = {}): Promise<AgentSession | undefined> {
    const host = this.get(home)?.host;
    await this.stop(home);
    return this.start(home, { host, signal: opts.signal });
  }

  /**
   * Resumes with the preset's resume flag and the stored session id, on the host the agent has: a crew member in
   * gt's tmux through `gt crew start --resume` (gt has it for crew only); otherwise natively.
   */
  async resume(home: RoleHome, sessionId?: string, opts: { signal?: AbortSignal } = {}): Promise<AgentSession | undefined> {
    const plan = this.plan(home);
    const existing = this.get(home);
    const fromTmux =
      existing instanceof TmuxSession && plan.resolved.preset.session_id_env ? await this.gt.sessionEnv(existing.socket, existing.sessionName, plan.resolved.preset.session_id_env) : undefined;
    const id = sessionId ?? fromTmux ?? storedSessionId(plan);
    if (!id) {
      throw new Error(`no stored session id for ${plan.address}: neither the tmux session's ${plan.resolved.preset.session_id_env ?? 'session-id variable'} nor ${path.join(home.dir, '.runtime', 'session_id')} has one`);
    }
    if (!plan.resolved.preset.resume_flag) {
      throw new Error(`agent "${plan.resolved.name}" has no resume_flag in its preset`);
    }
    const host = existing && isRunning(existing.state) ? existing.host : await this.resolveHost(home.townRoot);
    await this.stop(home);
    if (host === 'tmux' && home.kind === 'crew') {
      return this.start(home, { host: 'tmux', resume: id, signal: opts.signal });
    }
    return this.start(home, { host: 'native', launch: (p) => planResume(p, id), signal: opts.signal });
  }

  /**
   * Tracks a terminal that runs a role's agent without being a session of ours, so the tree shows it and Start
   * shows it instead of launching a second agent in the same home: a new one whose environment names the role
   * and the town (the "Gas Town Agent" profile's), or, at activation, one this window recorded before a window
   * reload or an extension-host restart (same process, so the agent is still the one running).
   */
  async adoptTerminal(terminal: vscode.Terminal, fresh: boolean): Promise<AgentSession | undefined> {
    if (terminal.exitStatus !== undefined || this.all().some((s) => s.terminal === terminal)) {
      return undefined;
    }
    let home: RoleHome | undefined;
    // Ours from before a reload (VS Code reconnects it, at activation or just after): the agent runs on.
    const record = await this.records?.find(terminal);
    if (record) {
      const town = this.towns.towns.find((t) => t.location.root === record.townRoot);
      home = town && allRoles(town).find((r) => r.dir === record.dir);
    } else if (fresh && !(await this.runsAShell(terminal))) {
      const options = terminal.creationOptions;
      const env = 'env' in options ? (options.env ?? {}) : {};
      const town = this.towns.towns.find((t) => t.location.root === env.GT_ROOT);
      home = town && allRoles(town).find((r) => gtRole(r) === env.GT_ROLE);
    }
    const known = home && this.get(home);
    // Checked again after the awaits: activation and the open-terminal event can both bring the same terminal.
    if (!home || (known && isRunning(known.state)) || this.all().some((s) => s.terminal === terminal)) {
      return undefined;
    }
    const plan = this.plan(home);
    const session = new NativeSession(plan, plan.start, this.log);
    this.track(session);
    session.adopt(terminal, fresh && !record);
    if (!record) {
      await this.records?.remember(terminal, home);
    }
    this.log.info(`tracking the terminal "${terminal.name}" as the agent of ${gtRole(home)}`);
    return session;
  }

  /**
   * A terminal whose process is the shell our native terminals start is not an agent of the profile (whose
   * process is the agent): after a full restart VS Code revives our agent terminals as new shells, with the
   * role's environment but no agent. Linux only; elsewhere the environment decides.
   */
  private async runsAShell(terminal: vscode.Terminal): Promise<boolean> {
    const pid = await terminal.processId;
    const name = pid === undefined ? undefined : processName(pid);
    return name !== undefined && name === path.basename(agentShell().path);
  }

  /** At activation: the window's agent terminals from before a reload are ours again; records of ended ones go. */
  async adoptOpenTerminals(): Promise<void> {
    await this.records?.pruneEnded();
    for (const t of vscode.window.terminals) {
      await this.adoptTerminal(t, false);
    }
  }

  /** Adopts the tmux sessions gt reports (started outside VS Code) as detached sessions, so the tree shows them. */
  adoptFromStatus(townRoot: string, roles: RoleHome[]): void {
    const readAt = this.status.statusReadAt(townRoot);
    for (const home of roles) {
      const known = this.get(home);
      // A status read before our own start or stop of gt's session (gt's full pass takes seconds) would undo it;
      // the newer read that the change asked for decides. A native session of ours is not the one the read is about.
      if (known instanceof TmuxSession && known.changedAt >= readAt) {
        continue;
      }
      const agent = this.status.agent(townRoot, tmuxSessionName(home, this.towns.prefixOf(home)), mailAddress(home));
      // A session of ours that has ended (a stopped native agent) does not hide the one gt runs now.
      if (agent?.running && (!known || !isRunning(known.state))) {
        // Only now is the plan worth reading (it reads the settings files).
        const session = new TmuxSession(this.plan(home), this.socket(townRoot), this.gt, this.log);
        this.track(session);
        session.markDetached();
      } else if (known instanceof TmuxSession && agent && !agent.running && isRunning(known.state) && !known.terminal) {
        known.dispose();
        this.sessions.delete(this.key(home));
        this.changed.fire(home);
      }
    }
  }
}

/**
 * The session id `gt prime --hook` stored for the role (`<home>/.runtime/session_id`). The extension host's own
 * environment is never used: it may belong to whatever session launched VS Code.
 */
export function storedSessionId(plan: AgentPlan): string | undefined {
  try {
    const id = fs.readFileSync(path.join(plan.home.dir, '.runtime', 'session_id'), 'utf8').trim();
    return /^[A-Za-z0-9._-]+$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
