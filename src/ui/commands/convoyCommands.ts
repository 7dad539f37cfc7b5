import * as vscode from 'vscode';
import type { ConvoysClient } from '../../cli/convoysClient';
import type { BeadsDatabase } from '../../model/beadsModel';
import { applyFilter } from '../../model/beadsQuery';
import { Convoy, ConvoysModel, isClosedStatus } from '../../model/convoys';
import type { BeadsNode } from '../views/beadsTree';
import type { ConvoysNode } from '../views/convoysTree';

export interface ConvoyCommandContext {
  /** The active town's convoys, if there is a town. */
  model: () => ConvoysModel | undefined;
  client: ConvoysClient;
  /** The Beads feature's databases: the picker lists their open work beads. */
  databases: () => readonly BeadsDatabase[];
  trusted: () => boolean;
  /** After one of our writes: re-read at once, and show the convoy. */
  afterWrite: (model: ConvoysModel, convoyId?: string) => Promise<void>;
}

/** Values a test (or another command) passes instead of answering prompts. */
export interface CreateArgs {
  name?: string;
  issues?: string[];
  owned?: boolean;
}
export interface AddArgs {
  convoy?: string;
  issues?: string[];
}
export interface CloseArgs {
  confirmed?: boolean;
  reason?: string;
}

function refuseUntrusted(ctx: ConvoyCommandContext): boolean {
  if (!ctx.trusted()) {
    void vscode.window.showInformationMessage('Gas Town: this workspace is not trusted, so gt is not run.');
    return true;
  }
  return false;
}

function townModel(ctx: ConvoyCommandContext): ConvoysModel | undefined {
  const m = ctx.model();
  if (!m) {
    void vscode.window.showInformationMessage('Gas Town: no town found, so there are no convoys.');
  }
  return m;
}

/** Bead ids from a Beads view invocation: the multi-selection, else the clicked item. */
function beadIdsOf(arg: unknown, selection: unknown): string[] {
  const idOf = (n: unknown): string | undefined => {
    const node = n as BeadsNode | undefined;
    if (node?.type === 'bead') return node.bead.id;
    if (node?.type === 'group' && node.group.epic) return node.group.epic.id;
    return undefined;
  };
  const many = Array.isArray(selection) ? selection.map(idOf).filter((id): id is string => !!id) : [];
  const one = idOf(arg);
  // VS Code passes the clicked item and the selection; a click outside the selection acts on the click alone.
  if (one && !many.includes(one)) return [one];
  return many.length > 0 ? many : one ? [one] : [];
}

/** A multi-select QuickPick over every open work bead of the town's databases. */
async function pickBeads(ctx: ConvoyCommandContext, title: string, exclude: ReadonlySet<string> = new Set()): Promise<string[] | undefined> {
  const dbs = [...ctx.databases()];
  await Promise.all(dbs.filter((d) => d.resource.state.kind !== 'ok').map((d) => d.resource.refresh()));
  const items = dbs.flatMap((db) =>
    applyFilter(db.resource.value?.beads ?? [], {})
      .filter((b) => !exclude.has(b.id))
      .map((b): vscode.QuickPickItem & { id: string } => ({
        label: b.id,
        description: b.title ?? '',
        detail: [db.db.name, b.status, b.assignee ? `@${b.assignee}` : ''].filter((s) => s).join(' · '),
        id: b.id,
      })),
  );
  const picked = await vscode.window.showQuickPick(items, { title: `Gas Town: ${title}`, canPickMany: true, matchOnDescription: true, placeHolder: 'Pick the beads to track (type an id or words of the title)' });
  return picked && picked.length > 0 ? picked.map((p) => p.id) : undefined;
}

/** The convoy an invocation means: the clicked item, an id, or a pick among the listed ones. */
async function convoyOf(model: ConvoysModel, arg: unknown, title: string, filter: (c: Convoy) => boolean = () => true): Promise<Convoy | undefined> {
  const node = arg as ConvoysNode | undefined;
  if (node && typeof node === 'object' && 'type' in node && (node.type === 'convoy' || node.type === 'tracked' || node.type === 'untracked')) {
    return model.resource.value?.convoys.find((c) => c.id === node.convoy.id) ?? node.convoy;
  }
  if (model.resource.state.kind !== 'ok') {
    await model.resource.refresh();
  }
  const list = model.resource.value?.convoys ?? [];
  if (typeof arg === 'string') {
    return list.find((c) => c.id === arg) ?? { id: arg, title: arg, status: 'open', tracked: [], completed: 0, total: 0, owned: false };
  }
  const items = list.filter(filter).map((c): vscode.QuickPickItem & { convoy: Convoy } => ({ label: c.title || c.id, description: `${c.id} · ${c.completed}/${c.total}${isClosedStatus(c.status) ? ' · closed' : ''}`, convoy: c }));
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Gas Town: no convoy to pick.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title: `Gas Town: ${title}`, matchOnDescription: true }))?.convoy;
}

/** Create Convoy: from the Beads view's selection, or beads picked; a name; the lifecycle. Returns the new id. */
export async function createConvoy(ctx: ConvoyCommandContext, arg?: unknown, selection?: unknown, given: CreateArgs = {}): Promise<string | undefined> {
  if (refuseUntrusted(ctx)) return undefined;
  const model = townModel(ctx);
  if (!model) return undefined;
  let issues: string[] | undefined = given.issues ?? beadIdsOf(arg, selection);
  if (issues.length === 0) {
    issues = await pickBeads(ctx, 'Create convoy: beads to track');
  }
  if (!issues || issues.length === 0) return undefined;
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Gas Town: Create convoy',
      prompt: `A name for the convoy tracking ${issues.join(', ')}`,
      validateInput: (v) => (v.trim() ? undefined : 'A convoy needs a name'),
    }));
  if (!name?.trim()) return undefined;
  let owned = given.owned;
  if (owned === undefined) {
    const lifecycle = await vscode.window.showQuickPick(
      [
        { label: 'System-managed', description: 'closes itself when every tracked issue is done', owned: false },
        { label: 'Owned (caller-managed)', description: 'you land it yourself with Land Convoy', owned: true },
      ],
      { title: 'Gas Town: Convoy lifecycle' },
    );
    if (!lifecycle) return undefined;
    owned = lifecycle.owned;
  }
  const list = issues;
  const id = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'gt convoy create…' }, () => ctx.client.create(model.townRoot, name.trim(), list, owned));
  await ctx.afterWrite(model, id);
  return id;
}

/** Add Issues: on a convoy, pick beads; on beads (Beads view), pick the convoy. gt reopens a closed convoy. */
export async function addToConvoy(ctx: ConvoyCommandContext, arg?: unknown, selection?: unknown, given: AddArgs = {}): Promise<number | undefined> {
  if (refuseUntrusted(ctx)) return undefined;
  const model = townModel(ctx);
  if (!model) return undefined;
  const fromBeads = beadIdsOf(arg, selection);
  const convoy = await convoyOf(model, given.convoy ?? (fromBeads.length > 0 ? undefined : arg), 'Add to which convoy?');
  if (!convoy) return undefined;
  let issues: string[] | undefined = given.issues ?? (fromBeads.length > 0 ? fromBeads : undefined);
  issues ??= await pickBeads(ctx, `Add to ${convoy.title || convoy.id}`, new Set(convoy.tracked.map((t) => t.id)));
  if (!issues || issues.length === 0) return undefined;
  const list = issues;
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'gt convoy add…' }, () => ctx.client.add(model.townRoot, convoy.id, list));
  await ctx.afterWrite(model, convoy.id);
  if (r.warnings.length > 0) {
    // gt exits 0 when it skipped an issue; its warning is the only sign.
    void vscode.window.showWarningMessage(`Gas Town: gt added ${r.added ?? '?'} of ${list.length} to ${convoy.id}. gt said: ${r.warnings.join(' ')}`);
  }
  return r.added;
}

/** Close: asks first; with tracked issues still open, the answer is "Close Anyway" (gt's --force). */
export async function closeConvoy(ctx: ConvoyCommandContext, arg?: unknown, _selection?: unknown, given: CloseArgs = {}): Promise<boolean> {
  if (refuseUntrusted(ctx)) return false;
  const model = townModel(ctx);
  if (!model) return false;
  const convoy = await convoyOf(model, arg, 'Close which convoy?', (c) => !isClosedStatus(c.status));
  if (!convoy) return false;
  const open = convoy.total - convoy.completed;
  if (!given.confirmed) {
    const action = open > 0 ? 'Close Anyway' : 'Close';
    const detail = open > 0 ? `${open} of its ${convoy.total} tracked issues are still open. Closing does not close them.` : `All ${convoy.total} tracked issues are done.`;
    if ((await vscode.window.showWarningMessage(`Close convoy “${convoy.title || convoy.id}” (${convoy.id})?`, { modal: true, detail }, action)) !== action) return false;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'gt convoy close…' }, () => ctx.client.close(model.townRoot, convoy.id, { force: open > 0, reason: given.reason }));
  await ctx.afterWrite(model, convoy.id);
  return true;
}

/** Land: owned convoys only (gt refuses others); asks first, since gt removes the polecats' worktrees. */
export async function landConvoy(ctx: ConvoyCommandContext, arg?: unknown, _selection?: unknown, given: CloseArgs = {}): Promise<boolean> {
  if (refuseUntrusted(ctx)) return false;
  const model = townModel(ctx);
  if (!model) return false;
  const convoy = await convoyOf(model, arg, 'Land which owned convoy?', (c) => c.owned && !isClosedStatus(c.status));
  if (!convoy) return false;
  if (!convoy.owned) {
    void vscode.window.showInformationMessage(`Gas Town: ${convoy.id} is system-managed; only owned convoys are landed. Use Close Convoy.`);
    return false;
  }
  const open = convoy.total - convoy.completed;
  if (!given.confirmed) {
    const action = open > 0 ? 'Land Anyway' : 'Land';
    const detail = `gt removes the polecat worktrees of its tracked issues, closes the convoy and notifies its owner.${open > 0 ? ` ${open} of ${convoy.total} tracked issues are still open.` : ''}`;
    if ((await vscode.window.showWarningMessage(`Land convoy “${convoy.title || convoy.id}” (${convoy.id})?`, { modal: true, detail }, action)) !== action) return false;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'gt convoy land…' }, () => ctx.client.land(model.townRoot, convoy.id, { force: open > 0 }));
  await ctx.afterWrite(model, convoy.id);
  return true;
}
