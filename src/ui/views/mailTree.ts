import * as vscode from 'vscode';
import type { MailMessage } from '../../cli/mailClient';
import { Disposable } from '../../common/lifecycle';
import { age } from '../../model/beadsQuery';
import { MailThread, priorityRank, threads } from '../../model/mailQuery';
import type { ResourceState } from '../../model/resource';
import { COMMANDS } from '../ids';
import { safeTooltip } from './safeTooltip';

export type MailNode =
  | { type: 'thread'; thread: MailThread }
  | { type: 'message'; message: MailMessage; threadKey?: string }
  | { type: 'info'; kind: 'loading' | 'error' | 'empty'; text: string };

const PRIORITY_STYLE: { icon: string; color: string }[] = [
  { icon: 'flame', color: 'charts.red' },
  { icon: 'arrow-up', color: 'charts.orange' },
  { icon: 'mail', color: 'foreground' },
  { icon: 'arrow-down', color: 'disabledForeground' },
  { icon: 'arrow-down', color: 'disabledForeground' },
];

function messageTooltip(m: MailMessage): vscode.MarkdownString {
  return safeTooltip(m.subject ?? '', [
    ['From', m.from],
    ['To', m.to],
    ['Priority', m.priority],
    ['Sent', m.timestamp],
  ], m.body?.slice(0, 500));
}

/** One inbox: threads (a thread of one shows as its message), unread first. */
export class MailTreeProvider extends Disposable implements vscode.TreeDataProvider<MailNode> {
  private readonly changed = this.register(new vscode.EventEmitter<MailNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private state: ResourceState<MailMessage[]> | undefined;
  private identity = 'overseer';
  private blocked: string | undefined;

  set(state: ResourceState<MailMessage[]> | undefined, identity: string, blocked?: string): void {
    this.state = state;
    this.identity = identity;
    this.blocked = blocked;
    this.changed.fire(undefined);
  }

  getParent(node: MailNode): MailNode | undefined {
    if (node.type === 'message' && node.threadKey && this.state?.kind === 'ok') {
      const t = threads(this.state.value).find((x) => x.key === node.threadKey);
      return t ? { type: 'thread', thread: t } : undefined;
    }
    return undefined;
  }

  getChildren(node?: MailNode): MailNode[] {
    if (this.blocked || !this.state) return [];
    if (node?.type === 'thread') {
      return node.thread.messages.map((message) => ({ type: 'message', message, threadKey: node.thread.key }));
    }
    if (node) return [];
    switch (this.state.kind) {
      case 'idle':
      case 'loading':
        return [{ type: 'info', kind: 'loading', text: 'Reading the inbox…' }];
      case 'error':
        return [{ type: 'info', kind: 'error', text: `Could not read ${this.identity}'s mail: ${this.state.error.message}` }];
      case 'ok':
        if (this.state.value.length === 0) return [{ type: 'info', kind: 'empty', text: `No mail for ${this.identity}` }];
        return threads(this.state.value).map((t): MailNode => (t.messages.length === 1 ? { type: 'message', message: t.messages[0] } : { type: 'thread', thread: t }));
    }
  }

  getTreeItem(node: MailNode): vscode.TreeItem {
    switch (node.type) {
      case 'thread': {
        const t = node.thread;
        const item = new vscode.TreeItem(t.messages[0].subject ?? t.key, t.unread > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `thread:${t.key}`;
        item.description = `${t.messages.length} messages${t.unread ? ` · ${t.unread} unread` : ''} · ${age(t.latest.timestamp)}`;
        item.iconPath = new vscode.ThemeIcon('comment-discussion', t.unread ? new vscode.ThemeColor('charts.blue') : undefined);
        item.contextValue = 'mailThread';
        return item;
      }
      case 'message': {
        const m = node.message;
        const style = PRIORITY_STYLE[priorityRank(m)] ?? PRIORITY_STYLE[2];
        const item = new vscode.TreeItem(m.subject || m.id, vscode.TreeItemCollapsibleState.None);
        item.id = `msg:${m.id}`;
        item.description = [m.from ?? '', age(m.timestamp), m.read ? '' : 'unread'].filter((s) => s).join(' · ');
        item.iconPath = new vscode.ThemeIcon(m.read ? 'mail-read' : style.icon, new vscode.ThemeColor(m.read ? 'disabledForeground' : style.color));
        item.tooltip = messageTooltip(m);
        item.contextValue = `mail:${m.read ? 'read' : 'unread'}`;
        item.command = { command: COMMANDS.mailOpenMessage, title: 'Open', arguments: [node] };
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = `mailinfo:${node.kind}`;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'loading' ? 'loading~spin' : node.kind === 'error' ? 'error' : 'info');
        if (node.kind === 'error') item.command = { command: COMMANDS.mailRefresh, title: 'Retry' };
        return item;
      }
    }
  }
}
