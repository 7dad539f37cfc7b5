import * as vscode from 'vscode';
import type { TownEntry } from '../model/townStore';
import { gtRole, RoleHome } from '../town/roles';

interface RoleItem extends vscode.QuickPickItem {
  role: RoleHome;
}

/** Every role home of a town, town roles first, then each rig's. */
export function allRoles(town: TownEntry): RoleHome[] {
  return [...town.layout.townRoles, ...town.layout.rigs.flatMap((r) => r.roles)];
}

export async function pickRole(town: TownEntry, title: string): Promise<RoleHome | undefined> {
  const items: RoleItem[] = allRoles(town).map((role) => ({
    label: gtRole(role),
    description: role.kind,
    detail: role.dir,
    role,
  }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`Town ${town.layout.name} has no role homes yet. Add a rig with \`gt rig add\` and a crew member with \`gt crew add\`.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick a role', matchOnDescription: true, matchOnDetail: true });
  return pick?.role;
}
