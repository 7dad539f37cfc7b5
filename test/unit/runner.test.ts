import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as z from 'zod';
import { CliError, CliLogger, parseCliJson, processStats, runCli, runStreaming } from '../../src/cli/runner';

const NODE = process.execPath;
const POSIX = process.platform !== 'win32';

/** Runs and expects a CliError; returns it. */
async function failure(p: Promise<unknown>): Promise<CliError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CliError, `not a CliError: ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** Alive and not a zombie (a container's init may be slow to reap an orphan). */
function alive(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

function recorder(): CliLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    trace: (m) => lines.push(`trace ${m}`),
  };
}

describe('runCli', () => {
  it('returns stdout and stderr of a successful run, and logs one line', async () => {
    const log = recorder();
    const before = processStats.spawned;
    const r = await runCli(NODE, ['-e', 'process.stdout.write("out ✓"); process.stderr.write("err")'], {}, log);
    assert.equal(r.stdout, 'out ✓');
    assert.equal(r.stderr, 'err');
    assert.ok(r.durationMs >= 0);
    assert.equal(processStats.spawned, before + 1);
    assert.equal(log.lines.length, 1);
    assert.match(log.lines[0], /^info .* → 0 in \d+ ms$/);
  });

  it('logs a routine probe at its level, and its "no" too when the exit is the answer', async () => {
    const log = recorder();
    await runCli(NODE, ['-e', ''], { logLevel: 'trace' }, log);
    await failure(runCli(NODE, ['-e', 'process.exit(1)'], { logLevel: 'debug', exitIsAnswer: true }, log));
    await failure(runCli(NODE, ['-e', 'process.exit(1)'], { logLevel: 'debug' }, log));
    assert.deepEqual(log.lines.map((l) => l.split(' ')[0]), ['trace', 'debug', 'warn']);
    // A logger without debug or trace just does not get those lines.
    await runCli(NODE, ['-e', ''], { logLevel: 'debug' }, { info: () => assert.fail('info'), warn: () => assert.fail('warn') });
  });

  it('a non-zero exit is a cli-error with the exit code and the tail of stderr', async () => {
    const log = recorder();
    const e = await failure(runCli(NODE, ['-e', 'console.error("first\\nsecond\\nlast words"); process.exit(3)'], {}, log));
    assert.equal(e.kind, 'cli-error');
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /\(exit 3\): first second last words$/);
    assert.match(e.stderr, /last words/);
    assert.match(log.lines[0], /^warn .* → cli-error/);
  });

  it('a failure that prints its usage after the error (gt, bd: cobra) is told by its Error: line, not the usage', async () => {
    const e = await failure(runCli(NODE, ['-e', 'console.error("Error: loading rigs config: bad json\\nUsage:\\n  gt crew stop [name...] [flags]\\n  -h, --help   help for stop"); process.exit(1)']));
    assert.match(e.message, /\(exit 1\): Error: loading rigs config: bad json$/);
  });

  it('"no beads database" is not-initialized', async () => {
    const e = await failure(runCli(NODE, ['-e', 'console.error("Error: no beads database found"); process.exit(1)']));
    assert.equal(e.kind, 'not-initialized');
  });

  it('a missing program is not-found; so is a missing working directory, said as such', async () => {
    const e = await failure(runCli('gastown-no-such-program', ['--version']));
    assert.equal(e.kind, 'not-found');
    assert.match(e.message, /not found on PATH/);
    const d = await failure(runCli(NODE, ['-e', ''], { cwd: '/no/such/dir/here' }));
    assert.equal(d.kind, 'not-found');
    assert.match(d.message, /does not exist/);
  });

  (POSIX ? it : it.skip)('a timeout kills the whole process group, even with a grandchild holding stdout', async () => {
    const started = Date.now();
    // The background sleep keeps stdout open after the shell is gone; its pid goes to stderr.
    const e = await failure(runCli('sh', ['-c', 'sleep 100 & echo $! >&2; sleep 100'], { timeoutMs: 500 }));
    const took = Date.now() - started;
    assert.equal(e.kind, 'timeout');
    assert.ok(took < 3000, `took ${took} ms`);
    const pid = Number(e.stderr.trim());
    assert.ok(pid > 0, `no pid in ${JSON.stringify(e.stderr)}`);
    assert.ok(await until(() => !alive(pid), 3000), `grandchild ${pid} survived`);
  });

  (POSIX ? it : it.skip)('a group that ignores SIGTERM gets SIGKILL after the grace', async () => {
    const started = Date.now();
    const e = await failure(runCli('sh', ['-c', 'trap "" TERM; sleep 100 & echo $! >&2; wait'], { timeoutMs: 300 }));
    const took = Date.now() - started;
    assert.equal(e.kind, 'timeout');
    assert.ok(took >= 2000 && took < 5000, `took ${took} ms`);
    const pid = Number(e.stderr.trim());
    assert.ok(await until(() => !alive(pid), 2000), `grandchild ${pid} survived`);
  });

  (POSIX ? it : it.skip)('returns when the program exits, though a background grandchild still holds stdout', async () => {
    const started = Date.now();
    const r = await runCli('sh', ['-c', 'sleep 30 & echo $!']);
    assert.ok(Date.now() - started < 3000);
    const pid = Number(r.stdout.trim());
    // Not killed: a daemon the program started is not ours to end.
    assert.ok(alive(pid));
    process.kill(pid, 'SIGKILL');
  });

  (POSIX ? it : it.skip)('cancellation through an AbortSignal kills the group and is cancelled', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const p = runCli('sh', ['-c', 'sleep 100 & echo $! >&2; sleep 100'], { signal: abort.signal, timeoutMs: 60_000 });
    setTimeout(() => abort.abort(), 300);
    const e = await failure(p);
    assert.equal(e.kind, 'cancelled');
    assert.ok(Date.now() - started < 3000);
    const pid = Number(e.stderr.trim());
    assert.ok(await until(() => !alive(pid), 3000), `grandchild ${pid} survived`);
  });

  it('an already aborted signal starts nothing', async () => {
    const before = processStats.spawned;
    const e = await failure(runCli(NODE, ['-e', ''], { signal: AbortSignal.abort() }));
    assert.equal(e.kind, 'cancelled');
    assert.equal(processStats.spawned, before);
  });

  it('more output than maxBuffer is bad-output', async () => {
    const e = await failure(runCli(NODE, ['-e', 'process.stdout.write("x".repeat(200000))'], { maxBuffer: 1000 }));
    assert.equal(e.kind, 'bad-output');
    assert.match(e.message, /more than the 1000 bytes/);
  });

  it('the child gets the overseer environment: no leaked identity, but what the caller sets', async () => {
    const saved = { GT_ROLE: process.env.GT_ROLE, BD_ACTOR: process.env.BD_ACTOR };
    process.env.GT_ROLE = 'demo/crew/max';
    process.env.BD_ACTOR = 'demo/crew/max';
    try {
      const print = 'process.stdout.write(JSON.stringify({ role: process.env.GT_ROLE ?? null, actor: process.env.BD_ACTOR ?? null, path: !!process.env.PATH }))';
      const plain = JSON.parse((await runCli(NODE, ['-e', print])).stdout) as unknown;
      assert.deepEqual(plain, { role: null, actor: null, path: true });
      const set = JSON.parse((await runCli(NODE, ['-e', print], { env: { GT_ROLE: 'mayor' } })).stdout) as unknown;
      assert.deepEqual(set, { role: 'mayor', actor: null, path: true });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) {
          delete process.env[k];
        } else {
          process.env[k] = v;
        }
      }
    }
  });
});

describe('runStreaming', () => {
  it('streams stdout and stderr and resolves with the exit code', async () => {
    let seen = '';
    const code = await runStreaming([NODE, '-e', 'console.log("a"); console.error("b"); process.exit(4)'], {}, (c) => (seen += c));
    assert.equal(code, 4);
    assert.match(seen, /a/);
    assert.match(seen, /b/);
  });

  it('a missing program says so and resolves 1', async () => {
    let seen = '';
    assert.equal(await runStreaming(['gastown-no-such-program'], {}, (c) => (seen += c)), 1);
    assert.match(seen, /not found on PATH/);
  });

  (POSIX ? it : it.skip)('a timeout kills its group too', async () => {
    let seen = '';
    const started = Date.now();
    const code = await runStreaming(['sh', '-c', 'sleep 100 & echo $!; sleep 100'], { timeoutMs: 500 }, (c) => (seen += c));
    assert.equal(code, 1);
    assert.ok(Date.now() - started < 3000);
    assert.match(seen, /did not finish within 0.5 s/);
    const pid = Number(/^(\d+)/.exec(seen)?.[1]);
    assert.ok(await until(() => !alive(pid), 3000), `grandchild ${pid} survived`);
  });
});

describe('parseCliJson', () => {
  const list = z.array(z.object({ id: z.string() }));

  it('parses clean JSON and unwraps the {schema_version, data} envelope', () => {
    assert.deepEqual(parseCliJson('[{"id":"a"}]', list, 'x'), [{ id: 'a' }]);
    assert.deepEqual(parseCliJson('{"schema_version":1,"data":[{"id":"b"}]}\n', list, 'x'), [{ id: 'b' }]);
  });

  it('skips lines of preamble, [WARN] included, and text after the JSON', () => {
    const out = 'Warning: dolt server is slow\n[WARN] config: unknown key "x"\n[\n  {\n    "id": "a [b]"\n  }\n]\nDone in 3 ms.\n';
    assert.deepEqual(parseCliJson(out, list, 'x'), [{ id: 'a [b]' }]);
    assert.deepEqual(parseCliJson('[WARN] old schema\n{"schema_version":2,"data":[]}', list, 'x'), []);
  });

  it('garbage, or JSON of another shape, is bad-output', () => {
    assert.throws(() => parseCliJson('panic: runtime error', list, 'bd list --json'), (e: unknown) => e instanceof CliError && e.kind === 'bad-output' && /not JSON: panic/.test(e.message));
    assert.throws(() => parseCliJson('[WARN] only a warning', list, 'x'), (e: unknown) => e instanceof CliError && e.kind === 'bad-output');
    assert.throws(() => parseCliJson('{"id": 1}', list, 'x'), (e: unknown) => e instanceof CliError && e.kind === 'bad-output' && /unexpected shape/.test(e.message));
  });

  it('plain "none" text is an empty list only when the caller says so', () => {
    assert.throws(() => parseCliJson('No issues found.\n', list, 'x'), (e: unknown) => e instanceof CliError && e.kind === 'bad-output');
    assert.deepEqual(parseCliJson('No issues found.\n', list, 'x', { emptyText: /^No issues found\.?$/m }), []);
    assert.deepEqual(parseCliJson('[WARN] slow\nNo active convoys.', list, 'x', { emptyText: /^No active convoys/m }), []);
  });
});
