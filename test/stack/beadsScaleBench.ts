import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beadsListToken, changeToken, countBeadsBy, listBeadsSql, schemaCheck } from '../../src/cli/beadsSql';
import { MysqlConnection } from '../../src/cli/mysqlWire';
import { BdClient } from '../../src/cli/bdClient';
import { BeadsDatabase } from '../../src/model/beadsModel';
import { applyFilter, groupBeads } from '../../src/model/beadsQuery';
import { sqlFirstBeadsReader } from '../../src/model/sqlBeadsReader';
import { runTool, startScratchBeads } from './beadsFixture';

/**
 * What the Beads view's model does at this size, without VS Code: from subscribing to a database (connect,
 * schema check, list, filter and group) to the first screen; and from an outside `bd update` returning to the
 * model holding the change, with the 1-second token poll a visible view runs.
 */
async function modelFigures(bin: string, projDir: string, env: Record<string, string>, k: string, some: string): Promise<BenchRow[]> {
  const bd = new BdClient(() => path.join(bin, 'bd'), () => env);
  const quiet = { info: () => undefined, warn: () => undefined };
  // The scratch server gets a new port each run; bd and the extension both honour this variable.
  const savedPort = process.env.BEADS_DOLT_SERVER_PORT;
  process.env.BEADS_DOLT_SERVER_PORT = env.BEADS_DOLT_SERVER_PORT;
  let via = '';
  const first: number[] = [];
  for (let i = 0; i < 3; i++) {
    const d = new BeadsDatabase({ cwd: projDir, name: 'bench' }, sqlFirstBeadsReader(bd, quiet));
    const t = Date.now();
    const sub = d.resource.subscribe();
    await new Promise<void>((resolve) => d.resource.onDidChange((st) => (st.kind === 'ok' || st.kind === 'error') && resolve()));
    const snap = d.resource.value;
    via = snap?.via ?? 'error';
    groupBeads(applyFilter(snap?.beads ?? [], {}), 'epic', snap?.beads ?? []);
    first.push(Date.now() - t);
    sub.dispose();
    d.dispose();
  }
  first.sort((a, b) => a - b);
  const d = new BeadsDatabase({ cwd: projDir, name: 'bench' }, sqlFirstBeadsReader(bd, quiet));
  const sub = d.resource.subscribe();
  await new Promise<void>((resolve) => d.resource.onDidChange((st) => st.kind === 'ok' && resolve()));
  const poll = setInterval(() => d.resource.invalidate(), 1000);
  const seen: number[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const want = `bench ${Date.now()}`;
      await runTool(path.join(bin, 'bd'), ['update', some, `--title=${want}`], { cwd: projDir, env });
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
    sub.dispose();
    d.dispose();
    if (savedPort === undefined) {
      delete process.env.BEADS_DOLT_SERVER_PORT;
    } else {
      process.env.BEADS_DOLT_SERVER_PORT = savedPort;
    }
  }
  seen.sort((a, b) => a - b);
  return [
    { what: `[${k}] Beads view model: subscribe → first screen (SQL list + group by epic)`, figure: `${first[1]} ms (median of 3)`, note: `${first.join(', ')} ms; read through ${via}` },
    { what: `[${k}] freshness: outside bd update → in the model (1 s token poll, no file watcher)`, figure: `${seen[2]} ms (median of 5)`, note: seen.join(', ') + ' ms' },
  ];
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
 * Measures, for each size: the bd commands a Beads view could use, and the SQL reads that replace them.
 * `sizes` defaults to 1,000 and 10,000; `GASTOWN_BENCH_BEADS=1000` limits it (e.g. to skip the 10k build).
 */
export async function benchBeadsAtScale(bin: string, sizes: number[], log: (line: string) => void = () => undefined): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bdVersion = (await runTool(path.join(bin, 'bd'), ['version'], { cwd: os.tmpdir(), env: { ...process.env } as Record<string, string> })).stdout.trim().split(/\s+/)[2] ?? 'unknown';
  for (const n of sizes) {
    const dir = path.join(os.homedir(), '.cache', 'gastown-vscode', 'beads-scale', `bd-${bdVersion}-${n}-${GENERATOR}`);
    const cached = fs.existsSync(path.join(dir, '.ready'));
    log(`beads at scale: ${cached ? 'starting' : 'building'} a ${n}-bead database in ${dir}`);
    const t0 = Date.now();
    const db = await startScratchBeads({ bin, dir, prefix: 'sc', count: n, seed: 1 });
    const k = n >= 1000 ? `${n / 1000}k` : String(n);
    rows.push({ what: `[${k}] make the database (bd init --server + bd import)`, figure: cached ? 'cached' : `${((Date.now() - t0) / 1000).toFixed(0)} s`, note: dir });
    try {
      const bd = (args: string[]) => runTool(path.join(bin, 'bd'), args, { cwd: db.projDir, env: db.env });
      const some = (JSON.parse((await bd(['list', '--json', '--limit', '1'])).stdout) as { id: string }[])[0]?.id ?? '';
      const cli: [string, string[], number][] = [
        ['bd list --json --limit 0', ['list', '--json', '--limit', '0'], 3],
        ['bd list --json --limit 50', ['list', '--json', '--limit', '50'], 3],
        ['bd list --json --status open --limit 0', ['list', '--json', '--status', 'open', '--limit', '0'], 3],
        ['bd list --json --all --limit 0', ['list', '--json', '--all', '--limit', '0'], 1],
        ['bd count', ['count'], 3],
        ['bd count --by-status', ['count', '--by-status'], 3],
        ['bd ready --json --limit 0', ['ready', '--json', '--limit', '0'], 3],
        [`bd show <id> --json`, ['show', some, '--json'], 3],
        ['bd status --json', ['status', '--json'], 3],
      ];
      for (const [what, args, runs] of cli) {
        log(`beads at scale: ${k} ${what}`);
        rows.push({ what: `[${k}] ${what}`, figure: fmt(await median(runs, () => bd(args))) });
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
      rows.push(...(await modelFigures(bin, db.projDir, db.env, k, some)));
    } finally {
      await db.stop();
    }
  }
  rows.push({ what: 'filesystem signal: <data-dir>/<db>/.dolt/noms/vvvv… (chunk journal) mtime', figure: '0 (a watcher)', note: 'moves on every bd write (auto-commit on or off), never on reads; asserted by test/stack' });
  return rows;
}
