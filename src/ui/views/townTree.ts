import * as vscode from 'vscode';
import { Disposable } from '../../common/lifecycle';
import type { AgentRuntime } from '../../cli/gtSchemas';
import type { TownModels } from '../../model/townModel';
import type { TownEntry, TownStore } from '../../model/townStore';
import { rigPrefix, RigLayout } from '../../town/layout';
import { gtRole, mailAddress, RoleHome, RoleKind, slingableNow, tmuxSessionName } from '../../town/roles';
import { escapeMarkdown } from '../../common/markdownText';
import type { HookState } from '../../town/hooks/hookFiles';
import type { RoleHooks } from '../hooksFeature';
import type { AgentSession } from '../terminals/agentSession';
import { isFailedExit, isRunning, stateLabel } from '../terminals/agentSession';

export type TownNode =
  | { type: 'town'; town: TownEntry }
  | { type: 'rig'; town: TownEntry; rig: RigLayout }
  | { type: 'group'; town: TownEntry; rig: RigLayout; kind: 'crew' | 'polecat'; roles: RoleHome[] }
  | { type: 'role'; town: TownEntry; role: RoleHome }
  | { type: 'agent'; town: TownEntry; role: RoleHome; session?: AgentSession; runtime?: AgentRuntime };

/** What the tree needs from the session layer (kept narrow so the tree does not own sessions). */
export interface SessionLookup {
  get(home: RoleHome): AgentSession | undefined;
  readonly onDidChange: vscode.Event<RoleHome | undefined>;
}

/** What the tree needs to show each role's hook files (kept narrow, like the session lookup). */
export interface HooksLookup {
  roleHooks(home: RoleHome): RoleHooks | undefined;
  readonly onDidChange: vscode.Event<void>;
}

const HOOK_TEXT: Record<HookState, string> = {
  installed: 'installed',
  outdated: 'outdated (differs from what an install writes now)',
  missing: 'missing',
  blocked: 'left alone',
};

/** Icon and colour per role, so a role is recognisable at a glance in the tree and the terminal tabs. */
export const ROLE_STYLE: Record<RoleKind, { icon: string; color: string }> = {
  mayor: { icon: 'star-full', color: 'charts.yellow' },
  deacon: { icon: 'shield', color: 'charts.purple' },
  boot: { icon: 'debug-start', color: 'charts.purple' },
  dog: { icon: 'gear', color: 'charts.purple' },
  witness: { icon: 'eye', color: 'charts.blue' },
  refinery: { icon: 'git-merge', color: 'charts.orange' },
  crew: { icon: 'person', color: 'charts.green' },
  polecat: { icon: 'rocket', color: 'charts.red' },
};

function roleLabelShort(role: RoleHome): string {
  return role.kind === 'crew' || role.kind === 'polecat' ? (role.name ?? role.kind) : role.kind;
}

/** Town → rigs → roles, read from disk by the TownStore. */
export class TownTreeProvider extends Disposable implements vscode.TreeDataProvider<TownNode> {
  private readonly changed = this.register(new vscode.EventEmitter<TownNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly store: TownStore,
    private readonly sessions: SessionLookup,
    private readonly status: TownModels,
    private readonly hooks?: HooksLookup,
  ) {
    super();
    if (hooks) {
      this.register(hooks.onDidChange(() => this.changed.fire(undefined)));
    }
    this.register(store.onDidChange(() => this.changed.fire(undefined)));
    this.register(sessions.onDidChange(() => this.changed.fire(undefined)));
    // gt's status changes state often (loading, fast, full); redraw only when what the tree shows changed, since
    // a redraw under the user's click can cost the clicked row its command argument.
    this.register(
      status.onDidChange((root) => {
        const st = status.statusState(root);
        const error = st.kind === 'error' ? st.error.message : st.kind === 'ok' ? (st.value.fullError ?? '') : '';
        const shown = JSON.stringify([error, status.agents(root).map((a) => [a.session, a.address, a.running, a.state, a.hook_bead, a.work_title, a.unread_mail, a.agent_info])]);
        if (this.lastShown.get(root) !== shown) {
          this.lastShown.set(root, shown);
          this.changed.fire(undefined);
        }
      }),
    );
  }

  private runtime(town: TownEntry, role: RoleHome): AgentRuntime | undefined {
    return this.status.agent(town.location.root, tmuxSessionName(role, rigPrefix(town.layout, role.rig)), mailAddress(role));
  }

  /** The agent of a role, when one runs (in a terminal of ours, or in gt's tmux). */
  private agentNode(town: TownEntry, role: RoleHome): TownNode | undefined {
    const session = this.sessions.get(role);
    const runtime = this.runtime(town, role);
    if (session && isRunning(session.state)) {
      return { type: 'agent', town, role, session, runtime };
    }
    // An ended session of ours must not hide the agent gt runs in tmux for the same role.
    if (runtime?.running) {
      return { type: 'agent', town, role, session: session?.host === 'tmux' ? session : undefined, runtime };
    }
    if (session && session.state.kind !== 'stopped') {
      return { type: 'agent', town, role, session, runtime };
    }
    return undefined;
  }

  /** Stable ids need a way back up the tree, so `reveal` works. */
  getParent(node: TownNode): TownNode | undefined {
    switch (node.type) {
      case 'town':
        return undefined;
      case 'rig':
        return { type: 'town', town: node.town };
      case 'group':
        return { type: 'rig', town: node.town, rig: node.rig };
      case 'role': {
        const rig = node.town.layout.rigs.find((r) => r.name === node.role.rig);
        if (!rig) {
          return { type: 'town', town: node.town };
        }
        if (node.role.kind === 'crew' || node.role.kind === 'polecat') {
          const kind = node.role.kind;
          return { type: 'group', town: node.town, rig, kind, roles: rig.roles.filter((r) => r.kind === kind) };
        }
        return { type: 'rig', town: node.town, rig };
      }
      case 'agent':
        return { type: 'role', town: node.town, role: node.role };
    }
  }

  private withAgent = new Set<string>();
  private readonly lastShown = new Map<string, string>();

  /**
   * Agents that appeared since the last call. Ids are stable, so VS Code keeps a role row collapsed when it
   * gains an agent; the view reveals these to open their role.
   */
  newAgents(): TownNode[] {
    const now = new Map<string, TownNode>();
    for (const town of this.store.towns) {
      for (const role of [...town.layout.townRoles, ...town.layout.rigs.flatMap((r) => r.roles)]) {
        const agent = this.agentNode(town, role);
        if (agent) {
          now.set(role.dir, agent);
        }
      }
    }
    const fresh = [...now].filter(([dir]) => !this.withAgent.has(dir)).map(([, n]) => n);
    this.withAgent = new Set(now.keys());
    return fresh;
  }

  /** For `npm run bench`: when VS Code first asked for the tree's rows. */
  firstRowsAt: number | undefined;

  getChildren(node?: TownNode): TownNode[] {
    if (!node) {
      this.firstRowsAt ??= this.store.towns.length > 0 ? performance.now() : undefined;
      return this.store.towns.map((town) => ({ type: 'town', town }));
    }
    switch (node.type) {
      case 'town':
        return [
          ...node.town.layout.townRoles.map((role): TownNode => ({ type: 'role', town: node.town, role })),
          ...node.town.layout.rigs.map((rig): TownNode => ({ type: 'rig', town: node.town, rig })),
        ];
      case 'rig': {
        const singles = node.rig.roles.filter((r) => r.kind === 'witness' || r.kind === 'refinery');
        const out: TownNode[] = singles.map((role) => ({ type: 'role', town: node.town, role }));
        for (const kind of ['crew', 'polecat'] as const) {
          const roles = node.rig.roles.filter((r) => r.kind === kind);
          out.push({ type: 'group', town: node.town, rig: node.rig, kind, roles });
        }
        return out;
      }
      case 'group':
        return node.roles.map((role) => ({ type: 'role', town: node.town, role }));
      case 'role': {
        const agent = this.agentNode(node.town, node.role);
        return agent ? [agent] : [];
      }
      case 'agent':
        return [];
    }
  }

  getTreeItem(node: TownNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.type) {
      case 'town': {
        const item = new vscode.TreeItem(node.town.layout.name, C.Expanded);
        item.id = `town:${node.town.location.root}`;
        item.description = node.town.location.root;
        item.iconPath = new vscode.ThemeIcon('home');
        item.contextValue = 'town';
        item.tooltip = `Town ${node.town.layout.name}\n${node.town.location.root}\nfound by ${node.town.location.foundBy}`;
        const state = this.status.statusState(node.town.location.root);
        const error = state.kind === 'error' ? state.error.message : state.kind === 'ok' ? state.value.fullError : undefined;
        if (error) {
          // An error replaces the figures it makes stale; the roles below are still read from disk.
          item.description = `gt status failed · ${node.town.location.root}`;
          item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
          item.tooltip += `\n\ngt status failed: ${error}`;
        }
        return item;
      }
      case 'rig': {
        const item = new vscode.TreeItem(node.rig.name, C.Expanded);
        item.id = `rig:${node.town.location.root}:${node.rig.name}`;
        item.description = `${node.rig.prefix}-`;
        item.iconPath = new vscode.ThemeIcon('repo');
        item.contextValue = 'rig';
        item.tooltip = `Rig ${node.rig.name} (beads prefix ${node.rig.prefix}-)\n${node.rig.dir}`;
        return item;
      }
      case 'group': {
        const label = node.kind === 'crew' ? 'crew' : 'polecats';
        const item = new vscode.TreeItem(label, node.roles.length > 0 ? C.Expanded : C.None);
        item.id = `group:${node.town.location.root}:${node.rig.name}:${node.kind}`;
        item.description = node.roles.length === 0 ? 'none' : String(node.roles.length);
        const style = ROLE_STYLE[node.kind];
        item.iconPath = new vscode.ThemeIcon(style.icon, new vscode.ThemeColor(style.color));
        item.contextValue = `group:${node.kind}`;
        return item;
      }
      case 'role': {
        const style = ROLE_STYLE[node.role.kind];
        const agent = this.agentNode(node.town, node.role);
        const item = new vscode.TreeItem(roleLabelShort(node.role), agent ? C.Expanded : C.None);
        item.id = `role:${node.role.dir}`;
        const hooks = this.hooks?.roleHooks(node.role);
        const hookNote = hooks && hooks.state !== 'installed' ? `hooks ${hooks.state}` : undefined;
        item.description = [agent ? undefined : 'stopped', hookNote].filter((p) => p !== undefined).join(' · ') || undefined;
        item.iconPath = new vscode.ThemeIcon(style.icon, new vscode.ThemeColor(style.color));
        const inTmux = agent?.type === 'agent' && ((agent.session?.host === 'tmux' && isRunning(agent.session.state)) || agent.runtime?.running === true);
        const sling = slingableNow(node.role.kind, inTmux) ? 'sling' : 'nosling';
        item.contextValue = `role:${node.role.kind}:${agent ? 'active' : 'idle'}:${sling}:hooks-${hooks?.state ?? 'unknown'}`;
        const md = new vscode.MarkdownString(undefined, true);
        md.appendText(`${gtRole(node.role)}\n${node.role.dir}\n`);
        if (hooks) {
          md.appendMarkdown(`\n\n**Self-priming (${hooks.agent}):**\n`);
          for (const f of hooks.files) {
            md.appendMarkdown(`\n- `);
            md.appendText(`${f.file.path}: ${HOOK_TEXT[f.state]}${f.reason ? ` — ${f.reason}` : ''}`);
          }
        }
        item.tooltip = md;
        return item;
      }
      case 'agent':
        return this.agentItem(node);
    }
  }

  private agentItem(node: Extract<TownNode, { type: 'agent' }>): vscode.TreeItem {
    const { session, runtime } = node;
    const host = session?.host ?? 'tmux';
    const state = session ? session.state : ({ kind: 'detached' } as const);
    const agentName = session?.plan.resolved.name ?? (typeof runtime?.agent_info === 'string' ? runtime.agent_info : undefined) ?? 'agent';
    const item = new vscode.TreeItem(agentName, vscode.TreeItemCollapsibleState.None);
    item.id = `agent:${node.role.dir}`;
    const parts = [host, stateLabel(state)];
    if (runtime?.hook_bead) {
      parts.push(`hook ${runtime.hook_bead}`);
    }
    if (runtime?.unread_mail) {
      parts.push(`${runtime.unread_mail} unread`);
    }
    item.description = parts.join(' · ');
    const icon =
      state.kind === 'ready' ? 'pass-filled' : state.kind === 'busy' ? 'loading~spin' : state.kind === 'starting' ? 'sync~spin' : state.kind === 'exited' ? (isFailedExit(state) ? 'error' : 'circle-slash') : state.kind === 'detached' ? 'debug-disconnect' : 'circle-outline';
    const color = state.kind === 'ready' ? 'testing.iconPassed' : isFailedExit(state) ? 'testing.iconFailed' : 'foreground';
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    const attached = session?.terminal ? 'attached' : 'detached';
    item.contextValue = `agent:${host}:${isRunning(state) ? 'running' : 'ended'}:${attached}`;
    const md = new vscode.MarkdownString(undefined, true);
    // gt's agent_info and work_title come from beads and settings: text, never Markdown, links or icons.
    const esc = (t: string): string => escapeMarkdown(t, { themeIcons: true });
    md.appendMarkdown(`**${esc(gtRole(node.role))}** runs **${esc(agentName)}** (${host})\n\n`);
    md.appendMarkdown(`State: ${esc(stateLabel(state))}\n\n`);
    if (runtime?.hook_bead) {
      md.appendMarkdown(`Hooked: ${esc(runtime.hook_bead)} ${esc(runtime.work_title ?? '')}\n\n`);
    }
    md.appendMarkdown(`Unread mail: ${runtime?.unread_mail ?? 0}`);
    item.tooltip = md;
    if (session?.terminal) {
      item.command = { command: 'gastown.showAgentTerminal', title: 'Show Terminal', arguments: [node] };
    }
    return item;
  }
}

