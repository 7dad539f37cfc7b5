import type { BeadSummary } from './beadSchemas';
import { MysqlConnection, MysqlError, Row, sqlIdentifier, sqlIdLiteral, sqlTextLiteral } from './mysqlWire';

// Read-only SQL reads of a beads database that give the same beads as the bd CLI (bd 1.2.2, schema v53).
// DESIGN.md's one measured exception (bd 1.0.0 listed 10,000 beads in 23 s; bd 1.2.2 in ~1 s, which the
// full list here beats 3-4x, and group counts and pages by 10-50x; see the bench, "beads at scale").
// Every statement here is built from constants; the only values that go in are checked literals
// (`sqlIdLiteral`, `sqlTextLiteral`, `sqlIdentifier`). Writes always go through bd.
//
// bd 1.2.2 `bd list` semantics mirrored here (cmd/bd/list_filter.go, internal/storage/sqlbuild):
// - statuses: without --status/--all, `closed`, `pinned` and custom statuses of category done/frozen are
//   excluded; --all lifts that; --status a,b selects exactly those;
// - `pinned = 1` rows are hidden unless --all or --status pinned/hooked; templates (`is_template = 1`) always;
// - types: `gate` and the infra types are excluded (config `types.infra`, default agent, role, message;
//   bd 1.0.x also had `rig`);
// - wisps (`wisps` table) are NOT listed (`SkipWisps` unless --include-infra / an infra --type);
// - order: priority ASC, created_at DESC, id ASC; labels sorted; `parent` = the smallest parent-child target;
//   `dependency_count` = own `blocks` deps, `dependent_count` = `blocks` deps on it (incl. from wisps),
//   `comment_count` = comments.

/** The bd schema versions (`schema_migrations`) this reader was checked against, by the stack test. */
export const VERIFIED_SCHEMA_VERSIONS: readonly number[] = [53];

const REQUIRED: Record<string, readonly string[]> = {
  issues: ['id', 'title', 'description', 'status', 'priority', 'issue_type', 'assignee', 'owner', 'created_at', 'updated_at', 'closed_at', 'ephemeral', 'pinned', 'is_template'],
  labels: ['issue_id', 'label'],
  dependencies: ['issue_id', 'type', 'depends_on_issue_id', 'depends_on_wisp_id', 'depends_on_external'],
  comments: ['issue_id'],
  config: ['key', 'value'],
  schema_migrations: ['version'],
};
const OPTIONAL_TABLES = ['custom_statuses', 'wisp_dependencies', 'wisps', 'wisp_labels', 'metadata'];

const DEFAULT_INFRA_TYPES = ['agent', 'role', 'message'];

/** What the queries need to know about one database; made by `schemaCheck`. */
export interface BeadsSchema {
  database: string;
  schemaVersion: number;
  /** `metadata.bd_version` when recorded. */
  bdVersion?: string;
  infraTypes: string[];
  /** Statuses `bd list` hides by default: closed, pinned, custom done/frozen. */
  hiddenStatuses: string[];
  hasWispDependencies: boolean;
  /** The wisps and wisp_labels tables (ephemeral beads: most of gt's mail) with the columns mail reads. */
  hasWisps: boolean;
}

export type SchemaCheck = { ok: true; schema: BeadsSchema } | { ok: false; reason: string };

export interface SchemaCheckOptions {
  /** Accept a schema version outside VERIFIED_SCHEMA_VERSIONS when every column is there. */
  acceptUnverified?: boolean;
  /** `.beads/config.yaml` `types.infra`, which bd uses when the database has no `types.infra` config. */
  yamlInfraTypes?: readonly string[];
  /** `.beads/config.yaml` `status.custom`, likewise. */
  yamlCustomStatuses?: string;
}

const list = (v: string | null | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Custom statuses `name[:category]`; those of category done or frozen are hidden by default. */
function hiddenCustomStatuses(spec: string): string[] {
  return list(spec)
    .map((part) => part.split(':'))
    .filter(([, cat]) => cat === 'done' || cat === 'frozen')
    .map(([name]) => name);
}

/**
 * Checks that the tables and columns the reads need exist, and that bd's schema version is one this reader
 * was verified against; loads the infra types and hidden statuses. Not ok → the caller uses the CLI.
 */
export async function schemaCheck(conn: MysqlConnection, db: string, opts: SchemaCheckOptions = {}): Promise<SchemaCheck> {
  let rows: Row[];
  try {
    const tables = [...Object.keys(REQUIRED), ...OPTIONAL_TABLES].map(sqlIdLiteral).join(', ');
    rows = await conn.query(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = ${sqlIdLiteral(db)} AND table_name IN (${tables})`,
    );
  } catch (e) {
    return { ok: false, reason: `cannot read the schema of ${db}: ${(e as Error).message}` };
  }
  const have = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = (r.t ?? '').toLowerCase();
    if (!have.has(t)) {
      have.set(t, new Set());
    }
    have.get(t)?.add((r.c ?? '').toLowerCase());
  }
  if (have.size === 0) {
    return { ok: false, reason: `database ${db} has no beads tables` };
  }
  for (const [table, cols] of Object.entries(REQUIRED)) {
    const got = have.get(table);
    if (!got) {
      return { ok: false, reason: `table ${table} is missing in ${db}` };
    }
    const missing = cols.filter((c) => !got.has(c));
    if (missing.length) {
      return { ok: false, reason: `${table} lacks ${missing.join(', ')} in ${db} (a bd schema this reader does not know)` };
    }
  }
  try {
    const q = sqlIdentifier(db);
    const [v] = await conn.query(`SELECT COALESCE(MAX(version), 0) AS v FROM ${q}.schema_migrations`);
    const schemaVersion = Number(v?.v ?? 0);
    if (!VERIFIED_SCHEMA_VERSIONS.includes(schemaVersion) && !opts.acceptUnverified) {
      return { ok: false, reason: `bd schema version ${schemaVersion} of ${db} is not one the SQL reader was verified against (${VERIFIED_SCHEMA_VERSIONS.join(', ')})` };
    }
    const config = await conn.query(`SELECT \`key\` AS k, value AS v FROM ${q}.config WHERE \`key\` IN ('types.infra', 'status.custom')`);
    const cfg = new Map(config.map((r) => [r.k ?? '', r.v ?? '']));
    let bdVersion: string | undefined;
    if (have.get('metadata')?.has('key')) {
      const [m] = await conn.query(`SELECT value AS v FROM ${q}.metadata WHERE \`key\` = 'bd_version'`);
      bdVersion = m?.v ?? undefined;
    }
    // Custom statuses: the custom_statuses table wins, then config status.custom, then config.yaml.
    let hidden: string[] = [];
    let fromTable = false;
    if (have.get('custom_statuses')?.has('category')) {
      const cs = await conn.query(`SELECT name AS n, category AS c FROM ${q}.custom_statuses`);
      fromTable = cs.length > 0;
      hidden = cs.filter((r) => r.c === 'done' || r.c === 'frozen').map((r) => r.n ?? '');
    }
    if (!fromTable) {
      hidden = hiddenCustomStatuses(cfg.get('status.custom') || opts.yamlCustomStatuses || '');
    }
    const infra = list(cfg.get('types.infra'));
    return {
      ok: true,
      schema: {
        database: db,
        schemaVersion,
        ...(bdVersion ? { bdVersion } : {}),
        infraTypes: infra.length ? infra : opts.yamlInfraTypes?.length ? [...opts.yamlInfraTypes] : [...DEFAULT_INFRA_TYPES],
        hiddenStatuses: ['closed', 'pinned', ...hidden.filter((s) => s !== '')],
        hasWispDependencies: have.get('wisp_dependencies')?.has('depends_on_issue_id') ?? false,
        hasWisps: ['id', 'title', 'description', 'status', 'priority', 'assignee', 'created_at'].every((c) => have.get('wisps')?.has(c)) && !!have.get('wisp_labels')?.has('label'),
      },
    };
  } catch (e) {
    return { ok: false, reason: `cannot read the bd configuration of ${db}: ${(e as Error).message}` };
  }
}

// --- filters ------------------------------------------------------------------------------------------

/** Fields a view groups by. `parent` is the parent-child dependency; null means "none". */
export type BeadGroupField = 'status' | 'issue_type' | 'priority' | 'assignee' | 'parent';

export interface BeadFilter {
  /** Like `bd list --status a,b`. Without it (and without `all`), bd's default hides closed/pinned. */
  statuses?: readonly string[];
  /** Like `bd list --all`. */
  all?: boolean;
  /** Only the beads of one group (a value of `countBeadsBy`; null = the empty group). */
  group?: { field: BeadGroupField; value: string | null };
}

const PARENT_EXPR = 'pc.parent_id';

function fieldExpr(field: BeadGroupField): string {
  return field === 'parent' ? PARENT_EXPR : `i.${field}`;
}

/** The WHERE clause `bd list` builds for these options (issues aliased `i`, parents `pc`). */
function whereClause(schema: BeadsSchema, f: BeadFilter): string {
  return `WHERE ${whereConditions(schema, f).join(' AND ')}`;
}

/** The conditions of that clause, to AND with others (issues aliased `i`). */
export function whereConditions(schema: BeadsSchema, f: BeadFilter): string[] {
  const w: string[] = [];
  if (f.statuses?.length) {
    w.push(`i.status IN (${f.statuses.map(sqlTextLiteral).join(', ')})`);
  } else if (!f.all) {
    w.push(`i.status NOT IN (${schema.hiddenStatuses.map(sqlTextLiteral).join(', ')})`);
  }
  const pinnedShown = f.all || (f.statuses?.length === 1 && (f.statuses[0] === 'pinned' || f.statuses[0] === 'hooked'));
  if (!pinnedShown) {
    w.push('(i.pinned = 0 OR i.pinned IS NULL)');
  }
  w.push('(i.is_template = 0 OR i.is_template IS NULL)');
  w.push(`i.issue_type NOT IN (${['gate', ...schema.infraTypes].map(sqlTextLiteral).join(', ')})`);
  if (f.group) {
    const e = fieldExpr(f.group.field);
    if (f.group.value === null || f.group.value === '') {
      w.push(f.group.field === 'priority' ? `${e} IS NULL` : `(${e} IS NULL OR ${e} = '')`);
    } else if (f.group.field === 'priority') {
      if (!/^-?\d+$/.test(f.group.value)) {
        throw new MysqlError('unsupported', `priority ${JSON.stringify(f.group.value)} is not an integer`);
      }
      w.push(`${e} = ${Number(f.group.value)}`);
    } else {
      w.push(`${e} = ${sqlTextLiteral(f.group.value)}`);
    }
  }
  return w;
}

function parentJoin(db: string): string {
  return `LEFT JOIN (SELECT issue_id, MIN(COALESCE(depends_on_issue_id, depends_on_wisp_id, depends_on_external)) AS parent_id FROM ${db}.dependencies WHERE type = 'parent-child' GROUP BY issue_id) pc ON pc.issue_id = i.id`;
}

// --- value formatting ---------------------------------------------------------------------------------

/** DATETIME text `2026-06-01 12:34:56[.123]` → bd's JSON form (Go RFC3339Nano in UTC): `2026-06-01T12:34:56[.123]Z`. */
export function toRfc3339(v: string | null | undefined): string | undefined {
  if (!v) {
    return undefined;
  }
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(v);
  if (!m) {
    return v;
  }
  const frac = (m[3] ?? '').replace(/0+$/, '');
  return `${m[1]}T${m[2]}${frac ? '.' + frac : ''}Z`;
}

const nonEmpty = (v: string | null | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : v);

// --- list -----------------------------------------------------------------------------------------------

/** Runs `read` in one read-only transaction: every query sees the same snapshot. */
export async function inSnapshot<T>(conn: MysqlConnection, read: () => Promise<T>): Promise<T> {
  await conn.query('START TRANSACTION READ ONLY');
  try {
    return await read();
  } finally {
    // Ends the read-only snapshot; on a dead connection the first error is the one to report.
    await conn.query('COMMIT').catch(() => undefined);
  }
}

/** Rows `{ i: issue id, l: label }` → each id's labels, in row order. */
export function groupLabels(rows: readonly Row[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const list = out.get(r.i ?? '');
    if (list) list.push(r.l ?? '');
    else out.set(r.i ?? '', [r.l ?? '']);
  }
  return out;
}

export interface ListOptions extends BeadFilter {
  /** 0 or absent: all. */
  limit?: number;
  offset?: number;
}

/**
 * The beads `bd list --json --limit 0` lists (with the same filter options), in bd's order, as BeadSummary:
 * the same keys bd prints (empty assignee/owner/labels/closed_at/parent and a false `ephemeral` omitted).
 *
 * One read-only transaction (a consistent snapshot): the issue rows (filtered, ordered, limited), then their
 * labels, parent, `blocks` counts both ways and comment counts: for a page or a small group, for its ids
 * only; for a long list, per table (cheaper than one big join).
 */
export async function listBeadsSql(conn: MysqlConnection, schema: BeadsSchema, opts: ListOptions = {}): Promise<BeadSummary[]> {
  const db = sqlIdentifier(schema.database);
  const limit = opts.limit && opts.limit > 0 ? ` LIMIT ${Math.floor(opts.limit)}${opts.offset ? ` OFFSET ${Math.floor(opts.offset)}` : ''}` : '';
  const byParent = opts.group?.field === 'parent';
  return inSnapshot(conn, async () => {
    const rows = await conn.query(
      `SELECT i.id, i.title, i.status, i.priority, i.issue_type, i.assignee, i.owner, i.created_at, i.updated_at, i.closed_at, i.ephemeral${byParent ? `, ${PARENT_EXPR} AS parent` : ''}
       FROM ${db}.issues i ${byParent ? parentJoin(db) : ''}
       ${whereClause(schema, opts)}
       ORDER BY i.priority ASC, i.created_at DESC, i.id ASC${limit}`,
    );
    if (rows.length === 0) {
      return [];
    }
    // A page or a small group reads its ids' rows only (when every id can be quoted); a long list reads the
    // tables whole (a long IN list costs more than it saves).
    const only = (limit || rows.length <= 500) && rows.every((r) => /^[A-Za-z0-9._-]+$/.test(r.id ?? '')) ? `(${rows.map((r) => sqlIdLiteral(r.id ?? '')).join(', ')})` : undefined;
    const and = (col: string): string => (only ? ` AND ${col} IN ${only}` : '');
    const target = 'COALESCE(depends_on_issue_id, depends_on_wisp_id, depends_on_external)';
    const labels = await conn.query(`SELECT issue_id AS i, label AS l FROM ${db}.labels WHERE 1 = 1${and('issue_id')}`);
    const parents = byParent ? [] : await conn.query(`SELECT issue_id AS i, MIN(${target}) AS v FROM ${db}.dependencies WHERE type = 'parent-child'${and('issue_id')} GROUP BY issue_id`);
    const blocking = await conn.query(`SELECT issue_id AS i, COUNT(*) AS v FROM ${db}.dependencies WHERE type = 'blocks'${and('issue_id')} GROUP BY issue_id`);
    const wispBlocks = schema.hasWispDependencies ? ` UNION ALL SELECT ${target} AS t FROM ${db}.wisp_dependencies WHERE type = 'blocks'` : '';
    const blocked = await conn.query(`SELECT t AS i, COUNT(*) AS v FROM (SELECT ${target} AS t FROM ${db}.dependencies WHERE type = 'blocks'${wispBlocks}) b WHERE t IS NOT NULL${and('t')} GROUP BY t`);
    const comments = await conn.query(`SELECT issue_id AS i, COUNT(*) AS v FROM ${db}.comments WHERE 1 = 1${and('issue_id')} GROUP BY issue_id`);
    const labelsOf = groupLabels(labels);
    const map = (rs: Row[]) => new Map(rs.map((r) => [r.i ?? '', r.v]));
    const parentOf = map(parents);
    const [out, into, commented] = [map(blocking), map(blocked), map(comments)];
    return rows.map((r) => {
      const id = r.id ?? '';
      return toBead(r, {
        labels: labelsOf.get(id),
        parent: byParent ? r.parent : parentOf.get(id),
        dependency_count: Number(out.get(id) ?? 0),
        dependent_count: Number(into.get(id) ?? 0),
        comment_count: Number(commented.get(id) ?? 0),
      });
    });
  });
}

interface Related {
  labels: string[] | undefined;
  parent: string | null | undefined;
  dependency_count: number;
  dependent_count: number;
  comment_count: number;
}

function toBead(r: Row, rel: Related): BeadSummary {
  const bead: BeadSummary = { id: r.id ?? '', title: r.title ?? '' };
  const status = nonEmpty(r.status);
  if (status) {
    bead.status = status;
  }
  bead.priority = Number(r.priority ?? 0);
  const type = nonEmpty(r.issue_type);
  if (type) {
    bead.issue_type = type;
  }
  const assignee = nonEmpty(r.assignee);
  if (assignee) {
    bead.assignee = assignee;
  }
  const owner = nonEmpty(r.owner);
  if (owner) {
    bead.owner = owner;
  }
  bead.created_at = toRfc3339(r.created_at);
  bead.updated_at = toRfc3339(r.updated_at);
  const closed = toRfc3339(r.closed_at);
  if (closed) {
    bead.closed_at = closed;
  }
  if (rel.labels?.length) {
    // bd sorts with Go's sort.Strings: by UTF-8 bytes, not UTF-16 units
    bead.labels = [...rel.labels].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
  if (r.ephemeral && r.ephemeral !== '0') {
    bead.ephemeral = true;
  }
  bead.dependency_count = rel.dependency_count;
  bead.dependent_count = rel.dependent_count;
  bead.comment_count = rel.comment_count;
  const parent = nonEmpty(rel.parent);
  if (parent) {
    bead.parent = parent;
  }
  return bead;
}

// --- aggregates for the first screen ------------------------------------------------------------------

export interface GroupCount {
  /** The group's value; null for "none" (no assignee, no parent; '' counts as none). Priorities as decimal strings. */
  key: string | null;
  count: number;
}

/** How many listed beads fall in each group, without loading the beads (one GROUP BY). */
export async function countBeadsBy(conn: MysqlConnection, schema: BeadsSchema, field: BeadGroupField, filter: BeadFilter = {}): Promise<GroupCount[]> {
  const db = sqlIdentifier(schema.database);
  const e = fieldExpr(field);
  const join = field === 'parent' || filter.group?.field === 'parent' ? parentJoin(db) : '';
  const rows = await conn.query(`SELECT ${e} AS k, COUNT(*) AS n FROM ${db}.issues i ${join} ${whereClause(schema, filter)} GROUP BY ${e} ORDER BY ${e}`);
  const merged = new Map<string | null, number>();
  for (const r of rows) {
    // '' and NULL are the same group ("none"): bd prints neither.
    const key = r.k === '' ? null : r.k;
    merged.set(key, (merged.get(key) ?? 0) + Number(r.n ?? 0));
  }
  return [...merged].map(([key, count]) => ({ key, count }));
}

/** The total `bd list` would print (`bd count` with the same filter). */
export async function countBeads(conn: MysqlConnection, schema: BeadsSchema, filter: BeadFilter = {}): Promise<number> {
  const db = sqlIdentifier(schema.database);
  const join = filter.group?.field === 'parent' ? parentJoin(db) : '';
  const [r] = await conn.query(`SELECT COUNT(*) AS n FROM ${db}.issues i ${join} ${whereClause(schema, filter)}`);
  return Number(r?.n ?? 0);
}

// --- change detection -----------------------------------------------------------------------------------

/**
 * A value that changes whenever the database's working set changes: any committed or uncommitted write
 * (bd 1.2.2 defaults to BD_DOLT_AUTO_COMMIT=off and leaves its writes in the working set), wisps included.
 * It is the working root's hash (`@@<db>_working`, or `DOLT_HASHOF_DB()` for a name that cannot be a
 * variable): one row, no table read, well under a millisecond of server work.
 */
export async function changeToken(conn: MysqlConnection, db: string): Promise<string> {
  let rows: Row[];
  if (/^[A-Za-z0-9_]+$/.test(db)) {
    rows = await conn.query(`SELECT @@${db}_working AS h`);
  } else {
    await conn.useDatabase(sqlIdentifier(db).slice(1, -1));
    rows = await conn.query(`SELECT DOLT_HASHOF_DB('WORKING') AS h`);
  }
  const h = rows[0]?.h;
  if (!h) {
    throw new MysqlError('unsupported', `no working-set hash for ${db} (not a Dolt server?)`);
  }
  return h;
}

/**
 * Like `changeToken`, but only for what `listBeadsSql` reads (the hashes of the issues, labels, dependencies,
 * comments and config tables): wisp traffic (mail, heartbeats) in the same database leaves it alone.
 * Selects `schema.database` as the connection's default database (DOLT_HASHOF_TABLE reads the current one).
 */
export async function beadsListToken(conn: MysqlConnection, schema: BeadsSchema): Promise<string> {
  const tables = ['issues', 'labels', 'dependencies', 'comments', 'config', ...(schema.hasWispDependencies ? ['wisp_dependencies'] : [])];
  await conn.useDatabase(sqlIdentifier(schema.database).slice(1, -1));
  const [r] = await conn.query(`SELECT CONCAT_WS(':', ${tables.map((t) => `DOLT_HASHOF_TABLE(${sqlIdLiteral(t)})`).join(', ')}) AS h`);
  if (!r?.h) {
    throw new MysqlError('unsupported', `no table hashes for ${schema.database} (not a Dolt server?)`);
  }
  return r.h;
}
