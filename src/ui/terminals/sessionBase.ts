import * as vscode from 'vscode';
import { Disposable } from '../../common/lifecycle';
import type { AgentPlan } from '../../town/agentPlan';
import { gtRole, RoleHome } from '../../town/roles';
import type { SessionState } from './agentSession';

/** An agent terminal's name: `<role> · <agent>`. */
export function terminalName(plan: AgentPlan): string {
  return `${gtRole(plan.home)} · ${plan.resolved.name}`;
}

/** What both hosts share: the plan, the terminal, the state and its event. */
export abstract class SessionBase extends Disposable {
  private readonly stateChanged = this.register(new vscode.EventEmitter<SessionState>());
  readonly onDidChangeState = this.stateChanged.event;
  protected current: SessionState = { kind: 'stopped' };
  private changed = Date.now();
  protected term: vscode.Terminal | undefined;

  constructor(
    readonly plan: AgentPlan,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    super();
  }

  get name(): string {
    return terminalName(this.plan);
  }

  get home(): RoleHome {
    return this.plan.home;
  }

  get terminal(): vscode.Terminal | undefined {
    return this.term;
  }

  get state(): SessionState {
    return this.current;
  }

  get changedAt(): number {
    return this.changed;
  }

  /** Changes the state (an exit code counts as a change) and tells the listeners. */
  protected setState(s: SessionState): boolean {
    const same = s.kind === this.current.kind && (s.kind !== 'exited' || (this.current.kind === 'exited' && s.code === this.current.code));
    if (same) {
      return false;
    }
    this.current = s;
    this.changed = Date.now();
    this.log.info(`${this.name}: ${s.kind}${s.kind === 'exited' ? ` (${s.code ?? '?'})` : ''}`);
    this.stateChanged.fire(s);
    return true;
  }
}
