import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BeadFilter, BeadsSchema, beadsListToken, changeToken, countBeads, countBeadsBy, listBeadsSql, schemaCheck } from '../../src/cli/beadsSql';
import { MysqlConnection } from '../../src/cli/mysqlWire';
import { resolveDoltTarget } from '../../src/town/doltTarget';
import { runTool, ScratchBeads, startScratchBeads } from './beadsFixture';

// The SQL reader against the real stack: the same beads as `bd list --json` on the demo town (gt's own
// beads: agents, convoys, mail wisps, a hostile title) and on a scratch database with epics, dependencies,
// comments, closed, pinned, template, gate and infra beads; and a change token that moves on every write.

const TOWN = process.env.GASTOWN_TEST_TOWN ?? '';

function stackBin(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'bd')) && fs.existsSync(path.join(dir, 'dolt'))) {
      return dir;
    }
  }
  throw new Error('bd and dolt are not on PATH (run through scripts/test.mjs)');
}

/** The keys of BeadSummary, as bd prints them (bd omits empty ones; so do we). */
const KEYS = ['id', 'title', 'status', 'priority', 'issue_type', 'assignee', 'owner', 'created_at', 'updated_at', 'closed_at', 'labels', 'parent', 'ephemeral', 'dependency_count', 'dependent_count', 'comment_count'] as const;

/** A bead field as a group key: null for "none" (absent or empty). */
function keyOf(v: unknown): string | null {
  return v === undefined || v === null || v === '' ? null : typeof v === 'string' ? v : JSON.stringify(v);
}

function project(b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) {
    const v = b[k];
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0) && v !== false) {
      out[k] = v;
    }
  }
  return out;
}

async function cliList(bin: string, cwd: string, env: Record<string, string>, args: string[]): Promise<Record<string, unknown>[]> {
  const { stdout } = await runTool(path.join(bin, 'bd'), ['list', '--json', '--limit', '0', ...args], { cwd, env });
  const parsed = JSON.parse(stdout.slice(stdout.search(/[[{]/))) as unknown;
  const list = Array.isArray(parsed) ? parsed : (parsed as { data?: unknown }).data;
  assert.ok(Array.isArray(list), `bd list printed ${stdout.slice(0, 200)}`);
  return list as Record<string, unknown>[];
}

const VARIANTS: { name: string; cli: string[]; filter: BeadFilter }[] = [
  { name: 'default', cli: [], filter: {} },
  { name: '--all', cli: ['--all'], filter: { all: true } },
  { name: '--status open', cli: ['--status', 'open'], filter: { statuses: ['open'] } },
  { name: '--status in_progress,blocked', cli: ['--status', 'in_progress,blocked'], filter: { statuses: ['in_progress', 'blocked'] } },
];

/** SQL and CLI agree, bead for bead and in order, for every variant; group counts match the CLI list. */
async function assertSameAsCli(conn: MysqlConnection, schema: BeadsSchema, bin: string, cwd: string, env: Record<string, string>): Promise<number> {
  let compared = 0;
  for (const v of VARIANTS) {
    const [cli, sql] = await Promise.all([cliList(bin, cwd, env, v.cli), listBeadsSql(conn, schema, v.filter)]);
    assert.deepEqual(
      sql.map((b) => project(b as Record<string, unknown>)),
      cli.map(project),
      `${cwd} ${v.name}`,
    );
    compared += cli.length;
    if (v.name === '--all') {
      for (const field of ['status', 'issue_type', 'priority', 'assignee', 'parent'] as const) {
        const want = new Map<string | null, number>();
        for (const b of cli) {
          const key = keyOf(b[field]);
          want.set(key, (want.get(key) ?? 0) + 1);
        }
        const got = await countBeadsBy(conn, schema, field, v.filter);
        assert.deepEqual(new Map(got.map((g) => [g.key, g.count])), want, `counts by ${field}`);
        // one group's page is that group's beads, in list order
        const biggest = [...want].sort((a, b) => b[1] - a[1])[0];
        if (biggest) {
          const page = await listBeadsSql(conn, schema, { ...v.filter, group: { field, value: biggest[0] }, limit: 5, offset: 1 });
          const expected = cli.filter((b) => keyOf(b[field]) === biggest[0]);
          assert.deepEqual(
            page.map((b) => b.id),
            expected.slice(1, 6).map((b) => b.id),
            `page of ${field}=${biggest[0]}`,
          );
        }
      }
      assert.equal(await countBeads(conn, schema, v.filter), cli.length);
    }
  }
  return compared;
}

describe('beads over SQL = beads from bd (real Dolt)', function () {
  this.timeout(300_000);
  let bin = '';
  before(function () {
    bin = stackBin();
  });

  describe('the demo town', function () {
    before(function () {
      if (!TOWN) {
        this.skip();
      }
    });

    for (const where of ['town', 'rig'] as const) {
      it(`${where} database: same beads for default, --all and --status lists; same group counts`, async () => {
        const cwd = where === 'town' ? TOWN : path.join(TOWN, 'demo');
        const target = resolveDoltTarget(path.join(cwd, '.beads'), { townRoot: TOWN, env: process.env });
        assert.ok(target.ok, target.ok ? '' : target.reason);
        const conn = await MysqlConnection.connect({ ...target.target });
        try {
          const check = await schemaCheck(conn, target.target.database);
          assert.ok(check.ok, check.ok ? '' : check.reason);
          const env = { ...process.env } as Record<string, string>;
          const n = await assertSameAsCli(conn, check.schema, bin, cwd, env);
          assert.ok(n > 0, 'the demo town has beads');
        } finally {
          await conn.close();
        }
      });
    }
  });

  describe('a scratch database', function () {
    let db: ScratchBeads;
    let dir = '';
    let conn: MysqlConnection;
    let schema: BeadsSchema;
    const bd = (args: string[], extraEnv: Record<string, string> = {}) => runTool(path.join(bin, 'bd'), args, { cwd: db.projDir, env: { ...db.env, ...extraEnv } });

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-beads-sql-'));
      // 520: --all lists more than 500 beads (the per-table read path), the default list fewer (the per-id one)
      db = await startScratchBeads({ bin, dir, prefix: 'sx', count: 520, seed: 7 });
      // Beads bd hides by default or by kind: pinned, template, gate, an infra type, a custom done status.
      await bd(['config', 'set', 'status.custom', 'review,archived:done']);
      await bd(['config', 'set', 'types.custom', 'agent,rig,convoy']);
      const mk = async (title: string, ...args: string[]) => (await bd(['create', title, '--silent', ...args])).stdout.trim().split('\n').pop() ?? '';
      const pinned = await mk('pinned bead');
      await bd(['update', pinned, '--status', 'pinned']);
      await mk('a gate', '--type', 'gate');
      await mk('an agent bead', '--type', 'agent');
      await mk('a rig bead (infra in bd 1.0, listed by 1.2.2)', '--type', 'rig');
      await mk('a convoy', '--type', 'convoy');
      const archived = await mk('archived bead');
      await bd(['update', archived, '--status', 'archived']);
      const review = await mk('in review');
      await bd(['update', review, '--status', 'review']);
      await mk("it's \"quoted\" — ünïcode ✓", '--labels', 'with space,ümlaut', '--assignee', "o'brien/crew/x");
      const target = resolveDoltTarget(db.beadsDir, { env: db.env });
      assert.ok(target.ok, target.ok ? '' : target.reason);
      assert.equal(target.target.port, db.port);
      conn = await MysqlConnection.connect({ ...target.target });
      const check = await schemaCheck(conn, target.target.database);
      assert.ok(check.ok, check.ok ? '' : check.reason);
      schema = check.schema;
    });
    after(async () => {
      await conn?.close();
      await db?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reads bd 1.2.2 semantics from the database: schema v53, infra types, hidden statuses', () => {
      assert.equal(schema.schemaVersion, 53);
      assert.deepEqual(schema.infraTypes, ['agent', 'role', 'message']);
      assert.deepEqual(schema.hiddenStatuses, ['closed', 'pinned', 'archived']);
    });

    it('same beads as bd list for default, --all and --status lists; same group counts and pages', async () => {
      const n = await assertSameAsCli(conn, schema, bin, db.projDir, db.env);
      assert.ok(n > 520);
      // and the comparison covered what bd hides and shows
      const shown = new Set((await listBeadsSql(conn, schema)).map((b) => b.title));
      const all = new Set((await listBeadsSql(conn, schema, { all: true })).map((b) => b.title));
      for (const t of ['in review', 'a convoy', 'a rig bead (infra in bd 1.0, listed by 1.2.2)', "it's \"quoted\" — ünïcode ✓"]) {
        assert.ok(shown.has(t), `listed: ${t}`);
      }
      for (const t of ['pinned bead', 'archived bead']) {
        assert.ok(!shown.has(t) && all.has(t), `only with --all: ${t}`);
      }
      for (const t of ['a gate', 'an agent bead']) {
        assert.ok(!all.has(t), `never listed: ${t}`);
      }
    });

    it('the same with CLIENT_DEPRECATE_EOF (OK-terminated result sets)', async () => {
      const c2 = await MysqlConnection.connect({ host: '127.0.0.1', port: db.port, user: 'root', deprecateEof: true });
      try {
        assert.deepEqual(await listBeadsSql(c2, schema, { all: true }), await listBeadsSql(conn, schema, { all: true }));
      } finally {
        await c2.close();
      }
    });

    it('a schema this reader does not know is refused with a reason', async () => {
      const bad = await schemaCheck(conn, 'information_schema');
      assert.equal(bad.ok, false);
      const missing = await schemaCheck(conn, 'nosuchdb');
      assert.equal(missing.ok, false);
    });

    for (const autoCommit of ['on', 'off'] as const) {
      it(`the change tokens and the journal file move on create, update, label, comment, dependency and close (BD_DOLT_AUTO_COMMIT=${autoCommit})`, async () => {
        const env = { BD_DOLT_AUTO_COMMIT: autoCommit };
        // The filesystem signal: the database's chunk journal under the server's data dir.
        const signal = resolveDoltTarget(db.beadsDir, { env: { ...db.env, BEADS_DOLT_DATA_DIR: db.dataDir } });
        assert.ok(signal.ok && signal.target.writeSignalDir, 'the write-signal directory is found');
        const stamp = (): string =>
          fs
            .readdirSync(signal.target.writeSignalDir ?? '')
            .map((f) => `${f}:${fs.statSync(path.join(signal.target.writeSignalDir ?? '', f), { bigint: true }).mtimeNs}`)
            .join(',');
        let token = await changeToken(conn, schema.database);
        let listToken = await beadsListToken(conn, schema);
        let files = stamp();
        assert.equal(await changeToken(conn, schema.database), token, 'stable without writes');
        await listBeadsSql(conn, schema, { all: true });
        await bd(['list', '--json']);
        assert.equal(await changeToken(conn, schema.database), token, 'stable across reads');
        assert.equal(stamp(), files, 'reads do not touch the journal');
        const moved = async (what: string, args: string[]): Promise<string> => {
          const out = await bd(args, env);
          const next = await changeToken(conn, schema.database);
          assert.notEqual(next, token, `${what} did not change the token`);
          const nextList = await beadsListToken(conn, schema);
          assert.notEqual(nextList, listToken, `${what} did not change the list token`);
          listToken = nextList;
          const nextFiles = stamp();
          assert.notEqual(nextFiles, files, `${what} did not touch the journal`);
          token = next;
          files = nextFiles;
          return out.stdout.trim().split('\n').pop() ?? '';
        };
        const id = await moved('create', ['create', `token test ${autoCommit}`, '--silent']);
        await moved('update', ['update', id, '--priority', '0']);
        await moved('label add', ['label', 'add', id, 'tokened']);
        await moved('comment', ['comments', 'add', id, 'a comment']);
        await moved('dep add', ['dep', 'add', id, 'sx-t0']);
        await moved('close', ['close', id, '--force']);
        // A wisp (mail, heartbeats) moves the database token and the journal, not the list token.
        await bd(['create', `a wisp ${autoCommit}`, '--ephemeral', '--silent'], env);
        assert.notEqual(await changeToken(conn, schema.database), token, 'a wisp changes the database');
        assert.equal(await beadsListToken(conn, schema), listToken, 'a wisp leaves the list token alone');
      });
    }
  });
});
