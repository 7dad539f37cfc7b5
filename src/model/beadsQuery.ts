import type { BeadSummary } from '../cli/beadSchemas';

// Which beads the Beads view lists, how it groups them, and what its filters keep. Pure: the tree renders it.

export type GroupBy = 'epic' | 'status' | 'type' | 'priority' | 'assignee';
export const GROUP_BYS: readonly GroupBy[] = ['epic', 'status', 'type', 'priority', 'assignee'];

export interface BeadFilter {
  /** Only what `bd ready` lists. */
  ready?: boolean;
  /** Only what `bd blocked` lists. */
  blocked?: boolean;
  /** Only beads assigned to this identity. */
  assignee?: string;
  label?: string;
  /** Case-insensitive substring of id or title. */
  text?: string;
  /** Closed beads are hidden unless this is set. */
  showClosed?: boolean;
}

// Infrastructure has its own views (mail, escalations, convoys, agents) or is machinery (molecules, wisps).
const INFRA_TYPES = new Set(['agent', 'rig', 'role', 'message', 'convoy', 'molecule', 'gate', 'event', 'slot']);
const INFRA_LABELS = new Set(['gt:message', 'gt:escalation', 'gt:agent', 'gt:rig', 'gt:role', 'gt:convoy', 'gt:molecule']);

export function isInfrastructure(b: BeadSummary): boolean {
  if (INFRA_TYPES.has(b.issue_type ?? '') || b.ephemeral === true || /-wisp-/.test(b.id)) {
    return true;
  }
  return (b.labels ?? []).some((l) => INFRA_LABELS.has(l));
}

export function isClosed(b: BeadSummary): boolean {
  return b.status === 'closed' || b.status === 'tombstone';
}

/** Whether a filter narrows anything (the view shows "Clear filter" then). */
export function filterActive(f: BeadFilter): boolean {
  return !!(f.ready || f.blocked || f.assignee || f.label || f.text || f.showClosed);
}

/** The view's description: what the filter keeps, in a few words. */
export function describeFilter(f: BeadFilter, group: GroupBy): string {
  const parts: string[] = [];
  if (f.ready) parts.push('ready');
  if (f.blocked) parts.push('blocked');
  if (f.assignee) parts.push(`@${f.assignee}`);
  if (f.label) parts.push(`label:${f.label}`);
  if (f.text) parts.push(`"${f.text}"`);
  if (f.showClosed) parts.push('+closed');
  return [group === 'epic' ? 'by epic' : `by ${group}`, ...parts].join(' · ');
}

export interface FilterSets {
  ready?: ReadonlySet<string>;
  blocked?: ReadonlySet<string>;
}

/** The work beads a filter keeps, in the order bd lists them. */
export function applyFilter(beads: readonly BeadSummary[], f: BeadFilter, sets: FilterSets = {}): BeadSummary[] {
  const text = f.text?.toLowerCase();
  return beads.filter((b) => {
    if (isInfrastructure(b)) return false;
    if (!f.showClosed && isClosed(b)) return false;
    if (f.ready && !sets.ready?.has(b.id)) return false;
    if (f.blocked && !sets.blocked?.has(b.id)) return false;
    if (f.assignee && b.assignee !== f.assignee) return false;
    if (f.label && !(b.labels ?? []).includes(f.label)) return false;
    if (text && !b.id.toLowerCase().includes(text) && !(b.title ?? '').toLowerCase().includes(text)) return false;
    return true;
  });
}

export interface BeadGroup {
  /** Stable within a grouping: derived from what the group is. */
  key: string;
  label: string;
  /** For epic groups, the epic itself. */
  epic?: BeadSummary;
  beads: BeadSummary[];
}

const STATUS_ORDER = ['in_progress', 'hooked', 'open', 'blocked', 'deferred', 'pinned', 'closed'];

// One collator: `localeCompare` with options builds a new one per call, seconds at 10,000 beads.
const idOrder = new Intl.Collator(undefined, { numeric: true });

function byPriorityThenId(a: BeadSummary, b: BeadSummary): number {
  return (a.priority ?? 9) - (b.priority ?? 9) || idOrder.compare(a.id, b.id);
}

function orderedGroups(beads: readonly BeadSummary[], keyOf: (b: BeadSummary) => string, order: (a: string, b: string) => number, labelOf: (k: string) => string, prefix: string): BeadGroup[] {
  const map = new Map<string, BeadSummary[]>();
  for (const b of beads) {
    const k = keyOf(b);
    let list = map.get(k);
    if (!list) {
      list = [];
      map.set(k, list);
    }
    list.push(b);
  }
  return [...map.keys()].sort(order).map((k) => ({ key: `${prefix}:${k}`, label: labelOf(k), beads: (map.get(k) ?? []).sort(byPriorityThenId) }));
}

const rank = (list: readonly string[]) => (a: string, b: string): number => {
  const ia = list.indexOf(a);
  const ib = list.indexOf(b);
  return (ia < 0 ? list.length : ia) - (ib < 0 ? list.length : ib) || a.localeCompare(b);
};

export function groupByStatus(beads: readonly BeadSummary[]): BeadGroup[] {
  return orderedGroups(beads, (b) => b.status ?? 'unknown', rank(STATUS_ORDER), (k) => k.replace(/_/g, ' '), 'status');
}

/**
 * Groups the filtered beads. `epic`: each epic with its children (those the filter kept), then every other
 * bead by status; an epic the filter dropped still heads its kept children.
 */
export function groupBeads(kept: readonly BeadSummary[], by: GroupBy, all: readonly BeadSummary[] = kept): BeadGroup[] {
  switch (by) {
    case 'status':
      return groupByStatus(kept);
    case 'type':
      return orderedGroups(kept, (b) => b.issue_type ?? 'task', rank(['epic', 'feature', 'bug', 'task', 'chore']), (k) => k, 'type');
    case 'priority':
      return orderedGroups(kept, (b) => String(b.priority ?? '?'), (a, b) => a.localeCompare(b), (k) => `P${k}`, 'priority');
    case 'assignee':
      return orderedGroups(kept, (b) => b.assignee ?? '', (a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)), (k) => k || 'unassigned', 'assignee');
    case 'epic': {
      const epicsById = new Map(all.filter((b) => b.issue_type === 'epic').map((b) => [b.id, b]));
      const children = new Map<string, BeadSummary[]>();
      const rest: BeadSummary[] = [];
      for (const b of kept) {
        const parent = b.parent ? epicsById.get(b.parent) : undefined;
        if (parent) {
          const list = children.get(parent.id) ?? [];
          list.push(b);
          children.set(parent.id, list);
        } else if (b.issue_type !== 'epic') {
          rest.push(b);
        }
      }
      const keptIds = new Set(kept.map((b) => b.id));
      const epics = [...epicsById.values()].filter((e) => keptIds.has(e.id) || children.has(e.id)).sort(byPriorityThenId);
      const groups: BeadGroup[] = epics.map((e) => ({ key: `epic:${e.id}`, label: e.title ?? e.id, epic: e, beads: (children.get(e.id) ?? []).sort(byPriorityThenId) }));
      return [...groups, ...groupByStatus(rest)];
    }
  }
}

export function labelsOf(beads: readonly BeadSummary[]): string[] {
  return [...new Set(beads.filter((b) => !isInfrastructure(b)).flatMap((b) => b.labels ?? []))].sort();
}

/** "3d", "5h", "12m": how long ago, for descriptions. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 86400 * 60) return `${Math.floor(s / 86400)}d`;
  return `${Math.floor(s / (86400 * 30))}mo`;
}
