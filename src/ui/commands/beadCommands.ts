import * as vscode from 'vscode';
import type { BdClient } from '../../cli/bdClient';
import type { BeadSummary } from '../../cli/beadSchemas';
import { CliError } from '../../cli/runner';
import type { BeadsDatabase } from '../../model/beadsModel';
import { applyFilter, GROUP_BYS, GroupBy, isClosed, isInfrastructure, labelsOf } from '../../model/beadsQuery';
import type { BeadDetailsPanels, BeadRef } from '../beadDetails';
import type { BeadsView } from '../beadsView';
import { COMMANDS } from '../ids';
import type { BeadsNode } from '../views/beadsTree';

export interface BeadCommandContext {
  beads: BeadsView;
  bd: BdClient;
  details: () => BeadDetailsPanels;
  log: vscode.LogOutputChannel;
  trusted: () => boolean;
}

/** A bead an action applies to: its database and id. */
interface Target {
  db: BeadsDatabase;
  id: string;
  bead?: BeadSummary;
}

const STATUSES = ['open', 'in_progress', 'blocked', 'deferred', 'closed'];
const TYPES = ['task', 'bug', 'feature', 'epic', 'chore'];
const PRIORITIES = [
  { label: 'P0', description: 'critical' },
  { label: 'P1', description: 'high' },
  { label: 'P2', description: 'medium' },
  { label: 'P3', description: 'low' },
  { label: 'P4', description: 'backlog' },
];

function isRef(x: unknown): x is BeadRef {
  return typeof x === 'object' && x !== null && typeof (x as BeadRef).cwd === 'string' && typeof (x as BeadRef).id === 'string';
}

/** The beads an invocation means: the selection (multi-select), the clicked item, a ref from the details tab, or a pick. */
async function targets(ctx: BeadCommandContext, arg: unknown, selected: unknown, title: string, many = false): Promise<Target[]> {
  const fromNode = (n: unknown): Target | undefined => {
    const node = n as BeadsNode | undefined;
    if (node?.type === 'bead') return { db: node.db, id: node.bead.id, bead: node.bead };
    if (node?.type === 'group' && node.group.epic) return { db: node.db, id: node.group.epic.id, bead: node.group.epic };
    if (isRef(n)) {
      const db = ctx.beads.databaseOf(n.cwd);
      return db ? { db, id: n.id, bead: db.resource.value?.byId.get(n.id) } : undefined;
    }
    if (typeof n === 'string') {
      const db = ctx.beads.databaseForId(n);
      return db ? { db, id: n, bead: db.resource.value?.byId.get(n) } : undefined;
    }
    return undefined;
  };
  if (many && Array.isArray(selected) && selected.length > 0) {
    const list = selected.map(fromNode).filter((t): t is Target => !!t);
    if (list.length > 0) return list;
  }
  const one = fromNode(arg);
  if (one) return [one];
  const picked = await pickBead(ctx, title);
  return picked ? [picked] : [];
}

/** A QuickPick over every work bead of every database: id, title, and where it lives. */
async function pickBead(ctx: BeadCommandContext, title: string, within?: BeadsDatabase, exclude?: string): Promise<Target | undefined> {
  type Item = vscode.QuickPickItem & { target: Target };
  const dbs = within ? [within] : [...ctx.beads.all];
  await Promise.all(dbs.filter((d) => d.resource.state.kind !== 'ok').map((d) => d.resource.refresh()));
  const items: Item[] = dbs.flatMap((db) =>
    applyFilter(db.resource.value?.beads ?? [], { showClosed: true })
      .filter((b) => b.id !== exclude)
      .map((b) => ({ label: b.id, description: b.title ?? '', detail: [db.db.name, b.status, `P${b.priority ?? '?'}`, b.assignee].filter((s) => s).join(' · '), target: { db, id: b.id, bead: b } })),
  );
  const pick = await vscode.window.showQuickPick(items, { title: `Gas Town: ${title}`, matchOnDescription: true, placeHolder: 'Type an id or words of the title' });
  return pick?.target;
}

/** Runs a bd write; a refusal shows bd's own words. Refreshes the database and open tabs at once. */
async function write(ctx: BeadCommandContext, dbs: BeadsDatabase[], what: string, fn: () => Promise<unknown>, refs: Target[] = []): Promise<boolean> {
  try {
    await fn();
  } catch (err) {
    const detail = err instanceof CliError ? (err.stderr.trim() || err.message) : (err as Error).message;
    ctx.log.warn(`${what} failed: ${detail}`);
    void vscode.window.showErrorMessage(`Gas Town: ${what} failed. bd said: ${detail}`);
    return false;
  } finally {
    await Promise.all([...new Set(dbs.map((d) => d.db.cwd))].map((cwd) => ctx.beads.refreshAfterWrite(cwd)));
    await Promise.all(refs.map((t) => ctx.details().reload({ cwd: t.db.db.cwd, id: t.id })));
  }
  return true;
}

function refuseUntrusted(ctx: BeadCommandContext): boolean {
  if (!ctx.trusted()) {
    void vscode.window.showWarningMessage('Gas Town: this workspace is not trusted, so bd is not run. Trust the workspace to change beads.');
    return true;
  }
  return false;
}

function byDb(list: Target[]): Map<BeadsDatabase, string[]> {
  const m = new Map<BeadsDatabase, string[]>();
  for (const t of list) m.set(t.db, [...(m.get(t.db) ?? []), t.id]);
  return m;
}

const ids = (list: Target[]): string => (list.length === 1 ? list[0].id : `${list.length} beads`);

export async function openBead(ctx: BeadCommandContext, arg?: unknown): Promise<void> {
  const [t] = await targets(ctx, arg, undefined, 'Open bead');
  if (t) await ctx.details().open(t.db, t.id);
}

export async function revealBead(ctx: BeadCommandContext, arg?: unknown): Promise<void> {
  const [t] = await targets(ctx, arg, undefined, 'Reveal bead');
  if (!t) return;
  if (t.db.resource.state.kind !== 'ok') await t.db.resource.refresh();
  let node = ctx.beads.tree.findBead(t.id);
  if (!node) {
    // Hidden by the filter: say so rather than fail silently.
    const clear = 'Clear filter';
    if ((await vscode.window.showInformationMessage(`Gas Town: ${t.id} is hidden by the Beads view's filter.`, clear)) !== clear) return;
    ctx.beads.tree.filter = { showClosed: isClosed(t.bead ?? { id: t.id }) };
    ctx.beads.filterChanged();
    node = ctx.beads.tree.findBead(t.id);
  }
  if (node) await ctx.beads.view.reveal(node, { select: true, focus: true, expand: true });
}

export async function createBead(ctx: BeadCommandContext, arg?: unknown, given?: Partial<{ db: string; title: string; type: string; priority: number; parent: string; labels: string[]; description: string }>): Promise<string | undefined> {
  if (refuseUntrusted(ctx)) return undefined;
  const node = arg as BeadsNode | undefined;
  let db = given?.db ? ctx.beads.databaseOf(given.db) : node && 'db' in node ? node.db : undefined;
  if (!db) {
    const dbs = ctx.beads.all;
    db = dbs.length === 1 ? dbs[0] : (await vscode.window.showQuickPick(dbs.map((d) => ({ label: d.db.name, description: d.db.cwd, d })), { title: 'Gas Town: New Bead — which database?' }))?.d;
  }
  if (!db) return undefined;
  const title = given?.title ?? (await vscode.window.showInputBox({ title: 'New Bead (1/6): title', validateInput: (v) => (v.trim() ? undefined : 'A title is needed') }));
  if (!title?.trim()) return undefined;
  const type = given?.type ?? (await vscode.window.showQuickPick(TYPES, { title: 'New Bead (2/6): type' }));
  if (!type) return undefined;
  const priority = given?.priority ?? Number((await vscode.window.showQuickPick(PRIORITIES, { title: 'New Bead (3/6): priority' }))?.label.slice(1) ?? NaN);
  if (Number.isNaN(priority)) return undefined;
  let parent = given?.parent;
  if (parent === undefined) {
    const epics = (db.resource.value?.beads ?? []).filter((b) => b.issue_type === 'epic' && !isClosed(b) && !isInfrastructure(b));
    const pick = await vscode.window.showQuickPick([{ label: 'No parent', id: '' }, ...epics.map((e) => ({ label: e.id, description: e.title ?? '', id: e.id }))], { title: 'New Bead (4/6): parent epic' });
    if (!pick) return undefined;
    parent = pick.id;
  }
  const labels = given?.labels ?? (await vscode.window.showInputBox({ title: 'New Bead (5/6): labels, comma-separated (optional)' }))?.split(',').map((l) => l.trim()).filter((l) => l);
  if (labels === undefined) return undefined;
  const description = given?.description ?? (await vscode.window.showInputBox({ title: 'New Bead (6/6): description (optional, Markdown)' }));
  if (description === undefined) return undefined;
  let id: string | undefined;
  const target = db;
  const ok = await write(ctx, [db], 'bd create', async () => {
    id = await ctx.bd.create(target.db, { title: title.trim(), type, priority, parent: parent || undefined, labels, description: description || undefined });
  });
  if (ok && id) {
    await revealBead(ctx, { cwd: db.db.cwd, id });
  }
  return id;
}

export async function setStatus(ctx: BeadCommandContext, arg?: unknown, selected?: unknown, status?: string): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const list = await targets(ctx, arg, selected, 'Set status', true);
  if (list.length === 0) return;
  const value = status ?? (await vscode.window.showQuickPick(STATUSES, { title: `Status of ${ids(list)}` }));
  if (!value) return;
  if (value === 'closed') {
    await closeBeads(ctx, arg, selected);
    return;
  }
  for (const [db, idList] of byDb(list)) {
    await write(ctx, [db], `bd update --status ${value}`, () => ctx.bd.update(db.db, idList, { status: value }), list);
  }
}

export async function setPriority(ctx: BeadCommandContext, arg?: unknown, selected?: unknown, priority?: number): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const list = await targets(ctx, arg, selected, 'Set priority', true);
  if (list.length === 0) return;
  const value = priority ?? Number((await vscode.window.showQuickPick(PRIORITIES, { title: `Priority of ${ids(list)}` }))?.label.slice(1) ?? NaN);
  if (Number.isNaN(value)) return;
  for (const [db, idList] of byDb(list)) {
    await write(ctx, [db], 'bd update --priority', () => ctx.bd.update(db.db, idList, { priority: value }), list);
  }
}

export async function setAssignee(ctx: BeadCommandContext, arg?: unknown, selected?: unknown, assignee?: string): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const list = await targets(ctx, arg, selected, 'Set assignee', true);
  if (list.length === 0) return;
  let value = assignee;
  if (value === undefined) {
    const known = [...new Set(list.flatMap((t) => (t.db.resource.value?.beads ?? []).map((b) => b.assignee ?? '')).filter((a) => a))].sort();
    const items = [{ label: ctx.beads.me, description: 'me' }, ...known.filter((k) => k !== ctx.beads.me).map((k) => ({ label: k, description: '' })), { label: 'Unassign', description: 'clear the assignee' }, { label: 'Other…', description: 'type a name' }];
    const pick = await vscode.window.showQuickPick(items, { title: `Assignee of ${ids(list)}` });
    if (!pick) return;
    value = pick.label === 'Unassign' ? '' : pick.label === 'Other…' ? await vscode.window.showInputBox({ title: 'Assignee' }) : pick.label;
  }
  if (value === undefined) return;
  const v = value;
  for (const [db, idList] of byDb(list)) {
    await write(ctx, [db], 'bd update --assignee', () => ctx.bd.update(db.db, idList, { assignee: v }), list);
  }
}

export async function editLabels(ctx: BeadCommandContext, arg?: unknown, given?: { add?: string[]; remove?: string[] }): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const [t] = await targets(ctx, arg, undefined, 'Edit labels');
  if (!t) return;
  const current = new Set(t.bead?.labels ?? (await ctx.bd.show(t.db.db, t.id))?.labels ?? []);
  let add = given?.add ?? [];
  let remove = given?.remove ?? [];
  if (!given) {
    const all = [...new Set([...labelsOf(t.db.resource.value?.beads ?? []), ...current])].sort();
    const picks = await vscode.window.showQuickPick(
      [...all.map((l) => ({ label: l, picked: current.has(l) })), { label: '$(add) New label…', picked: false }],
      { title: `Labels of ${t.id}`, canPickMany: true },
    );
    if (!picks) return;
    const chosen = new Set(picks.map((p) => p.label).filter((l) => !l.startsWith('$(add)')));
    if (picks.some((p) => p.label.startsWith('$(add)'))) {
      const fresh = await vscode.window.showInputBox({ title: 'New label(s), comma-separated' });
      fresh?.split(',').map((l) => l.trim()).filter((l) => l).forEach((l) => chosen.add(l));
    }
    add = [...chosen].filter((l) => !current.has(l));
    remove = [...current].filter((l) => !chosen.has(l));
  }
  await write(
    ctx,
    [t.db],
    'bd label',
    async () => {
      for (const l of add) await ctx.bd.label(t.db.db, 'add', t.id, l);
      for (const l of remove) await ctx.bd.label(t.db.db, 'remove', t.id, l);
    },
    [t],
  );
}

export async function claimBead(ctx: BeadCommandContext, arg?: unknown): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const [t] = await targets(ctx, arg, undefined, 'Claim');
  if (t) await write(ctx, [t.db], 'bd update --claim', () => ctx.bd.update(t.db.db, [t.id], { claim: true }), [t]);
}

export async function closeBeads(ctx: BeadCommandContext, arg?: unknown, selected?: unknown, given?: { reason: string; confirmed?: boolean }): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const list = await targets(ctx, arg, selected, 'Close', true);
  if (list.length === 0) return;
  const reason = given?.reason ?? (await vscode.window.showInputBox({ title: `Close ${ids(list)}: reason`, prompt: 'Why it is done (stored as the close reason)' }));
  if (reason === undefined) return;
  if (!given?.confirmed) {
    const yes = `Close ${ids(list)}`;
    if ((await vscode.window.showWarningMessage(`Close ${list.map((t) => t.id).join(', ')}?`, { modal: true }, yes)) !== yes) return;
  }
  for (const [db, idList] of byDb(list)) {
    await write(ctx, [db], 'bd close', () => ctx.bd.close(db.db, idList, reason || undefined), list);
  }
}

export async function reopenBeads(ctx: BeadCommandContext, arg?: unknown, selected?: unknown): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const list = await targets(ctx, arg, selected, 'Reopen', true);
  for (const [db, idList] of byDb(list)) {
    await write(ctx, [db], 'bd reopen', () => ctx.bd.reopen(db.db, idList), list);
  }
}

export async function commentBead(ctx: BeadCommandContext, arg?: unknown, text?: string): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const [t] = await targets(ctx, arg, undefined, 'Comment');
  if (!t) return;
  const body = text ?? (await vscode.window.showInputBox({ title: `Comment on ${t.id}`, prompt: 'Markdown; stored as typed' }));
  if (!body?.trim()) return;
  await write(ctx, [t.db], 'bd comments add', () => ctx.bd.comment(t.db.db, t.id, body), [t]);
}

export async function addDependency(ctx: BeadCommandContext, arg?: unknown, dependsOn?: string): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const [t] = await targets(ctx, arg, undefined, 'Add dependency');
  if (!t) return;
  const other = dependsOn ?? (await pickBead(ctx, `${t.id} depends on (is blocked by)…`, t.db, t.id))?.id;
  if (!other) return;
  await write(ctx, [t.db], 'bd dep add', () => ctx.bd.dependency(t.db.db, 'add', t.id, other), [t]);
}

export async function removeDependency(ctx: BeadCommandContext, arg?: unknown, dependsOn?: string): Promise<void> {
  if (refuseUntrusted(ctx)) return;
  const [t] = await targets(ctx, arg, undefined, 'Remove dependency');
  if (!t) return;
  let other = dependsOn;
  if (!other) {
    const deps = (await ctx.bd.show(t.db.db, t.id))?.dependencies ?? [];
    if (deps.length === 0) {
      void vscode.window.showInformationMessage(`Gas Town: ${t.id} depends on nothing.`);
      return;
    }
    other = (await vscode.window.showQuickPick(deps.map((d) => ({ label: d.id, description: d.title ?? '', detail: d.dependency_type ?? '' })), { title: `Remove a dependency of ${t.id}` }))?.label;
  }
  if (!other) return;
  const o = other;
  await write(ctx, [t.db], 'bd dep remove', () => ctx.bd.dependency(t.db.db, 'remove', t.id, o), [t]);
}

export async function copyId(ctx: BeadCommandContext, arg?: unknown, selected?: unknown): Promise<void> {
  const list = await targets(ctx, arg, selected, 'Copy ID', true);
  if (list.length > 0) await vscode.env.clipboard.writeText(list.map((t) => t.id).join(' '));
}

export async function slingBead(ctx: BeadCommandContext, arg?: unknown): Promise<void> {
  const [t] = await targets(ctx, arg, undefined, 'Sling');
  if (t) await vscode.commands.executeCommand(COMMANDS.slingWork, undefined, { bead: t.id });
}

export async function chooseGrouping(ctx: BeadCommandContext, by?: GroupBy): Promise<void> {
  const labels: Record<GroupBy, string> = { epic: 'Epic → children, then status', status: 'Status', type: 'Type', priority: 'Priority', assignee: 'Assignee' };
  const value = by ?? (await vscode.window.showQuickPick(GROUP_BYS.map((g) => ({ label: labels[g], g, picked: g === ctx.beads.tree.groupBy })), { title: 'Group beads by' }))?.g;
  if (value) {
    ctx.beads.tree.groupBy = value;
    ctx.beads.filterChanged();
  }
}

type FilterKey = 'ready' | 'blocked' | 'mine' | 'label' | 'text' | 'closed';

export async function chooseFilter(ctx: BeadCommandContext, given?: Partial<Record<FilterKey, string | boolean>>): Promise<void> {
  const f = { ...ctx.beads.tree.filter };
  if (given) {
    if ('ready' in given) f.ready = !!given.ready;
    if ('blocked' in given) f.blocked = !!given.blocked;
    if ('mine' in given) f.assignee = given.mine ? ctx.beads.me : undefined;
    if ('label' in given) f.label = (given.label as string) || undefined;
    if ('text' in given) f.text = (given.text as string) || undefined;
    if ('closed' in given) f.showClosed = !!given.closed;
  } else {
    const items: (vscode.QuickPickItem & { key: FilterKey })[] = [
      { key: 'ready', label: 'Ready work', description: 'what bd ready lists: open, nothing blocking', picked: !!f.ready },
      { key: 'blocked', label: 'Blocked', description: 'what bd blocked lists', picked: !!f.blocked },
      { key: 'mine', label: 'Assigned to me', description: ctx.beads.me, picked: !!f.assignee },
      { key: 'label', label: 'With label…', description: f.label ?? '', picked: !!f.label },
      { key: 'text', label: 'Matching text…', description: f.text ?? '', picked: !!f.text },
      { key: 'closed', label: 'Show closed', picked: !!f.showClosed },
    ];
    const picks = await vscode.window.showQuickPick(items, { title: 'Filter beads', canPickMany: true });
    if (!picks) return;
    const on = new Set(picks.map((p) => p.key));
    f.ready = on.has('ready');
    f.blocked = on.has('blocked');
    f.assignee = on.has('mine') ? ctx.beads.me : undefined;
    f.showClosed = on.has('closed');
    if (on.has('label')) {
      const all = [...new Set(ctx.beads.all.flatMap((d) => labelsOf(d.resource.value?.beads ?? [])))].sort();
      f.label = (await vscode.window.showQuickPick(all, { title: 'Only beads with the label' })) ?? f.label;
    } else {
      f.label = undefined;
    }
    if (on.has('text')) {
      f.text = (await vscode.window.showInputBox({ title: 'Only beads whose id or title contains', value: f.text })) || undefined;
    } else {
      f.text = undefined;
    }
  }
  ctx.beads.tree.filter = f;
  ctx.beads.filterChanged();
}

export function clearFilter(ctx: BeadCommandContext): void {
  ctx.beads.tree.filter = {};
  ctx.beads.filterChanged();
}

/** Free text: a QuickPick over id and title; pick a bead to open it, or accept the typed text as the filter. */
export async function searchBeads(ctx: BeadCommandContext): Promise<void> {
  type Item = vscode.QuickPickItem & { target?: Target };
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Gas Town: find a bead (Enter on an item opens it; Enter on the text filters the view)';
  qp.matchOnDescription = true;
  qp.busy = true;
  qp.show();
  await Promise.all(ctx.beads.all.filter((d) => d.resource.state.kind !== 'ok').map((d) => d.resource.refresh()));
  qp.items = ctx.beads.all.flatMap((db) => applyFilter(db.resource.value?.beads ?? [], { showClosed: true }).map((b) => ({ label: b.id, description: b.title ?? '', detail: [db.db.name, b.status].join(' · '), target: { db, id: b.id, bead: b } })));
  qp.busy = false;
  await new Promise<void>((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      const text = qp.value.trim();
      qp.hide();
      if (item?.target) {
        void ctx.details().open(item.target.db, item.target.id);
      } else if (text) {
        ctx.beads.tree.filter = { ...ctx.beads.tree.filter, text };
        ctx.beads.filterChanged();
      }
      resolve();
    });
    qp.onDidHide(() => {
      qp.dispose();
      resolve();
    });
  });
}

