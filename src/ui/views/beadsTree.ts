import * as vscode from 'vscode';
import { Disposable } from '../../common/lifecycle';
import type { BeadSummary } from '../../cli/beadSchemas';
import type { BeadsDatabase } from '../../model/beadsModel';
import { age, applyFilter, BeadFilter, BeadGroup, groupBeads, GroupBy, isClosed } from '../../model/beadsQuery';
import { COMMANDS } from '../ids';
import { safeTooltip } from './safeTooltip';

export type BeadsNode =
  | { type: 'db'; db: BeadsDatabase }
  | { type: 'group'; db: BeadsDatabase; group: BeadGroup }
  | { type: 'bead'; db: BeadsDatabase; bead: BeadSummary; groupKey: string }
  | { type: 'more'; db: BeadsDatabase; groupKey: string; left: number }
  | { type: 'message'; db: BeadsDatabase; kind: 'loading' | 'error' | 'empty'; text: string; detail?: string };

const PAGE = 200;

/** The codicon for a bead status (the Convoys view uses it for tracked issues too). */
export const STATUS_ICON: Record<string, string> = {
  open: 'circle-large-outline',
  in_progress: 'play-circle',
  hooked: 'pinned',
  blocked: 'error',
  deferred: 'clock',
  pinned: 'pin',
  closed: 'pass',
};
const PRIORITY_COLOR = ['charts.red', 'charts.orange', 'charts.yellow', 'charts.blue', 'disabledForeground'];

export function beadIcon(b: BeadSummary): vscode.ThemeIcon {
  const icon = b.issue_type === 'epic' && !isClosed(b) ? 'layers' : (STATUS_ICON[b.status ?? ''] ?? 'circle-outline');
  const color = isClosed(b) ? 'disabledForeground' : (PRIORITY_COLOR[b.priority ?? 2] ?? 'foreground');
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
}

/** A bead's hover: every string from the bead is escaped, so `[x](y)`, `$(icon)` and `<script>` show as typed. */
export function beadTooltip(b: BeadSummary, dbName: string): vscode.MarkdownString {
  return safeTooltip(b.title ?? '', [
    ['ID', b.id],
    ['Database', dbName],
    ['Status', b.status],
    ['Priority', b.priority !== undefined && b.priority !== null ? `P${b.priority}` : undefined],
    ['Type', b.issue_type],
    ['Assignee', b.assignee],
    ['Parent', b.parent],
    ['Labels', (b.labels ?? []).join(', ') || undefined],
    ['Updated', b.updated_at ? `${age(b.updated_at)} ago` : undefined],
  ]);
}

/** The Beads view: one section per database, grouped and filtered as the title bar says. */
export class BeadsTreeProvider extends Disposable implements vscode.TreeDataProvider<BeadsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<BeadsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private dbs: BeadsDatabase[] = [];
  private readonly shown = new Map<string, number>();
  /** Per database, the groups as last computed (getParent and paging read them). */
  private readonly groups = new Map<string, BeadGroup[]>();
  filter: BeadFilter = {};
  groupBy: GroupBy = 'epic';
  /** Why there is nothing to show (untrusted, bd missing…): the welcome view says it; the tree stays empty. */
  blockedReason: string | undefined;

  setDatabases(dbs: BeadsDatabase[]): void {
    this.dbs = dbs;
    this.refreshView();
  }

  get databases(): readonly BeadsDatabase[] {
    return this.dbs;
  }

  refreshView(): void {
    this.groups.clear();
    this.changed.fire(undefined);
  }

  private groupsOf(db: BeadsDatabase): BeadGroup[] | undefined {
    const state = db.resource.state;
    if (state.kind !== 'ok') {
      return undefined;
    }
    let groups = this.groups.get(db.db.cwd);
    if (!groups) {
      const kept = applyFilter(state.value.beads, this.filter, state.value);
      groups = groupBeads(kept, this.groupBy, state.value.beads);
      this.groups.set(db.db.cwd, groups);
    }
    return groups;
  }

  /** The beads the view shows for a database (tests compare them with bd). */
  visibleBeads(db: BeadsDatabase): BeadSummary[] {
    return (this.groupsOf(db) ?? []).flatMap((g) => (g.epic && !g.beads.some((b) => b.id === g.epic?.id) ? [g.epic, ...g.beads] : g.beads));
  }

  findBead(id: string): BeadsNode | undefined {
    for (const db of this.dbs) {
      for (const g of this.groupsOf(db) ?? []) {
        if (g.epic?.id === id) {
          return { type: 'group', db, group: g };
        }
        const bead = g.beads.find((b) => b.id === id);
        if (bead) {
          // Reveal must be able to reach it: page far enough.
          const index = g.beads.indexOf(bead);
          const key = `${db.db.cwd}|${g.key}`;
          if (index >= (this.shown.get(key) ?? PAGE)) {
            this.shown.set(key, index + 1);
            this.changed.fire(undefined);
          }
          return { type: 'bead', db, bead, groupKey: g.key };
        }
      }
    }
    return undefined;
  }

  showMore(node: BeadsNode): void {
    if (node.type === 'more') {
      const key = `${node.db.db.cwd}|${node.groupKey}`;
      this.shown.set(key, (this.shown.get(key) ?? PAGE) + PAGE);
      this.changed.fire(undefined);
    }
  }

  getParent(node: BeadsNode): BeadsNode | undefined {
    switch (node.type) {
      case 'db':
        return undefined;
      case 'group':
      case 'message':
        return this.dbs.length > 1 ? { type: 'db', db: node.db } : undefined;
      case 'bead':
      case 'more': {
        const group = (this.groupsOf(node.db) ?? []).find((g) => g.key === node.groupKey);
        return group ? { type: 'group', db: node.db, group } : undefined;
      }
    }
  }

  firstBeadsAt: number | undefined;

  getChildren(node?: BeadsNode): BeadsNode[] {
    if (this.blockedReason) {
      return [];
    }
    if (!node) {
      // One database: its groups at the top; several: a section each.
      return this.dbs.length === 1 ? this.dbChildren(this.dbs[0]) : this.dbs.map((db): BeadsNode => ({ type: 'db', db }));
    }
    switch (node.type) {
      case 'db':
        return this.dbChildren(node.db);
      case 'group': {
        const key = `${node.db.db.cwd}|${node.group.key}`;
        const limit = this.shown.get(key) ?? PAGE;
        const out: BeadsNode[] = node.group.beads.slice(0, limit).map((bead) => ({ type: 'bead', db: node.db, bead, groupKey: node.group.key }));
        // For `npm run bench`: when VS Code first asked for bead rows.
        this.firstBeadsAt ??= out.length > 0 ? performance.now() : undefined;
        if (node.group.beads.length > limit) {
          out.push({ type: 'more', db: node.db, groupKey: node.group.key, left: node.group.beads.length - limit });
        }
        return out;
      }
      default:
        return [];
    }
  }

  private dbChildren(db: BeadsDatabase): BeadsNode[] {
    const state = db.resource.state;
    switch (state.kind) {
      case 'idle':
      case 'loading':
        return [{ type: 'message', db, kind: 'loading', text: 'Loading beads…' }];
      case 'error':
        // An error replaces the list it makes stale.
        return [{ type: 'message', db, kind: 'error', text: `Could not read beads: ${state.error.message}`, detail: state.error.message }];
      case 'ok': {
        const groups = this.groupsOf(db) ?? [];
        if (groups.length === 0) {
          return [{ type: 'message', db, kind: 'empty', text: this.filter.ready || this.filter.blocked || this.filter.text || this.filter.label || this.filter.assignee ? 'No beads match the filter' : 'No open beads' }];
        }
        return groups.map((group) => ({ type: 'group', db, group }));
      }
    }
  }

  getTreeItem(node: BeadsNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.type) {
      case 'db': {
        const item = new vscode.TreeItem(node.db.db.name, C.Expanded);
        item.id = `db:${node.db.db.cwd}`;
        const st = node.db.resource.state;
        item.description = st.kind === 'ok' ? `${this.visibleBeads(node.db).length} shown` : st.kind === 'error' ? 'error' : 'loading';
        item.iconPath = new vscode.ThemeIcon('database');
        item.tooltip = `${node.db.db.name}: ${node.db.db.cwd}${st.kind === 'ok' ? `\nread through ${st.value.via} in ${st.value.ms} ms` : ''}`;
        item.contextValue = 'beadsDb';
        return item;
      }
      case 'group': {
        const g = node.group;
        const item = new vscode.TreeItem(g.label, g.epic ? C.Collapsed : C.Expanded);
        item.id = `group:${node.db.db.cwd}|${g.key}`;
        item.description = g.epic ? `${g.epic.id} · ${g.beads.length}` : String(g.beads.length);
        if (g.epic) {
          item.iconPath = beadIcon(g.epic);
          item.tooltip = beadTooltip(g.epic, node.db.db.name);
          item.contextValue = `bead:${g.epic.status ?? ''}:epic`;
          item.command = { command: COMMANDS.beadsOpen, title: 'Open', arguments: [{ type: 'bead', db: node.db, bead: g.epic, groupKey: g.key }] };
        } else {
          item.iconPath = new vscode.ThemeIcon('list-tree');
          item.contextValue = 'beadGroup';
        }
        return item;
      }
      case 'bead': {
        const b = node.bead;
        // A plain string label: VS Code shows it as text (no codicons, no Markdown).
        const item = new vscode.TreeItem(b.title || b.id, C.None);
        item.id = `bead:${node.db.db.cwd}|${b.id}`;
        item.description = [b.id, b.assignee ? `@${b.assignee}` : '', age(b.updated_at ?? b.created_at)].filter((s) => s).join(' · ');
        item.iconPath = beadIcon(b);
        item.tooltip = beadTooltip(b, node.db.db.name);
        item.contextValue = `bead:${b.status ?? ''}:${b.issue_type ?? ''}`;
        item.command = { command: COMMANDS.beadsOpen, title: 'Open', arguments: [node] };
        item.accessibilityInformation = { label: `${b.id} ${b.title ?? ''}, ${b.status ?? ''}, priority ${b.priority ?? ''}` };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(`Show ${Math.min(PAGE, node.left)} more (${node.left} not shown)`, C.None);
        item.id = `more:${node.db.db.cwd}|${node.groupKey}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'gastown.beads.showMore', title: 'Show more', arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, C.None);
        item.id = `msg:${node.db.db.cwd}`;
        item.iconPath = new vscode.ThemeIcon(node.kind === 'loading' ? 'loading~spin' : node.kind === 'error' ? 'error' : 'info', node.kind === 'error' ? new vscode.ThemeColor('problemsErrorIcon.foreground') : undefined);
        item.tooltip = node.detail;
        item.contextValue = `beadsMessage:${node.kind}`;
        if (node.kind === 'error') {
          item.command = { command: 'gastown.beads.refresh', title: 'Retry' };
        }
        return item;
      }
    }
  }
}
