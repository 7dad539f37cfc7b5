import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MailClient, MailMessage } from '../cli/mailClient';
import { inboxSql, mailIdentity } from '../cli/mailSql';
import { CliError } from '../cli/runner';
import { renderMarkdown, webviewPage } from '../common/beadHtml';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import { escapeHtml } from '../common/markdownText';
import { newAlarming, unreadCount } from '../model/mailQuery';
import { Resource } from '../model/resource';
import { SqlSession } from '../model/sqlSession';
import type { TownEntry, TownStore } from '../model/townStore';
import { resolveDoltTarget } from '../town/doltTarget';
import { mailAddress } from '../town/roles';
import { COMMANDS, VIEWS } from './ids';
import { allRoles } from './pickRole';
import { MailNode, MailTreeProvider } from './views/mailTree';

const OVERSEER = 'overseer';

/**
 * The Mail view: one identity's inbox (the overseer's unless another is picked), its message tabs and the mail
 * commands. Reading never changes state: the inbox JSON carries every body; marking read is a separate,
 * deliberate `gt mail mark-read` (on open when `gastown.mail.markReadOnOpen` is set, or by command).
 */
export class MailFeature extends Disposable {
  readonly mail: MailClient;
  readonly tree: MailTreeProvider;
  readonly view: vscode.TreeView<MailNode>;
  readonly handlers: Record<string, (...args: unknown[]) => unknown>;
  identity = OVERSEER;
  private resource: Resource<MailMessage[]> | undefined;
  private town: TownEntry | undefined;
  private readonly subs: IDisposable[] = [];
  private readonly watchers: IDisposable[] = [];
  private readonly panels = new Map<string, vscode.WebviewPanel>();
  /** What each open message tab shows (tests read it). */
  readonly shown = new Map<string, MailMessage>();

  /** How the inbox was last read: `Dolt SQL` or `gt` (tests and the log read it). */
  via: 'Dolt SQL' | 'gt' | undefined;
  private sql: SqlSession | undefined;

  constructor(
    private readonly store: TownStore,
    gt: () => string,
    private readonly log: vscode.LogOutputChannel,
    private readonly state: vscode.Memento,
    /** `gastown.beads.sqlReads` is not `off`. */
    private readonly sqlReads: () => boolean = () => true,
  ) {
    super();
    this.mail = new MailClient(gt, log);
    this.register({ dispose: () => this.sql?.drop() });
    this.tree = this.register(new MailTreeProvider());
    this.view = this.register(vscode.window.createTreeView(VIEWS.mail, { treeDataProvider: this.tree, showCollapseAll: true, canSelectMany: true }));
    this.register({ dispose: () => disposeAll(this.subs) });
    this.register({ dispose: () => disposeAll(this.watchers) });
    this.register({ dispose: () => this.resource?.dispose() });
    this.register(this.view.onDidChangeVisibility(() => this.resubscribe()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()));
    const msg = (x: unknown): MailMessage | undefined => (typeof x === 'string' ? this.resource?.value?.find((m) => m.id === x) : (x as MailNode | undefined)?.type === 'message' ? (x as Extract<MailNode, { type: 'message' }>).message : undefined);
    const many = (x: unknown, sel: unknown): MailMessage[] => {
      const list = (Array.isArray(sel) && sel.length > 0 ? sel : [x]).map(msg).filter((m): m is MailMessage => !!m);
      return list;
    };
    this.handlers = {
      [COMMANDS.mailRefresh]: () => this.resource?.refresh(),
      [COMMANDS.mailPickIdentity]: (addr) => this.pickIdentity(typeof addr === 'string' ? addr : undefined),
      [COMMANDS.mailOpenMessage]: (x) => this.openMessage(msg(x)),
      [COMMANDS.mailMarkRead]: (x, sel) => this.markRead(many(x, sel), true),
      [COMMANDS.mailMarkUnread]: (x, sel) => this.markRead(many(x, sel), false),
      [COMMANDS.mailArchive]: (x, sel, confirmed) => this.archive(many(x, sel), confirmed === true),
      [COMMANDS.mailReply]: (x, body) => this.reply(msg(x), typeof body === 'string' ? body : undefined),
      [COMMANDS.mailNew]: (given) => this.newMessage(given as Partial<{ to: string; subject: string; body: string; priority: number }> | undefined),
    };
  }

  /** After discovery: the active town's inbox for the current identity. */
  reload(): void {
    this.town = this.store.active;
    this.sql?.drop();
    this.sql = undefined;
    this.via = undefined;
    this.resource?.dispose();
    this.resource = undefined;
    disposeAll(this.watchers);
    const town = this.town;
    if (!town || !vscode.workspace.isTrusted) {
      this.tree.set(undefined, this.identity, vscode.workspace.isTrusted ? undefined : 'untrusted');
      return;
    }
    const root = town.location.root;
    const identity = this.identity;
    const r = new Resource<MailMessage[]>({
      // Any event line, .beads or Dolt journal write triggers it: a wait long enough to take a burst as one read
      // (up to maxWaitMs), short enough that a new message shows within about a second.
      throttleMs: 100,
      maxWaitMs: 2000,
      fetch: ({ signal }) => this.readInbox(root, identity, signal),
    });
    this.resource = r;
    r.onDidChange((s) => {
      this.tree.set(s, identity);
      this.updateBadge();
      if (s.kind === 'ok') {
        this.notify(root, s.value);
        for (const [id, panel] of this.panels) {
          const now = s.value.find((x) => x.id === id);
          if (now) {
            this.render(panel, now);
          }
        }
      }
    });
    // gt logs `mail` events; bd touches .beads; Dolt appends every write to its journal: all only mark stale.
    const stale = (): void => r.invalidate();
    const patterns: [string, string][] = [
      [root, '.events.jsonl'],
      [path.join(root, '.beads'), '*'],
    ];
    const target = resolveDoltTarget(path.join(root, '.beads'), { townRoot: root });
    if (target.ok && target.target.writeSignalDir) {
      patterns.push([target.target.writeSignalDir, '*']);
    }
    for (const [base, glob] of patterns) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), glob));
      this.watchers.push(w, w.onDidChange(stale), w.onDidCreate(stale));
    }
    this.tree.set(r.state, identity);
    this.resubscribe();
  }

  /**
   * The inbox by read-only SQL on the town's Dolt server when it can (one round trip instead of gt's four bd
   * processes), else `gt mail inbox --all --json`; both give gt's message JSON.
   */
  private async readInbox(root: string, identity: string, signal: AbortSignal): Promise<MailMessage[]> {
    if (this.sqlReads()) {
      const session = (this.sql ??= new SqlSession('mail', this.log, 'gt'));
      try {
        const s = await session.open(root, root);
        if (s) {
          const list = await inboxSql(s.conn, s.schema, mailIdentity(identity));
          this.via = 'Dolt SQL';
          return list;
        }
      } catch (err) {
        session.failed(err);
      }
    }
    const list = await this.mail.inbox(root, identity === OVERSEER ? undefined : identity, signal);
    this.via = 'gt';
    return list;
  }

  private resubscribe(): void {
    disposeAll(this.subs);
    if (this.resource && this.view.visible && vscode.workspace.isTrusted) {
      this.subs.push(this.resource.subscribe());
    }
  }

  get messages(): MailMessage[] | undefined {
    return this.resource?.value;
  }

  get resourceState(): Resource<MailMessage[]>['state'] | undefined {
    return this.resource?.state;
  }

  private updateBadge(): void {
    const list = this.resource?.state.kind === 'ok' ? this.resource.state.value : undefined;
    const n = list ? unreadCount(list) : 0;
    this.view.badge = n > 0 ? { value: n, tooltip: `${n} unread message${n === 1 ? '' : 's'} for ${this.identity}` } : undefined;
    this.view.description = this.identity;
  }

  /** New urgent or high mail to the overseer: one notification each, remembered across reloads. */
  private notify(root: string, inbox: MailMessage[]): void {
    if (this.identity !== OVERSEER) {
      return;
    }
    const key = `gastown.mail.notified:${root}`;
    const seen = new Set(this.state.get<string[]>(key) ?? []);
    const fresh = newAlarming(inbox, seen);
    if (fresh.length === 0) {
      return;
    }
    fresh.forEach((m) => seen.add(m.id));
    void this.state.update(key, [...seen].filter((id) => inbox.some((m) => m.id === id)));
    const first = fresh[0];
    const text = fresh.length === 1 ? `${first.priority} mail from ${first.from ?? '?'}: ${first.subject ?? ''}` : `${fresh.length} urgent or high-priority messages`;
    void vscode.window.showWarningMessage(`Gas Town: ${text}`, 'Open').then((pick) => pick === 'Open' && void this.openMessage(first));
  }

  private cwdForIdentity(): string | undefined {
    const town = this.town;
    if (!town) return undefined;
    if (this.identity === OVERSEER) return town.location.root;
    // gt takes the sender from the working directory when no GT_ROLE is set (and the runner never passes one).
    return allRoles(town).find((r) => mailAddress(r).replace(/\/$/, '') === this.identity.replace(/\/$/, ''))?.dir ?? town.location.root;
  }

  async pickIdentity(given?: string): Promise<void> {
    const town = this.town ?? this.store.active;
    if (!town) return;
    const addresses = [OVERSEER, ...allRoles(town).map(mailAddress)];
    const pick = given ?? (await vscode.window.showQuickPick(addresses.map((a) => ({ label: a, picked: a === this.identity })), { title: 'Gas Town: whose inbox?' }))?.label;
    if (pick) {
      this.identity = pick;
      this.reload();
    }
  }

  private async write(what: string, fn: () => Promise<unknown>): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Gas Town: this workspace is not trusted, so gt is not run.');
      return false;
    }
    try {
      await fn();
      return true;
    } catch (err) {
      const detail = err instanceof CliError ? err.stderr.trim() || err.message : (err as Error).message;
      void vscode.window.showErrorMessage(`Gas Town: ${what} failed. gt said: ${detail}`);
      return false;
    } finally {
      await this.resource?.refresh();
    }
  }

  async markRead(list: MailMessage[], read: boolean): Promise<void> {
    const cwd = this.cwdForIdentity();
    if (cwd && list.length > 0) {
      await this.write(read ? 'gt mail mark-read' : 'gt mail mark-unread', () => this.mail.markRead(cwd, list.map((m) => m.id), read));
    }
  }

  async archive(list: MailMessage[], confirmed: boolean): Promise<void> {
    const cwd = this.cwdForIdentity();
    if (!cwd || list.length === 0) return;
    if (!confirmed) {
      const yes = 'Archive';
      if ((await vscode.window.showWarningMessage(`Archive ${list.length === 1 ? `"${list[0].subject ?? list[0].id}"` : `${list.length} messages`}?`, { modal: true }, yes)) !== yes) return;
    }
    await this.write('gt mail archive', () => this.mail.archive(cwd, list.map((m) => m.id)));
  }

  async reply(m: MailMessage | undefined, given?: string): Promise<void> {
    const cwd = this.cwdForIdentity();
    if (!m || !cwd) return;
    const body = given ?? (await vscode.window.showInputBox({ title: `Reply to ${m.from ?? ''}: ${m.subject ?? ''}`, prompt: 'Your reply (sent as is)' }));
    if (!body?.trim()) return;
    await this.write('gt mail reply', () => this.mail.reply(cwd, m.id, body));
  }

  async newMessage(given?: Partial<{ to: string; subject: string; body: string; priority: number }>): Promise<void> {
    const town = this.town;
    const cwd = this.cwdForIdentity();
    if (!town || !cwd) return;
    const addresses = [OVERSEER, ...allRoles(town).map(mailAddress)].filter((a) => a !== this.identity);
    const to = given?.to ?? (await vscode.window.showQuickPick(addresses, { title: 'New Message (1/4): to' }));
    if (!to) return;
    const subject = given?.subject ?? (await vscode.window.showInputBox({ title: 'New Message (2/4): subject', validateInput: (v) => (v.trim() ? undefined : 'A subject is needed') }));
    if (!subject?.trim()) return;
    const body = given?.body ?? (await vscode.window.showInputBox({ title: 'New Message (3/4): message' }));
    if (body === undefined) return;
    const priorities = ['urgent', 'high', 'normal', 'low', 'backlog'];
    const priority = given?.priority ?? priorities.indexOf((await vscode.window.showQuickPick(priorities, { title: 'New Message (4/4): priority', placeHolder: 'normal' })) ?? 'normal');
    if (priority < 0) return;
    await this.write('gt mail send', () => this.mail.send(cwd, this.identity, { to, subject, body, priority }));
  }

  /** A message in an editor tab: the inbox's own copy (no gt call, so nothing is marked read by reading). */
  async openMessage(m: MailMessage | undefined): Promise<void> {
    if (!m) return;
    let panel = this.panels.get(m.id);
    if (!panel) {
      panel = vscode.window.createWebviewPanel('gastown.mail', (m.subject ?? m.id).slice(0, 50), vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: [] });
      const p = panel;
      this.panels.set(m.id, p);
      p.onDidDispose(() => {
        this.panels.delete(m.id);
        this.shown.delete(m.id);
      });
      p.webview.onDidReceiveMessage((x: { action?: string }) => {
        const current = this.resource?.value?.find((y) => y.id === m.id) ?? m;
        if (x.action === 'reply') void this.reply(current);
        if (x.action === 'markRead') void this.markRead([current], true);
        if (x.action === 'markUnread') void this.markRead([current], false);
        if (x.action === 'archive') void this.archive([current], false);
      });
    } else {
      panel.reveal();
    }
    this.render(panel, m);
    if (!m.read && vscode.workspace.getConfiguration('gastown').get<boolean>('mail.markReadOnOpen')) {
      await this.markRead([m], true);
    }
  }

  /** Draws a message tab; again whenever the inbox changes, so its buttons follow read and unread. */
  private render(panel: vscode.WebviewPanel, m: MailMessage): void {
    const nonce = randomBytes(16).toString('base64');
    const field = (k: string, v: string | null | undefined): string => (v ? `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>` : '');
    panel.webview.html = webviewPage(
      `<header><div class="muted">${escapeHtml(m.id)}</div><h1 id="subject">${escapeHtml(m.subject ?? '(no subject)')}</h1>
<div class="actions"><button data-action="reply">Reply…</button><button data-action="${m.read ? 'markUnread' : 'markRead'}">${m.read ? 'Mark Unread' : 'Mark Read'}</button><button data-action="archive">Archive…</button></div></header>
<dl class="fields">${field('From', m.from)}${field('To', m.to)}${field('Priority', m.priority)}${field('Type', m.type)}${field('Sent', m.timestamp)}${field('Thread', m.thread_id)}</dl>
<section><div class="md" id="body">${renderMarkdown(m.body ?? '')}</div></section>`,
      { cspSource: panel.webview.cspSource, nonce },
    );
    this.shown.set(m.id, m);
  }
}
