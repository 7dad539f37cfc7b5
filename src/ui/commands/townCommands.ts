import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TownEntry, TownStore } from '../../model/townStore';
import { planAgent } from '../../town/agentPlan';
import { roleDocPath } from './docPaths';
import { renderPlanReport } from '../../town/planReport';
import { RoleHome, gtRole, mailAddress } from '../../town/roles';
import { agentsJsonPath, townSettingsPath } from '../../town/settingsFiles';
import { allRoles, pickRole } from '../pickRole';
import type { ReadonlyDocs } from '../readonlyDocs';

export interface CommandContext {
  store: TownStore;
  docs: ReadonlyDocs;
  log: vscode.LogOutputChannel;
  /** Re-runs discovery (after the setting or the folders changed). */
  rediscover(): void;
  /** The files a role's agent reads to prime itself, and their state. */
  roleHooks?(home: RoleHome): { files: Array<{ file: { path: string }; state: string; reason?: string }> } | undefined;
}

/** The active town, or a message saying how to point the extension at one. */
export function requireTown(ctx: CommandContext): TownEntry | undefined {
  const town = ctx.store.active;
  if (!town) {
    void vscode.window.showWarningMessage('No Gas Town found in this workspace. Open a town folder (one with mayor/town.json) or set "gastown.townRoot".', 'Select Town').then((pick) => {
      if (pick) {
        void vscode.commands.executeCommand('gastown.selectTown');
      }
    });
  }
  return town;
}

export async function selectTown(ctx: CommandContext): Promise<void> {
  type Item = vscode.QuickPickItem & { root?: string };
  const items: Item[] = ctx.store.towns.map((t) => ({ label: t.layout.name, description: t.location.root, detail: `found by ${t.location.foundBy}`, root: t.location.root }));
  items.push({ label: '$(folder-opened) Browse for a town folder…' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Gas Town: Select Town' });
  if (!pick) {
    return;
  }
  if (pick.root) {
    ctx.store.setActive(pick.root);
    return;
  }
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Use as town' });
  const folder = chosen?.[0]?.fsPath;
  if (!folder) {
    return;
  }
  if (!fs.existsSync(path.join(folder, 'mayor'))) {
    void vscode.window.showWarningMessage(`${folder} has no mayor/ folder, so it is not a Gas Town root. Create one with \`gt install ${folder}\`.`);
    return;
  }
  await vscode.workspace.getConfiguration('gastown').update('townRoot', folder, vscode.ConfigurationTarget.Global);
  ctx.rediscover();
  ctx.store.setActive(folder);
}

/** Opens a JSON settings file; a missing one is created (after asking) with the smallest content gt accepts. */
async function openOrCreate(file: string, seed: object): Promise<void> {
  if (!fs.existsSync(file)) {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(`${file} does not exist, and Gas Town writes no file in an untrusted workspace.`);
      return;
    }
    const create = 'Create';
    const pick = await vscode.window.showInformationMessage(`${file} does not exist yet.`, { modal: true }, create);
    if (pick !== create) {
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // 'wx' never replaces a file that appeared meanwhile.
    fs.writeFileSync(file, JSON.stringify(seed, null, 2) + '\n', { flag: 'wx' });
  }
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)));
}

export async function openTownSettings(ctx: CommandContext): Promise<void> {
  const town = requireTown(ctx);
  if (town) {
    await openOrCreate(townSettingsPath(town.location.root), { type: 'town-settings', version: 1 });
  }
}

export async function openAgentRegistry(ctx: CommandContext): Promise<void> {
  const town = requireTown(ctx);
  if (!town) {
    return;
  }
  type Item = vscode.QuickPickItem & { file: string };
  const items: Item[] = [
    { label: 'Town agent registry', description: 'settings/agents.json', file: agentsJsonPath(town.location.root) },
    ...town.layout.rigs.map((r) => ({ label: `Rig ${r.name} agent registry`, description: `${r.name}/settings/agents.json`, file: agentsJsonPath(r.dir) })),
  ];
  const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Gas Town: Open Agent Registry' });
  if (pick) {
    await openOrCreate(pick.file, { version: 1, agents: {} });
  }
}

/** A role given by a tree item (`{ role }`) or a role home path; else the user picks one. */
export function roleFromArg(town: TownEntry, arg: unknown): RoleHome | undefined {
  if (typeof arg === 'object' && arg !== null && 'role' in arg) {
    return (arg as { role: RoleHome }).role;
  }
  if (typeof arg === 'string') {
    // A folder, gt's role (`demo/crew/alice`), or a mail address (`demo/alice`, `mayor/`) as events name agents.
    const name = arg.replace(/\/$/, '');
    return allRoles(town).find((r) => r.dir === arg || gtRole(r) === name || mailAddress(r).replace(/\/$/, '') === name);
  }
  return undefined;
}

export async function showResolvedAgent(ctx: CommandContext, arg?: unknown): Promise<void> {
  const town = requireTown(ctx);
  if (!town) {
    return;
  }
  const role = roleFromArg(town, arg) ?? (await pickRole(town, 'Gas Town: Show Resolved Agent for Role'));
  if (!role) {
    return;
  }
  const plan = planAgent(role, { builtins: ctx.store.builtins.presets, prefix: ctx.store.prefixOf(role) });
  ctx.log.info(`resolved ${gtRole(role)} → ${plan.resolved.name} (${plan.resolved.step})`);
  const hooks = ctx.roleHooks?.(role)?.files.map((f) => ({ path: f.file.path, state: f.state, reason: f.reason }));
  await ctx.docs.open(roleDocPath('agent', role, 'md'), renderPlanReport(plan, hooks));
}
