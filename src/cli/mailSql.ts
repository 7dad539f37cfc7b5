import type { MailMessage } from './mailClient';
import { priorityRank, messageTime } from '../model/mailQuery';
import { BeadsSchema, groupLabels, inSnapshot, toRfc3339, whereConditions } from './beadsSql';
import { MysqlConnection, Row, sqlIdentifier, sqlTextLiteral } from './mysqlWire';

// An inbox read with one read-only SQL snapshot instead of `gt mail inbox --json`, which runs four bd
// processes (0.35–0.7 s). The rules are gt v1.2.1's (internal/mail/mailbox.go listFromDir, types.go
// ToMessage), checked against gt's own output by the mail suite:
// - issues, as `bd list --label gt:message --assignee <id>` lists them (bd's default filters), status open or
//   hooked; or labelled `cc:<id>` and open;
// - then wisps (not in bd list), the same two ways, read directly as gt does, marked `wisp`;
// - `<id>` is each identity variant (mayor/ also mayor, deacon/ also deacon);
// - sorted by priority, then newest first.

/** gt's normalizeAddress: mayor/deacon keep a slash; `rig/crew/x`, `rig/polecats/x` → `rig/x`. */
export function normalizeMailAddress(s: string): string {
  if (s === 'mayor' || s === 'mayor/') return 'mayor/';
  if (s === 'deacon' || s === 'deacon/') return 'deacon/';
  const parts = s.split('/');
  if (parts.length === 2 && (parts[1] === 'mayor' || parts[1] === 'deacon')) return `${parts[1]}/`;
  if (parts.length === 3 && (parts[1] === 'crew' || parts[1] === 'polecat' || parts[1] === 'polecats')) return `${parts[0]}/${parts[2]}`;
  return s;
}

/** gt's AddressToIdentity: the mailbox an address reads (a trailing slash dropped, then normalized). */
export function mailIdentity(address: string): string {
  return normalizeMailAddress(address.endsWith('/') ? address.slice(0, -1) : address);
}

/** gt's identityVariants: town agents also read legacy messages addressed without the slash. */
export function identityVariants(identity: string): string[] {
  return identity === 'mayor/' || identity === 'deacon/' ? [identity, identity.slice(0, -1)] : [identity];
}

const PRIORITY: Record<number, string> = { 0: 'urgent', 1: 'high', 3: 'low' };
const TYPES = new Set(['task', 'escalation', 'scavenge', 'reply']);

/** One message bead (a row plus its labels) as gt's inbox JSON shows it. */
export function toMailMessage(r: Row, labels: readonly string[], wisp: boolean): MailMessage {
  const last = (prefix: string): string | undefined => {
    let v: string | undefined;
    for (const l of labels) if (l.startsWith(prefix)) v = l.slice(prefix.length);
    return v;
  };
  const kind = last('msg-type:') ?? '';
  const cc = labels.filter((l) => l.startsWith('cc:')).map((l) => normalizeMailAddress(l.slice(3)));
  const m: MailMessage = {
    id: r.id ?? '',
    from: normalizeMailAddress(last('from:') ?? ''),
    to: normalizeMailAddress(r.assignee ?? ''),
    subject: r.title ?? '',
    body: r.description ?? '',
    timestamp: toRfc3339(r.created_at) ?? '0001-01-01T00:00:00Z',
    read: r.status === 'closed' || labels.includes('read'),
    priority: PRIORITY[Number(r.priority)] ?? 'normal',
    type: TYPES.has(kind) ? kind : 'notification',
  };
  const thread = last('thread:');
  const replyTo = last('reply-to:');
  if (thread) m.thread_id = thread;
  if (replyTo) m.reply_to = replyTo;
  if (wisp) m.wisp = true;
  if (cc.length) m.cc = cc;
  return m;
}

/** gt's inbox order: priority, then newest first (ids break ties, which gt leaves unordered). */
export function sortInbox(list: MailMessage[]): MailMessage[] {
  return list.sort((a, b) => priorityRank(a) - priorityRank(b) || messageTime(b) - messageTime(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every message of `identity`'s inbox (read and unread, as `gt mail inbox --all --json`), in gt's order. */
export async function inboxSql(conn: MysqlConnection, schema: BeadsSchema, identity: string): Promise<MailMessage[]> {
  const db = sqlIdentifier(schema.database);
  const ids = identityVariants(identity).map(sqlTextLiteral).join(', ');
  const ccs = identityVariants(identity).map((v) => sqlTextLiteral(`cc:${v}`)).join(', ');
  const pick = (table: string, labels: string, conditions: readonly string[]): Promise<Row[]> =>
    conn.query(`SELECT i.id, i.title, i.description, i.status, i.priority, i.assignee, i.created_at FROM ${db}.${table} i
     WHERE ${[...conditions, "i.status IN ('open', 'hooked')"].join(' AND ')}
       AND EXISTS (SELECT 1 FROM ${db}.${labels} g WHERE g.issue_id = i.id AND g.label = 'gt:message')
       AND (i.assignee IN (${ids}) OR (i.status = 'open' AND EXISTS (SELECT 1 FROM ${db}.${labels} c WHERE c.issue_id = i.id AND c.label IN (${ccs}))))`);
  const labelsOf = async (table: string, rows: Row[]): Promise<Map<string, string[]>> =>
    rows.length === 0 ? new Map() : groupLabels(await conn.query(`SELECT issue_id AS i, label AS l FROM ${db}.${table} WHERE issue_id IN (${rows.map((r) => sqlTextLiteral(r.id ?? '')).join(', ')}) ORDER BY label`));
  return inSnapshot(conn, async () => {
    // bd's default list filters (without --all), as gt's `bd list` gets them; the status test narrows them.
    const issues = await pick('issues', 'labels', whereConditions(schema, {}));
    const wisps = schema.hasWisps ? await pick('wisps', 'wisp_labels', []) : [];
    const [il, wl] = [await labelsOf('labels', issues), await labelsOf('wisp_labels', wisps)];
    const seen = new Set<string>();
    const out: MailMessage[] = [];
    for (const [rows, labels, wisp] of [[issues, il, false], [wisps, wl, true]] as const) {
      for (const r of rows.filter((x) => !seen.has(x.id ?? ''))) {
        seen.add(r.id ?? '');
        out.push(toMailMessage(r, labels.get(r.id ?? '') ?? [], wisp));
      }
    }
    return sortInbox(out);
  });
}
