import * as vscode from 'vscode';
import type { TrackedIssue } from '../../cli/convoysClient';
import { CliError } from '../../cli/runner';
import { Disposable } from '../../common/lifecycle';
import { Convoy, ConvoysModel, isClosedStatus, progressOf } from '../../model/convoys';
import { age } from '../../model/beadsQuery';
import { safeTooltip } from './safeTooltip';
import { COMMANDS } from '../ids';
import { STATUS_ICON } from './beadsTree';

export type ConvoysNode =
  | { type: 'convoy'; town: string; convoy: Convoy }
  | { type: 'tracked'; town: string; convoy: Convoy; issue: TrackedIssue }
  | { type: 'untracked'; town: string; convoy: Convoy }
  | { type: 'message'; kind: 'loading' | 'error' | 'fix'; text: string; detail?: string };

/** Why the tree is empty on purpose: a welcome view (keyed on the same value) says it instead. */
export type ConvoysBlocked = 'untrusted' | 'gt-missing' | 'empty' | undefined;

/** What to do about a failed read, by the runner's error class: the view shows it under the error. */
export function fixFor(err: Error): string {
  const kind = err instanceof CliError ? err.kind : undefined;
  switch (kind) {
    case 'timeout':
      return 'gt did not answer in time: is the town’s Dolt server up (`gt dolt status`)? Raise gastown.convoys.readTimeoutSeconds for a slow town. Click to retry.';
    case 'bad-output':
      return 'gt printed something this extension cannot read: check `gt version` (tested with gt 1.2.1) and the Gas Town log. Click to retry.';
    case 'not-initialized':
      return 'gt does not see a town here: check the town root (Select Town). Click to retry.';
    default:
      return 'See the Gas Town log for gt’s full output. Click to retry.';
  }
}

/** A progress icon: nothing tracked, none done, some done, all done, closed. */
export function convoyIcon(c: Convoy): vscode.ThemeIcon {
  if (isClosedStatus(c.status)) {
    return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('disabledForeground'));
  }
  const { ratio } = progressOf(c);
  if (ratio === undefined) {
    return new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground'));
  }
  if (ratio >= 1) {
    return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
  }
  return ratio > 0 ? new vscode.ThemeIcon('pie-chart', new vscode.ThemeColor('charts.blue')) : new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('charts.blue'));
}

/** The Convoys view: the active town's convoys (open, or all behind the toggle), each expanding to its tracked issues. */
export class ConvoysTreeProvider extends Disposable implements vscode.TreeDataProvider<ConvoysNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ConvoysNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  blocked: ConvoysBlocked;

  constructor(private readonly model: () => ConvoysModel | undefined) {
    super();
  }

  refreshView(): void {
    this.changed.fire(undefined);
  }

  /** The convoys the view shows now (tests compare them with gt). */
  visibleConvoys(): Convoy[] {
    const st = this.model()?.resource.state;
    return !this.blocked && st?.kind === 'ok' ? st.value.convoys : [];
  }

  private current(town: string, id: string): Convoy | undefined {
    const m = this.model();
    return m?.townRoot === town ? m.resource.value?.convoys.find((c) => c.id === id) : undefined;
  }

  getParent(node: ConvoysNode): ConvoysNode | undefined {
    if (node.type === 'tracked' || node.type === 'untracked') {
      return { type: 'convoy', town: node.town, convoy: this.current(node.town, node.convoy.id) ?? node.convoy };
    }
    return undefined;
  }

  getChildren(node?: ConvoysNode): ConvoysNode[] {
    const m = this.model();
    if (this.blocked || !m) {
      return [];
    }
    if (!node) {
      const st = m.resource.state;
      switch (st.kind) {
        case 'idle':
        case 'loading':
          return [{ type: 'message', kind: 'loading', text: 'Loading convoys…' }];
        case 'error':
          // The error replaces the list it makes stale; the next line says what to do.
          return [
            { type: 'message', kind: 'error', text: `Could not read convoys: ${st.error.message}`, detail: st.error.message },
            { type: 'message', kind: 'fix', text: fixFor(st.error) },
          ];
        case 'ok':
          return st.value.convoys.map((convoy) => ({ type: 'convoy', town: m.townRoot, convoy }));
      }
    }
    if (node.type === 'convoy') {
      const c = this.current(node.town, node.convoy.id) ?? node.convoy;
      if (c.tracked.length === 0) {
        return [{ type: 'untracked', town: node.town, convoy: c }];
      }
      return c.tracked.map((issue) => ({ type: 'tracked', town: node.town, convoy: c, issue }));
    }
    return [];
  }

  getTreeItem(node: ConvoysNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.type) {
      case 'convoy': {
        const c = node.convoy;
        const closed = isClosedStatus(c.status);
        // A plain string label: VS Code shows it as text (no codicons, no Markdown).
        const item = new vscode.TreeItem(c.title || c.id, closed ? C.Collapsed : C.Expanded);
        item.id = `convoy:${node.town}|${c.id}`;
        const { done, total, ratio } = progressOf(c);
        item.description = [`${done}/${total}`, c.id, closed ? 'closed' : '', c.owned ? 'owned' : ''].filter((s) => s).join(' · ');
        item.iconPath = convoyIcon(c);
        item.tooltip = safeTooltip(c.title || c.id, [
          ['ID', c.id],
          ['Status', c.status],
          ['Progress', `${done} of ${total} done${ratio !== undefined ? ` (${Math.round(ratio * 100)}%)` : ''}`],
          ['Lifecycle', c.owned ? 'caller-managed (owned: land it when done)' : 'system-managed (closes itself when all tracked issues are done)'],
          ['Created', c.createdAt ? `${age(c.createdAt)} ago` : undefined],
        ]);
        item.contextValue = `convoy:${c.status}:${c.owned ? 'owned' : 'managed'}`;
        item.accessibilityInformation = { label: `Convoy ${c.title}, ${done} of ${total} done, ${c.status}` };
        return item;
      }
      case 'tracked': {
        const t = node.issue;
        const item = new vscode.TreeItem(t.title || t.id, C.None);
        item.id = `tracked:${node.town}|${node.convoy.id}|${t.id}`;
        const worker = t.worker ? `⚙ ${t.worker}${t.worker_age ? ` (${t.worker_age})` : ''}` : '';
        item.description = [t.id, t.status ?? '', t.assignee ? `@${t.assignee}` : '', worker].filter((s) => s).join(' · ');
        const closed = isClosedStatus(t.status);
        item.iconPath = new vscode.ThemeIcon(t.blocked ? 'error' : (STATUS_ICON[t.status ?? ''] ?? 'circle-outline'), closed ? new vscode.ThemeColor('disabledForeground') : undefined);
        item.tooltip = safeTooltip(t.title || t.id, [
          ['ID', t.id],
          ['Status', `${t.status ?? 'unknown'}${t.blocked ? ' (blocked)' : ''}`],
          ['Type', t.issue_type ?? undefined],
          ['Assignee', t.assignee ?? undefined],
          ['Worker', t.worker ? `${t.worker}${t.worker_age ? `, ${t.worker_age}` : ''}` : undefined],
          ['Convoy', node.convoy.id],
        ]);
        item.contextValue = `tracked:${t.status ?? ''}`;
        // The Beads feature finds the database by the id's prefix.
        item.command = { command: COMMANDS.beadsOpen, title: 'Open Bead', arguments: [t.id] };
        item.accessibilityInformation = { label: `${t.id} ${t.title ?? ''}, ${t.status ?? ''}` };
        return item;
      }
      case 'untracked': {
        const item = new vscode.TreeItem('No tracked issues reported by gt', C.None);
        item.id = `untracked:${node.town}|${node.convoy.id}`;
        item.iconPath = new vscode.ThemeIcon('info');
        item.tooltip = 'gt convoy list reports no tracked issues for this convoy. gt 1.2.1 with bd 1.2 does not list issues of other rigs (stored as external references); Add Issues puts town (hq) beads in.';
        item.contextValue = 'convoyUntracked';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, C.None);
        item.id = `msg:${node.kind}`;
        item.iconPath = new vscode.ThemeIcon(
          node.kind === 'loading' ? 'loading~spin' : node.kind === 'error' ? 'error' : 'lightbulb',
          node.kind === 'error' ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined,
        );
        item.tooltip = node.detail ?? node.text;
        item.contextValue = `convoysMessage:${node.kind}`;
        if (node.kind !== 'loading') {
          item.command = { command: COMMANDS.convoysRefresh, title: 'Retry' };
        }
        return item;
      }
    }
  }
}
