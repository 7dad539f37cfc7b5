import * as vscode from 'vscode';
import type { AgentPlan } from '../../town/agentPlan';
import type { TownStore } from '../../model/townStore';
import { pickRole } from '../pickRole';
import { ROLE_STYLE } from '../views/townTree';
import type { SessionManager } from './sessionManager';
import { terminalName } from './sessionBase';

/** "Gas Town Agent" in the terminal dropdown: asks for the role, then runs its agent directly (no shell in between). */
export class AgentTerminalProfile implements vscode.TerminalProfileProvider {
  constructor(
    private readonly towns: TownStore,
    private readonly sessions: SessionManager,
    /** The agent's hook files, written before it starts (as for Start Agent). */
    private readonly beforeStart: (plan: AgentPlan) => Promise<void>,
  ) {}

  async provideTerminalProfile(): Promise<vscode.TerminalProfile | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Gas Town starts no agent in an untrusted workspace. Trust the workspace first.');
      return undefined;
    }
    const town = this.towns.active;
    if (!town) {
      void vscode.window.showWarningMessage('No Gas Town found for this workspace; open a town folder or set "gastown.townRoot".');
      return undefined;
    }
    const role = await pickRole(town, 'Gas Town Agent: pick a role');
    if (!role) {
      return undefined;
    }
    const plan = this.sessions.plan(role);
    await this.beforeStart(plan).catch(() => undefined);
    const [shellPath, ...shellArgs] = plan.start.argv;
    const style = ROLE_STYLE[role.kind];
    return new vscode.TerminalProfile({
      name: terminalName(plan),
      shellPath,
      shellArgs,
      cwd: role.dir,
      env: plan.env,
      iconPath: new vscode.ThemeIcon(style.icon),
      color: new vscode.ThemeColor(style.color),
    });
  }
}
