// Escalations as gt lists them: beads labelled `gt:escalation` whose severity and acknowledgement are labels,
// and whose reason, source and related bead are `key: value` lines of the description.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Escalation {
  id: string;
  title: string;
  severity: Severity;
  acked: boolean;
  createdAt?: string;
  reason?: string;
  source?: string;
  escalatedBy?: string;
  relatedBead?: string;
}

/** The fields of a bead that `gt escalate list --json` prints and that are read here. */
export interface EscalationBead {
  id: string;
  title?: string;
  description?: string;
  status?: string;
  created_at?: string;
  created_by?: string;
  labels?: string[] | null;
}

/** `key: value` lines of the description; gt writes `null` for an empty value. */
export function descriptionFields(description: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (description ?? '').split('\n')) {
    const m = /^([a-z_]+):\s*(.*)$/.exec(line.trim());
    if (m && m[2] !== '' && m[2] !== 'null' && !(m[1] in out)) {
      out[m[1]] = m[2];
    }
  }
  return out;
}

function asSeverity(s: string | undefined): Severity | undefined {
  return SEVERITIES.find((x) => x === s);
}

export function toEscalation(b: EscalationBead): Escalation {
  const labels = b.labels ?? [];
  const fields = descriptionFields(b.description);
  const fromLabel = labels.find((l) => l.startsWith('severity:'))?.slice('severity:'.length);
  return {
    id: b.id,
    title: b.title ?? b.id,
    // The label is what gt filters on; the description line is the fallback; medium is gt's default.
    severity: asSeverity(fromLabel) ?? asSeverity(fields.severity) ?? 'medium',
    acked: labels.includes('acked'),
    createdAt: b.created_at ?? fields.escalated_at,
    reason: fields.reason,
    source: fields.source,
    escalatedBy: fields.escalated_by ?? b.created_by,
    relatedBead: fields.related_bead,
  };
}

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Most severe first, then unacknowledged first, then newest first. */
export function sortEscalations(list: readonly Escalation[]): Escalation[] {
  return [...list].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || Number(a.acked) - Number(b.acked) || (b.createdAt ?? '').localeCompare(a.createdAt ?? ''),
  );
}

export interface EscalationSummary {
  count: number;
  /** The most severe of all open escalations. */
  highest?: Severity;
  /** The most severe of those nobody acknowledged yet: it sets the item's colour. */
  highestUnacked?: Severity;
}

export function summarize(list: readonly Escalation[]): EscalationSummary {
  const best = (xs: readonly Escalation[]): Severity | undefined => sortEscalations(xs)[0]?.severity;
  return { count: list.length, highest: best(list), highestUnacked: best(list.filter((e) => !e.acked)) };
}

/** Escalations that deserve a notification: critical or high, not acknowledged, not notified before. */
export function toNotify(list: readonly Escalation[], notified: ReadonlySet<string>): Escalation[] {
  return list.filter((e) => (e.severity === 'critical' || e.severity === 'high') && !e.acked && !notified.has(e.id));
}
