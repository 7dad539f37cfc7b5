import * as vscode from 'vscode';
import { Disposable } from '../../common/lifecycle';
import type { TownEntry, TownStore } from '../../model/townStore';
import type { RigLayout } from '../../town/layout';
import { gtRole, RoleHome, RoleKind } from '../../town/roles';

export type TownNode =
  | { type: 'town'; town: TownEntry }
  | { type: 'rig'; town: TownEntry; rig: RigLayout }
  | { type: 'group'; town: TownEntry; rig: RigLayout; kind: 'crew' | 'polecat'; roles: RoleHome[] }
  | { type: 'role'; town: TownEntry; role: RoleHome };

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

  constructor(private readonly store: TownStore) {
    super();
    this.register(store.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(node?: TownNode): TownNode[] {
    if (!node) {
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
      case 'role':
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
        const item = new vscode.TreeItem(roleLabelShort(node.role), C.None);
        item.id = `role:${node.role.dir}`;
        item.description = node.role.kind === 'crew' || node.role.kind === 'polecat' ? node.role.kind : undefined;
        item.iconPath = new vscode.ThemeIcon(style.icon, new vscode.ThemeColor(style.color));
        item.contextValue = `role:${node.role.kind}`;
        item.tooltip = `${gtRole(node.role)}\n${node.role.dir}`;
        return item;
      }
    }
  }
}
