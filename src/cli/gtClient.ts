import type { RoleHome } from '../town/roles';
import { townStatusSchema, TownStatus } from './gtSchemas';
import { CliLogger, parseCliJson, runCli, RunOptions, RunResult } from './runner';

export interface Binaries {
  gt: string;
  bd: string;
  tmux: string;
}

/** gt's start and stop verbs per role (tmux host): gt owns the session; the extension only attaches. */
function lifecycleArgs(verb: 'start' | 'stop', home: RoleHome): string[] {
  switch (home.kind) {
    case 'mayor':
    case 'deacon':
      return [home.kind, verb];
    case 'witness':
    case 'refinery':
      return [home.kind, verb, home.rig ?? ''];
    case 'crew':
      // `gt crew start <rig> <name>`, but `gt crew stop <rig>/<name>`.
      return verb === 'start' ? ['crew', verb, home.rig ?? '', home.name ?? ''] : ['crew', verb, `${home.rig}/${home.name}`];
    case 'polecat':
      return ['session', verb, `${home.rig}/${home.name}`];
    case 'boot':
      return ['boot', verb];
    case 'dog':
      return ['dog', verb, home.name ?? ''];
  }
}

/** Typed calls to gt, tmux and bd; every one goes through runCli (no shell, timeout, logged). */
export class GtClient {
  constructor(
    private readonly bins: () => Binaries,
    private readonly log?: CliLogger,
  ) {}

  private gt(args: string[], cwd: string, opts: Omit<RunOptions, 'cwd'> = {}): Promise<RunResult> {
    return runCli(this.bins().gt, args, { timeoutMs: 30_000, ...opts, cwd }, this.log);
  }

  /** A routine tmux probe: polled, so logged at debug or trace; a non-zero exit is its "no", not a failure. */
  private tmuxProbe(args: string[], logLevel: 'debug' | 'trace'): Promise<RunResult> {
    return runCli(this.bins().tmux, args, { timeoutMs: 5000, logLevel, exitIsAnswer: true }, this.log);
  }

  /** Any other gt verb, in the town. */
  run(args: string[], townRoot: string, timeoutMs = 120_000): Promise<RunResult> {
    return this.gt(args, townRoot, { timeoutMs });
  }

  async status(townRoot: string, fast = false, signal?: AbortSignal): Promise<TownStatus> {
    // Polled by the status store: its success is routine.
    const r = await this.gt(fast ? ['status', '--json', '--fast'] : ['status', '--json'], townRoot, { timeoutMs: 60_000, signal, logLevel: 'debug' });
    return parseCliJson(r.stdout, townStatusSchema, 'gt status --json');
  }

  /** `gt prime` in the role's home with the role's environment: the context the agent would get. */
  async prime(home: RoleHome, env: Record<string, string>): Promise<string> {
    const r = await this.gt(['prime'], home.dir, { env, timeoutMs: 60_000 });
    return r.stdout + (r.stderr.trim() ? `\n${r.stderr}` : '');
  }

  /** `gt sling <bead> <target> [--args=…]`: the `=` form keeps args that start with `-` from reading as flags. */
  sling(townRoot: string, bead: string, target: string, args?: string): Promise<RunResult> {
    const argv = ['sling', bead, target];
    if (args !== undefined && args !== '') {
      argv.push(`--args=${args}`);
    }
    // gt waits for the spawned agent to be idle (its startup nudges) before it returns: minutes, not seconds.
    return this.gt(argv, townRoot, { timeoutMs: 300_000 });
  }

  nudge(townRoot: string, target: string, message: string): Promise<RunResult> {
    return this.gt(['nudge', target, `--message=${message}`], townRoot, { timeoutMs: 60_000 });
  }

  /** The tmux executable (the attach terminal runs it too). */
  get tmux(): string {
    return this.bins().tmux;
  }

  /** Starts the role's tmux session; gt waits for the agent to be ready (minutes). `resume`: crew only (gt's flag). */
  startRole(home: RoleHome, opts: { resume?: string; signal?: AbortSignal } = {}): Promise<RunResult> {
    const args = lifecycleArgs('start', home);
    if (opts.resume !== undefined) {
      args.push(`--resume=${opts.resume}`);
    }
    return this.gt(args, home.townRoot, { timeoutMs: 300_000, signal: opts.signal });
  }

  stopRole(home: RoleHome, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<RunResult> {
    const args = lifecycleArgs('stop', home);
    if (opts.force) {
      args.push('--force');
    }
    return this.gt(args, home.townRoot, { timeoutMs: 60_000, signal: opts.signal });
  }

  /** True when the tmux server on gt's socket has this session. */
  async hasSession(socket: string, session: string): Promise<boolean> {
    try {
      await this.tmuxProbe(['-L', socket, 'has-session', '-t', `=${session}`], 'trace');
      return true;
    } catch {
      return false;
    }
  }

  async listSessions(socket: string): Promise<string[]> {
    try {
      const r = await this.tmuxProbe(['-L', socket, 'list-sessions', '-F', '#{session_name}'], 'debug');
      return r.stdout.split('\n').filter((s) => s !== '');
    } catch {
      return [];
    }
  }

  /** A variable of a tmux session's environment (e.g. the agent's session id), if set. */
  async sessionEnv(socket: string, session: string, name: string): Promise<string | undefined> {
    try {
      const r = await this.tmuxProbe(['-L', socket, 'show-environment', '-t', `=${session}`, name], 'debug');
      const m = /^[^=]+=(.*)$/.exec(r.stdout.trim());
      return m?.[1] || undefined;
    } catch {
      return undefined;
    }
  }

  /** The visible screen of a session's pane, one string per line; empty when it cannot be read. */
  async capturePane(socket: string, session: string): Promise<string[]> {
    try {
      const r = await this.tmuxProbe(['-L', socket, 'capture-pane', '-p', '-t', `=${session}:`], 'trace');
      return r.stdout.split('\n');
    } catch {
      return [];
    }
  }

  async killSession(socket: string, session: string): Promise<void> {
    await runCli(this.bins().tmux, ['-L', socket, 'kill-session', '-t', `=${session}`], { timeoutMs: 5000 }, this.log);
  }
}
