import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beadsListToken, changeToken, countBeadsBy, listBeadsSql, schemaCheck } from '../../src/cli/beadsSql';
import { MysqlConnection } from '../../src/cli/mysqlWire';
import { BdClient } from '../../src/cli/bdClient';
import { BeadsDatabase, BeadsReader } from '../../src/model/beadsModel';
import { cliBeadsReader } from '../../src/model/beadsReaders';
import { sqlFirstBeadsReader } from '../../src/model/sqlBeadsReader';
import type { BeadsNode } from '../../src/ui/views/beadsTree';
import { runTool, ScratchBeads, startScratchBeads } from './beadsFixture';
import { installVscodeStandIn, TreeItemCollapsibleState } from './vscodeStandIn';

type TreeProvider = typeof import('../../src/ui/views/beadsTree').BeadsTreeProvider;

/** What VS Code asks a tree for before it draws it: the top-level rows and, under each expanded row, its children. */
function firstScreenItems(tree: InstanceType<TreeProvider>): number {
  let n = 0;
  const walk = (node?: BeadsNode): void => {
    for (const child of tree.getChildren(node)) {
      n++;
      if (Number(tree.getTreeItem(child).collapsibleState) === TreeItemCollapsibleState.Expanded) {
        walk(child);
      }
    }
  };
  walk();
  return n;
}

export interface ViewTimes {
  /** Subscribe → every bead read and parsed (the resource's first value). */
  loadMs: number;
  /** Subscribe → the tree items of the first screen built (grouping included). */
  totalMs: number;
  items: number;
  via: string;
}

/** The Beads view opened on one database, without VS Code: the real model, reader and tree provider. */
async function openView(Tree: TreeProvider, projDir: string, reader: BeadsReader): Promise<{ d: BeadsDatabase; times: ViewTimes; close: () => void }> {
  const d = new BeadsDatabase({ cwd: projDir, name: 'bench' }, reader);
  const tree = new Tree();
  tree.setDatabases([d]);
  const t = performance.now();
  const sub = d.resource.subscribe();
  await new Promise<void>((resolve) => d.resource.onDidChange((st) => (st.kind === 'ok' || st.kind === 'error') && resolve()));
  const loadMs = performance.now() - t;
  const items = firstScreenItems(tree);
  const totalMs = performance.now() - t;
  const st = d.resource.state;
  const via = st.kind === 'ok' ? st.value.via : st.kind === 'error' ? `error: ${st.error.message.split('\n')[0]}` : st.kind;
  return { d, times: { loadMs, totalMs, items, via }, close: () => [sub, tree, d].forEach((x) => x.dispose()) };
}

/** The view opened `runs` times (fewer when one takes over 5 s), closed after each; the median by total time. */
async function medianOpen(Tree: TreeProvider, projDir: string, reader: () => BeadsReader, runs: number): Promise<{ median: ViewTimes; all: ViewTimes[] }> {
  const all: ViewTimes[] = [];
  for (let i = 0; i < runs && !(all[0]?.totalMs > 5000); i++) {
    const v = await openView(Tree, projDir, reader());
    v.close();
    all.push(v.times);
  }
  all.sort((a, b) => a.totalMs - b.totalMs);
  return { median: all[Math.floor(all.length / 2)], all };
}

/** heapUsed in MB, after a full gc when node runs with --expose-gc. */
function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1048576;
}

/**
 * The heap with the view loaded (before any other view of this size opened: what a closed one leaves for a while
 * would count), then, on that view, from an outside `bd update` returning to the model holding the change, with
 * the 1-second token poll a visible view runs.
 */
async function heapAndFreshness(Tree: TreeProvider, projDir: string, reader: BeadsReader, bd: string, env: Record<string, string>, some: string): Promise<{ before: number; after: number; seen: number[] }> {
  const before = heapMb();
  const view = await openView(Tree, projDir, reader);
  const after = heapMb();
  const d = view.d;
  const poll = setInterval(() => d.resource.invalidate(), 1000);
  const seen: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const want = `bench ${Date.now()}`;
      await runTool(bd, ['update', some, `--title=${want}`], { cwd: projDir, env });
      const t = Date.now();
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (d.resource.value?.byId.get(some)?.title === want) {
            resolve();
          } else {
            setTimeout(check, 20);
          }
        };
        check();
      });
      seen.push(Date.now() - t);
    }
  } finally {
    clearInterval(poll);
    view.close();
  }
  return { before, after, seen: seen.sort((a, b) => a - b) };
}

/**
 * What the Beads view does at this size, without VS Code: from subscribing to a database (connect, schema check,
 * list, parse, filter, group, the first screen's tree items) with the SQL-first reader (the default) and with bd
 * only (`gastown.beads.sqlReads: off`), each against `bd list --json --limit 0` of this run; the heap with the
 * view loaded; freshness.
 */
async function modelFigures(bin: string, projDir: string, env: Record<string, string>, k: string, some: string, raw: { list: number; all: number }): Promise<{ rows: BenchRow[]; figures: BeadsSizeFigures }> {
  installVscodeStandIn();
  const Tree: TreeProvider = (await import('../../src/ui/views/beadsTree')).BeadsTreeProvider;
  const bd = new BdClient(() => path.join(bin, 'bd'), () => env);
  const quiet = { info: () => undefined, warn: () => undefined };
  const rows: BenchRow[] = [];
  const figures: BeadsSizeFigures = { bdListMs: raw.list, bdListAllMs: raw.all };
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const readers: ['sqlFirst' | 'cliOnly', string, () => BeadsReader, number][] = [
    ['sqlFirst', 'SQL-first reader, the default', () => sqlFirstBeadsReader(bd, quiet), 3],
    ['cliOnly', 'bd only, beads.sqlReads off', () => cliBeadsReader(bd), 3],
  ];
  // The scratch server gets a new port each run; bd and the extension both honour this variable.
  const savedPort = process.env.BEADS_DOLT_SERVER_PORT;
  process.env.BEADS_DOLT_SERVER_PORT = env.BEADS_DOLT_SERVER_PORT;
  try {
    const { before, after, seen } = await heapAndFreshness(Tree, projDir, readers[0][2](), path.join(bin, 'bd'), env, some);
    for (const [key, label, reader, runs] of readers) {
      const { median: m, all: opened } = await medianOpen(Tree, projDir, reader, runs);
      figures[key] = { ...m, ratio: m.totalMs / raw.list };
      rows.push(
        { what: `[${k}] Beads view (${label}): open → all beads loaded + first screen's tree items`, figure: `${ms(m.totalMs)} (median of ${opened.length})`, note: `read + parse ${ms(m.loadMs)}, group + ${m.items} TreeItems ${ms(m.totalMs - m.loadMs)}; runs ${opened.map((o) => ms(o.totalMs)).join(', ')}; via ${m.via}; BeadsTreeProvider on a vscode stand-in (test/stack/vscodeStandIn.ts)` },
        { what: `[${k}] ratio: that / bd list --json --limit 0 (same run)`, figure: (m.totalMs / raw.list).toFixed(2), note: `${ms(m.totalMs)} / ${ms(raw.list)}; the view reads closed beads too: / bd list --json --all --limit 0 (${ms(raw.all)}) = ${(m.totalMs / raw.all).toFixed(2)}` },
      );
    }
    figures.heapUsedMb = after;
    figures.heapLoadMb = after - before;
    const gcNote = (globalThis as { gc?: unknown }).gc ? 'after a full gc (--expose-gc)' : 'no --expose-gc: without a gc, so garbage included';
    rows.push(
      { what: `[${k}] heap used with the Beads view loaded (SQL-first)`, figure: `${after.toFixed(1)} MB`, note: `${(after - before).toFixed(1)} MB more than before it opened; process.memoryUsage().heapUsed ${gcNote}` },
      { what: `[${k}] freshness: outside bd update → in the model (1 s token poll, no file watcher)`, figure: `${seen[2]} ms (median of 5)`, note: seen.join(', ') + ' ms' },
    );
  } finally {
    if (savedPort === undefined) {
      delete process.env.BEADS_DOLT_SERVER_PORT;
    } else {
      process.env.BEADS_DOLT_SERVER_PORT = savedPort;
    }
  }
  return { rows, figures };
}

// `npm run bench`, section "beads at scale": bd CLI reads against the SQL reader on generated databases of
// 1,000 and 10,000 beads (built once with the real bd, cached under ~/.cache/gastown-vscode/beads-scale).

/** Bump when generateBeadsJsonl changes, so cached databases are rebuilt. */
const GENERATOR = 'g1';

export interface BenchRow {
  what: string;
  figure: string;
  note?: string;
}

/** One way of reading, opened as the Beads view, with `ratio`: totalMs / `bd list --json --limit 0` of the same run. */
export type ViewLoadFigures = ViewTimes & { ratio: number };

/** bench/results.json's `beads[<size>]`. */
export interface BeadsSizeFigures {
  bdListMs: number;
  bdListAllMs: number;
  sqlFirst?: ViewLoadFigures;
  cliOnly?: ViewLoadFigures;
  heapUsedMb?: number;
  heapLoadMb?: number;
}

async function median(runs: number, fn: () => Promise<unknown>, slowMs = 5000): Promise<{ ms: number; runs: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    // a slow command is measured once, to keep the bench short
    if (times[0] > slowMs) {
      break;
    }
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], runs: times.length };
}

const fmt = (m: { ms: number; runs: number }): string => (m.ms >= 1000 ? `${(m.ms / 1000).toFixed(2)} s` : `${m.ms.toFixed(m.ms < 10 ? 2 : 0)} ms`) + (m.runs > 1 ? ` (median of ${m.runs})` : ' (1 run)');

/**
 * The generated `n`-bead database, built by the real bd the first time and cached under
 * ~/.cache/gastown-vscode/beads-scale (one per bd version and generator), started on its own Dolt server.
 */
export async function scaleDatabase(bin: string, n: number, log: (line: string) => void = () => undefined): Promise<{ db: ScratchBeads; dir: string; cached: boolean }> {
  const bdVersion = (await runTool(path.join(bin, 'bd'), ['version'], { cwd: os.tmpdir(), env: { ...process.env } as Record<string, string> })).stdout.trim().split(/\s+/)[2] ?? 'unknown';
  const dir = path.join(os.homedir(), '.cache', 'gastown-vscode', 'beads-scale', `bd-${bdVersion}-${n}-${GENERATOR}`);
  const cached = fs.existsSync(path.join(dir, '.ready'));
  log(`beads at scale: ${cached ? 'starting' : 'building'} a ${n}-bead database in ${dir}`);
  return { db: await startScratchBeads({ bin, dir, prefix: 'sc', count: n, seed: 1 }), dir, cached };
}

/**
 * Measures, for each size: the bd commands a Beads view could use, and the SQL reads that replace them.
 * `sizes` defaults to 1,000 and 10,000; `GASTOWN_BENCH_BEADS=1000` limits it (e.g. to skip the 10k build).
 */
export async function benchBeadsAtScale(bin: string, sizes: number[], log: (line: string) => void = () => undefined): Promise<{ rows: BenchRow[]; figures: Record<number, BeadsSizeFigures> }> {
  const rows: BenchRow[] = [];
  const figures: Record<number, BeadsSizeFigures> = {};
  for (const n of sizes) {
    const t0 = Date.now();
    const { db, dir, cached } = await scaleDatabase(bin, n, log);
    const k = n >= 1000 ? `${n / 1000}k` : String(n);
    rows.push({ what: `[${k}] make the database (bd init --server + bd import)`, figure: cached ? 'cached' : `${((Date.now() - t0) / 1000).toFixed(0)} s`, note: dir });
    try {
      const bd = (args: string[]) => runTool(path.join(bin, 'bd'), args, { cwd: db.projDir, env: db.env });
      const some = (JSON.parse((await bd(['list', '--json', '--limit', '1'])).stdout) as { id: string }[])[0]?.id ?? '';
      const cli: [string, string[], number][] = [
        ['bd list --json --limit 0', ['list', '--json', '--limit', '0'], 3],
        ['bd list --json --limit 50', ['list', '--json', '--limit', '50'], 3],
        ['bd list --json --status open --limit 0', ['list', '--json', '--status', 'open', '--limit', '0'], 3],
        ['bd list --json --all --limit 0', ['list', '--json', '--all', '--limit', '0'], 3],
        ['bd count', ['count'], 3],
        ['bd count --by-status', ['count', '--by-status'], 3],
        ['bd ready --json --limit 0', ['ready', '--json', '--limit', '0'], 3],
        [`bd show <id> --json`, ['show', some, '--json'], 3],
        ['bd status --json', ['status', '--json'], 3],
      ];
      const cliMs = new Map<string, number>();
      for (const [what, args, runs] of cli) {
        log(`beads at scale: ${k} ${what}`);
        const m = await median(runs, () => bd(args));
        cliMs.set(what, m.ms);
        rows.push({ what: `[${k}] ${what}`, figure: fmt(m) });
      }
      let conn: MysqlConnection | undefined;
      const connect = await median(5, async () => {
        await conn?.close();
        conn = await MysqlConnection.connect({ host: '127.0.0.1', port: db.port, user: 'root', queryTimeoutMs: 60_000 });
      });
      if (!conn) {
        throw new Error('no connection');
      }
      const c = conn;
      rows.push({ what: `[${k}] SQL connect (TCP + handshake + auth)`, figure: fmt(connect) });
      const check = await schemaCheck(c, db.database);
      if (!check.ok) {
        rows.push({ what: `[${k}] SQL schema check`, figure: 'FAILED', note: check.reason });
        continue;
      }
      const schema = check.schema;
      rows.push({ what: `[${k}] SQL schemaCheck`, figure: fmt(await median(5, () => schemaCheck(c, db.database))) });
      let listed = 0;
      const sql: [string, () => Promise<unknown>, number][] = [
        ['SQL list = bd list --limit 0', async () => (listed = (await listBeadsSql(c, schema)).length), 5],
        ['SQL list --all', () => listBeadsSql(c, schema, { all: true }), 3],
        ['SQL list --status open', () => listBeadsSql(c, schema, { statuses: ['open'] }), 5],
        ['SQL first page (limit 50)', () => listBeadsSql(c, schema, { limit: 50 }), 5],
        ['SQL counts by status (--all)', () => countBeadsBy(c, schema, 'status', { all: true }), 5],
        ['SQL counts by type', () => countBeadsBy(c, schema, 'issue_type'), 5],
        ['SQL counts by priority', () => countBeadsBy(c, schema, 'priority'), 5],
        ['SQL counts by assignee', () => countBeadsBy(c, schema, 'assignee'), 5],
        ['SQL counts by parent', () => countBeadsBy(c, schema, 'parent'), 5],
        ['SQL one group: status=open, first 100', () => listBeadsSql(c, schema, { group: { field: 'status', value: 'open' }, limit: 100 }), 5],
        ['SQL one group: parent=sc-e0 (all its children)', () => listBeadsSql(c, schema, { all: true, group: { field: 'parent', value: 'sc-e0' } }), 5],
        ['SQL changeToken (@@<db>_working)', () => changeToken(c, db.database), 20],
        ['SQL beadsListToken (DOLT_HASHOF_TABLE × 5)', () => beadsListToken(c, schema), 20],
      ];
      for (const [what, fn, runs] of sql) {
        log(`beads at scale: ${k} ${what}`);
        rows.push({ what: `[${k}] ${what}`, figure: fmt(await median(runs, fn)) });
      }
      rows.push({ what: `[${k}] beads in the default list`, figure: String(listed) });
      await c.close();
      log(`beads at scale: ${k} the view's model`);
      const model = await modelFigures(bin, db.projDir, db.env, k, some, { list: cliMs.get(cli[0][0]) ?? NaN, all: cliMs.get(cli[3][0]) ?? NaN });
      rows.push(...model.rows);
      figures[n] = model.figures;
    } finally {
      await db.stop();
    }
  }
  rows.push({ what: 'filesystem signal: <data-dir>/<db>/.dolt/noms/vvvv… (chunk journal) mtime', figure: '0 (a watcher)', note: 'moves on every bd write (auto-commit on or off), never on reads; asserted by test/stack' });
  return { rows, figures };
}
