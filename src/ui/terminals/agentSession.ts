import type * as vscode from 'vscode';
import type { AgentPlan } from '../../town/agentPlan';
import type { RoleHome } from '../../town/roles';

export type SessionHost = 'native' | 'tmux';

export type SessionState =
  | { kind: 'starting' }
  | { kind: 'ready' }
  | { kind: 'busy' }
  /** The agent ended; code undefined when it could not be told. */
  | { kind: 'exited'; code: number | undefined }
  | { kind: 'stopped' }
  /** tmux: the session runs in gt's tmux, no VS Code terminal attached. */
  | { kind: 'detached' };

export interface SessionStatus {
  host: SessionHost;
  agent: string;
  state: SessionState;
  terminalName?: string;
  pid?: number;
  startedAt: number;
}

/** The Gas City provider contract for one running agent, on a VS Code terminal. */
export interface AgentSession extends vscode.Disposable {
  readonly name: string;
  readonly host: SessionHost;
  readonly home: RoleHome;
  readonly plan: AgentPlan;
  readonly terminal: vscode.Terminal | undefined;
  readonly state: SessionState;
  /** When the state last changed (Date.now()): gt's status read before then knows less than we do. */
  readonly changedAt: number;
  readonly onDidChangeState: vscode.Event<SessionState>;
  /** The text the agent printed so far (escape sequences removed), last 64 KiB. */
  readonly output: string;
  start(): Promise<void>;
  isReady(): boolean;
  isAlive(): Promise<boolean>;
  sendMessage(text: string): Promise<void>;
  getStatus(): SessionStatus;
  injectContext(text: string): Promise<void>;
  version(): Promise<string>;
  /** Ends the agent (and, for native, its terminal). */
  /** `force`: past a refusal (gt's --force where it has one, else the tmux session killed). */
  stop(opts?: { force?: boolean }): Promise<void>;
}

export function stateLabel(s: SessionState): string {
  switch (s.kind) {
    case 'exited':
      return s.code === undefined ? 'exited' : `exited (${s.code})`;
    default:
      return s.kind;
  }
}

/** Exit code of a process ended by Ctrl-C (128 + SIGINT): the user's doing, not a crash. */
export const INTERRUPTED = 130;

/** An exit that is a failure: non-zero, and not the user's Ctrl-C. */
export function isFailedExit(s: SessionState): boolean {
  return s.kind === 'exited' && s.code !== undefined && s.code !== 0 && s.code !== INTERRUPTED;
}

export function isRunning(s: SessionState): boolean {
  return s.kind === 'starting' || s.kind === 'ready' || s.kind === 'busy' || s.kind === 'detached';
}
