import * as vscode from 'vscode';
import { EscalationList, EscalationsClient } from '../cli/escalationsClient';
import { CliError } from '../cli/runner';
import { Disposable, IDisposable } from '../common/lifecycle';
import { escapeIcons, escapeMarkdown } from '../common/markdownText';
import { age } from '../model/beadsQuery';
import { Escalation, sortEscalations, summarize, toNotify } from '../model/escalations';
import type { Resource } from '../model/resource';
import type { TownModels } from '../model/townModel';
import type { TownStore } from '../model/townStore';
import { ActivityView } from './activityView';
import { COMMANDS } from './ids';
import type { ActivityNode } from './views/activityTree';
import { describeEvent } from '../model/eventLog';

export interface EscalationsFeatureDeps {
  store: TownStore;
  models: TownModels;
  log: vscode.LogOutputChannel;
  client: EscalationsClient;
  /** Where the ids already notified are kept, so a reload does not notify again. */
  state: vscode.Memento;
}

const NOTIFIED_KEY = 'gastown.escalations.notified';
const SEVERITY_ICON: Record<string, string> = { critical: 'flame', high: 'error', medium: 'warning', low: 'info' };

/** What the user should do about a failed read: gt missing, hanging or printing something else. */
function fixFor(err: Error): string {
  const kind = err instanceof CliError ? err.kind : undefined;
  switch (kind) {
    case 'not-found':
      return 'Install gt, or set **gastown.gtPath** to where it is.';
    case 'timeout':
      return 'gt did not answer: check that the town’s Dolt server runs (`gt dolt status`), then Retry.';
    case 'bad-output':
      return 'gt printed something that is not the JSON expected: check **gastown.gtPath** points at gt ≥ 1.2, see the log.';
    case 'not-initialized':
      return 'The folder is not a Gas Town (or its beads are not initialised): check **gastown.townRoot**.';
    default:
      return 'See the log for gt’s message, then Retry.';
  }
}

/**
 * The escalations status bar item (always visible, so it subscribes for the whole session), its QuickPick,
 * acknowledge/close, notifications for new critical or high ones, and the Activity view's commands. The item's
 * resource is made stale only by escalation lines appended to `.events.jsonl` (plus Refresh): no timer.
 */
export class EscalationsFeature extends Disposable {
  readonly client: EscalationsClient;
  readonly activity: ActivityView;
  readonly item: vscode.StatusBarItem;
  readonly handlers: Record<string, (...args: unknown[]) => unknown>;
  /** Notifications raised this session (tests read them). */
  readonly notifications: { id: string; severity: string; title: string }[] = [];
  private root: string | undefined;
  private sub: IDisposable | undefined;
  private listener: IDisposable | undefined;

  constructor(private readonly deps: EscalationsFeatureDeps) {
    super();
    this.client = deps.client;
    this.activity = this.register(new ActivityView(deps.store, deps.state, deps.log));
    this.item = this.register(vscode.window.createStatusBarItem('gastown.escalations', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Gas Town Escalations';
    this.register({ dispose: () => this.sub?.dispose() });
    this.register({ dispose: () => this.listener?.dispose() });
    this.register(deps.store.onDidChange((c) => c.kind !== 'layout' && this.sync()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.sync(true)));
    this.register(
      this.activity.onDidRead((r) => {
        // The probe: only an escalation line (or a replaced log) can change the list; nothing else fetches.
        if (r.root === this.root && !r.initial && (r.reset || r.events.some((e) => e.type.startsWith('escalation_')))) {
          this.resource?.invalidate();
        }
      }),
    );
    this.handlers = {
      [COMMANDS.escalationsShow]: () => this.pick(),
      [COMMANDS.escalationsAck]: (id) => this.ack(typeof id === 'string' ? id : undefined),
      [COMMANDS.escalationsClose]: (id, reason) => this.close(typeof id === 'string' ? id : undefined, typeof reason === 'string' ? reason : undefined),
      [COMMANDS.escalationsRefresh]: () => this.refresh(),
      [COMMANDS.activityRefresh]: () => this.activity.read(),
      [COMMANDS.activityOpen]: (node) => this.openFromActivity(node as ActivityNode | undefined),
    };
    this.sync();
  }

  get resource(): Resource<EscalationList> | undefined {
    return this.root ? this.deps.models.of(this.root).escalations : undefined;
  }

  /** Follows the active town and the trust state: one subscription, to the active town's escalations. */
  private sync(force = false): void {
    const root = this.deps.store.active?.location.root;
    if (root === this.root && !force) {
      return;
    }
    this.sub?.dispose();
    this.sub = undefined;
    this.listener?.dispose();
    this.listener = undefined;
    this.root = root;
    const res = this.resource;
    if (res && vscode.workspace.isTrusted) {
      this.listener = res.onDidChange(() => this.render());
      this.sub = res.subscribe();
    }
    this.render();
  }

  async refresh(): Promise<void> {
    if (vscode.workspace.isTrusted) {
      await this.resource?.refresh();
    }
  }

  /** The open escalations as last read, if the read is current (never a stale list after an error). */
  get current(): Escalation[] | undefined {
    const st = this.resource?.state;
    return st?.kind === 'ok' ? sortEscalations(st.value.escalations) : undefined;
  }

  private render(): void {
    const item = this.item;
    if (!this.root) {
      item.hide();
      return;
    }
    item.command = COMMANDS.escalationsShow;
    item.backgroundColor = undefined;
    if (!vscode.workspace.isTrusted) {
      item.text = '$(bell) Escalations';
      item.tooltip = 'Restricted Mode: escalations are read with gt, which does not run in an untrusted workspace.';
      item.command = 'workbench.trust.manage';
      item.show();
      return;
    }
    const st = this.resource?.state ?? { kind: 'idle' };
    if (st.kind === 'idle' || st.kind === 'loading') {
      // Not a spinner: a fixed mark that no count is known yet.
      item.text = '$(bell) …';
      item.tooltip = 'Gas Town: reading escalations (gt escalate list)…';
    } else if (st.kind === 'error') {
      // An error replaces the count: a stale figure shown as current would mislead.
      item.text = '$(bell-slash) Escalations: error';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      item.tooltip = this.errorTooltip(st.error);
    } else {
      const list = sortEscalations(st.value.escalations);
      const s = summarize(list);
      item.text = s.count === 0 ? '$(bell) 0' : `$(bell-dot) ${s.count} · ${s.highest}`;
      const loud = s.highestUnacked;
      item.backgroundColor =
        loud === 'critical' || loud === 'high' ? new vscode.ThemeColor('statusBarItem.errorBackground') : loud === 'medium' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      item.tooltip = this.tooltip(list);
      this.notify(list);
    }
    item.show();
  }

  private links(): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = false;
    md.isTrusted = { enabledCommands: [COMMANDS.escalationsAck, COMMANDS.escalationsClose, COMMANDS.escalationsShow, COMMANDS.escalationsRefresh, COMMANDS.beadsOpen, COMMANDS.showLog, 'workbench.action.openSettings'] };
    return md;
  }

  private errorTooltip(err: Error): vscode.MarkdownString {
    const md = this.links();
    md.appendMarkdown(`**Escalations could not be read**\n\n${escapeMarkdown(err.message)}\n\n${fixFor(err)}\n\n`);
    md.appendMarkdown(`[$(refresh) Retry](command:${COMMANDS.escalationsRefresh}) · [$(output) Show Log](command:${COMMANDS.showLog}) · [$(gear) gt path](command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify(['gastown.gtPath']))})`);
    return md;
  }

  /** A table of the open escalations; every string from gt is escaped, newlines folded so a row stays a row. */
  tooltip(list: readonly Escalation[]): vscode.MarkdownString {
    const md = this.links();
    if (list.length === 0) {
      md.appendMarkdown('**No open escalations**');
      return md;
    }
    const cell = (s: string | undefined): string => escapeMarkdown((s ?? '').replace(/\s+/g, ' '), { themeIcons: true });
    const arg = (...a: string[]): string => encodeURIComponent(JSON.stringify(a));
    md.appendMarkdown(`**${list.length} open escalation${list.length === 1 ? '' : 's'}**\n\n`);
    md.appendMarkdown('| Severity | Age | Title | Related bead | |\n|---|---|---|---|---|\n');
    for (const e of list) {
      const sev = `$(${SEVERITY_ICON[e.severity]}) ${e.severity}${e.acked ? ' (acked)' : ''}`;
      const related = e.relatedBead ? `[${cell(e.relatedBead)}](command:${COMMANDS.beadsOpen}?${arg(e.relatedBead)})` : '—';
      const actions = [
        `[$(go-to-file)](command:${COMMANDS.beadsOpen}?${arg(e.id)} "Open")`,
        e.acked ? '' : `[$(check)](command:${COMMANDS.escalationsAck}?${arg(e.id)} "Acknowledge")`,
        `[$(close)](command:${COMMANDS.escalationsClose}?${arg(e.id)} "Close…")`,
      ].filter(Boolean);
      md.appendMarkdown(`| ${sev} | ${age(e.createdAt)} | ${cell(e.title)} | ${related} | ${actions.join(' ')} |\n`);
    }
    md.appendMarkdown(`\n[$(list-selection) Manage…](command:${COMMANDS.escalationsShow})`);
    return md;
  }

  private notify(list: readonly Escalation[]): void {
    const root = this.root;
    if (!root) {
      return;
    }
    const key = `${NOTIFIED_KEY}:${root}`;
    const notified = new Set(this.deps.state.get<string[]>(key, []));
    const fresh = toNotify(list, notified);
    // Keep only ids still open, so the record does not grow without end.
    const open = new Set(list.map((e) => e.id));
    const keep = [...notified].filter((id) => open.has(id));
    if (fresh.length === 0 && keep.length === notified.size) {
      return;
    }
    void this.deps.state.update(key, [...keep, ...fresh.map((e) => e.id)]);
    for (const e of fresh) {
      this.notifications.push({ id: e.id, severity: e.severity, title: e.title });
      const show = e.severity === 'critical' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
      void show(`Gas Town: ${e.severity} escalation: ${e.title}`, 'Show', 'Acknowledge').then((pick) => {
        if (pick === 'Show') {
          void this.pick();
        } else if (pick === 'Acknowledge') {
          void this.ack(e.id).catch((err: unknown) => vscode.window.showErrorMessage(`Gas Town: ${(err as Error).message}`));
        }
      });
    }
  }

  private refuseUntrusted(): boolean {
    if (vscode.workspace.isTrusted) {
      return false;
    }
    void vscode.window.showWarningMessage('Gas Town runs no gt in an untrusted workspace.', 'Manage Workspace Trust').then((p) => p && vscode.commands.executeCommand('workbench.trust.manage'));
    return true;
  }

  private async choose(title: string): Promise<Escalation | undefined> {
    const list = this.current ?? [];
    if (list.length === 0) {
      void vscode.window.showInformationMessage('Gas Town: no open escalations.');
      return undefined;
    }
    type Item = vscode.QuickPickItem & { e: Escalation };
    const pick = await vscode.window.showQuickPick<Item>(
      list.map((e) => ({
        label: `$(${SEVERITY_ICON[e.severity]}) ${escapeIcons(e.title)}`,
        description: `${e.id} · ${e.severity}${e.acked ? ' · acked' : ''} · ${age(e.createdAt)}`,
        detail: [e.reason, e.relatedBead ? `related: ${e.relatedBead}` : ''].filter(Boolean).join(' · ') || undefined,
        e,
      })),
      { title, matchOnDescription: true, matchOnDetail: true },
    );
    return pick?.e;
  }

  /** Status bar click: pick an escalation, then what to do with it. */
  async pick(): Promise<void> {
    if (this.refuseUntrusted()) {
      return;
    }
    const st = this.resource?.state;
    if (st?.kind === 'error') {
      const retry = 'Retry';
      if ((await vscode.window.showErrorMessage(`Gas Town: escalations could not be read: ${st.error.message}`, retry, 'Show Log')) === retry) {
        await this.refresh();
      } else {
        this.deps.log.show();
      }
      return;
    }
    const e = await this.choose('Gas Town: Escalations');
    if (!e) {
      return;
    }
    type Act = vscode.QuickPickItem & { run: () => Promise<unknown> | Thenable<unknown> };
    const acts: Act[] = [
      { label: '$(go-to-file) Open', description: e.id, run: () => vscode.commands.executeCommand(COMMANDS.beadsOpen, e.id) },
      ...(e.acked ? [] : [{ label: '$(check) Acknowledge', run: () => this.ack(e.id) }]),
      { label: '$(close) Close…', description: 'with a reason', run: () => this.close(e.id) },
      ...(e.relatedBead ? [{ label: '$(link) Open related bead', description: e.relatedBead, run: () => vscode.commands.executeCommand(COMMANDS.beadsOpen, e.relatedBead) }] : []),
    ];
    const act = await vscode.window.showQuickPick(acts, { title: `${e.severity}: ${e.title}` });
    await act?.run();
  }

  async ack(id?: string): Promise<void> {
    const root = this.root;
    if (this.refuseUntrusted() || !root) {
      return;
    }
    const target = id ?? (await this.choose('Gas Town: Acknowledge Escalation'))?.id;
    if (!target) {
      return;
    }
    await this.client.ack(root, target);
    // Our own write: re-read now rather than wait for the log line.
    await this.refresh();
  }

  async close(id?: string, reason?: string): Promise<void> {
    const root = this.root;
    if (this.refuseUntrusted() || !root) {
      return;
    }
    const target = id ?? (await this.choose('Gas Town: Close Escalation'))?.id;
    if (!target) {
      return;
    }
    const why = reason ?? (await vscode.window.showInputBox({ title: `Close ${target}: reason`, prompt: 'What resolved it (recorded by gt)', validateInput: (v) => (v.trim() ? undefined : 'A reason is needed') }));
    if (!why?.trim()) {
      return;
    }
    await this.client.close(root, target, why.trim());
    await this.refresh();
  }

  /** An Activity row: the bead it names in the details tab, else the agent it names. */
  private async openFromActivity(node: ActivityNode | undefined): Promise<void> {
    if (node?.type !== 'event') {
      return;
    }
    const info = describeEvent(node.event);
    if (info.bead) {
      await vscode.commands.executeCommand(COMMANDS.beadsOpen, info.bead);
    } else if (info.agent) {
      await vscode.commands.executeCommand(COMMANDS.showResolvedAgent, info.agent.replace(/\/$/, ''));
    }
  }
}
