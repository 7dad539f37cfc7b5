import * as vscode from 'vscode';
import { Disposable } from '../../common/lifecycle';
import { safeTooltip } from './safeTooltip';
import { age } from '../../model/beadsQuery';
import { describeEvent, TownEvent } from '../../model/eventLog';
import { COMMANDS } from '../ids';

export type ActivityNode = { type: 'event'; event: TownEvent } | { type: 'message'; text: string; error?: boolean };

const KIND_COLOR: Record<string, string | undefined> = {
  death: 'charts.red',
  escalation: 'charts.orange',
  merge: 'charts.purple',
  work: 'charts.blue',
  mail: undefined,
};

/** The town's recent events, newest first; one flat list (no parents), ids from the event's place in the log. */
export class ActivityTreeProvider extends Disposable implements vscode.TreeDataProvider<ActivityNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ActivityNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private events: readonly TownEvent[] = [];
  /** Why nothing shows (no town, a read error); undefined when the events are current. */
  message: { text: string; error?: boolean } | undefined;

  set(events: readonly TownEvent[]): void {
    this.events = events;
    this.changed.fire(undefined);
  }

  get shown(): readonly TownEvent[] {
    return this.events;
  }

  refreshView(): void {
    this.changed.fire(undefined);
  }

  getParent(): undefined {
    return undefined;
  }

  getChildren(node?: ActivityNode): ActivityNode[] {
    if (node) {
      return [];
    }
    if (this.message) {
      return [{ type: 'message', ...this.message }];
    }
    return this.events.map((event) => ({ type: 'event', event }));
  }

  getTreeItem(node: ActivityNode): vscode.TreeItem {
    if (node.type === 'message') {
      const item = new vscode.TreeItem(node.text);
      item.id = `message:${node.text}`;
      item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info');
      return item;
    }
    const ev = node.event;
    const info = describeEvent(ev);
    const item = new vscode.TreeItem(info.summary);
    item.id = `event:${ev.key}`;
    const color = KIND_COLOR[info.kind];
    item.iconPath = new vscode.ThemeIcon(info.icon, color ? new vscode.ThemeColor(color) : undefined);
    const when = age(ev.ts);
    item.description = [ev.actor, when ? `${when} ago` : ''].filter(Boolean).join(' · ');
    item.tooltip = safeTooltip(`${ev.type} · ${ev.ts}`, [['Actor', ev.actor || '—'], ...Object.entries(ev.payload).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])]);
    item.contextValue = `event:${info.kind}${info.bead ? ':bead' : ''}${info.agent ? ':agent' : ''}`;
    if (info.bead || info.agent) {
      item.command = { command: COMMANDS.activityOpen, title: 'Open', arguments: [node] };
    }
    return item;
  }
}
