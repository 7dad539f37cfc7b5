import { execFile, spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { portOpen } from '../../src/cli/portProbe';

// A scratch beads database on its own `dolt sql-server`, made by the real bd (`bd init --server`,
// `bd import`), for the stack tests (a few hundred beads, written to) and the bench (10,000 beads, cached).
// Nothing here touches a town.

export interface ScratchBeads {
  /** The project directory (`bd` runs here); its `.beads` points at the server. */
  projDir: string;
  beadsDir: string;
  dataDir: string;
  database: string;
  port: number;
  /** The environment for bd: PATH with the stack, an own HOME, the server port. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunOut {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs bd (or dolt) with the scratch environment; rejects with its stderr on failure. */
export function runTool(bin: string, args: readonly string[], opts: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunOut> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(bin, [...args], { cwd: opts.cwd, env: opts.env, timeout: opts.timeoutMs ?? 600_000, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-2000)}`));
      } else {
        resolve({ stdout, stderr, ms: Date.now() - t });
      }
    });
    if (opts.input !== undefined) {
      child.stdin?.end(opts.input);
    }
  });
}

/** The env a scratch bd runs with: nothing of an enclosing town or beads session leaks in. */
export function scratchEnv(bin: string, home: string, port: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GT_|BD_|BEADS_|TMUX|GIT_|DOLT_)/.test(k) && k !== 'CLAUDECODE' && k !== 'CLAUDE_CODE') {
      env[k] = v;
    }
  }
  return {
    ...env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    DOLT_ROOT_PATH: home,
    BEADS_DOLT_SERVER_PORT: String(port),
    BEADS_DOLT_AUTO_START: '0',
    BEADS_ACTOR: 'scratch',
    NO_COLOR: '1',
  };
}

async function startServer(bin: string, dataDir: string, home: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  fs.mkdirSync(dataDir, { recursive: true });
  const logFd = fs.openSync(path.join(path.dirname(dataDir), 'sql-server.log'), 'a');
  const child = spawn(path.join(bin, 'dolt'), ['sql-server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: dataDir,
    env: { ...process.env, HOME: home, DOLT_ROOT_PATH: home },
    stdio: ['ignore', logFd, logFd],
  });
  fs.closeSync(logFd);
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) {
      throw new Error(`dolt sql-server exited (${child.exitCode}); see ${path.join(path.dirname(dataDir), 'sql-server.log')}`);
    }
    if (await portOpen(port, '127.0.0.1', 200)) {
      return { port, child };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('dolt sql-server did not listen within 30 s');
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

const IMPORT_SLICE = 1000;

export interface ScratchOptions {
  /** The stack's bin directory (bd, dolt). */
  bin: string;
  /** Where to keep the server data, HOME and the project (created; reused when `.ready` is there). */
  dir: string;
  prefix: string;
  /** Beads to import when the database is made. */
  count: number;
  seed?: number;
  /** Beads per `bd import` call. */
  importSlice?: number;
  log?: (line: string) => void;
}

/**
 * Starts (making it first if needed) a scratch beads database: `dolt sql-server` on a free port, then
 * `bd init --server` and `bd import` of `generateBeadsJsonl(count)` the first time. Reuses `dir` when a
 * previous run finished (`.ready`), so a 10,000-bead database is built once.
 */
export async function startScratchBeads(o: ScratchOptions): Promise<ScratchBeads> {
  const home = path.join(o.dir, 'home');
  const dataDir = path.join(o.dir, 'dolt-data');
  const projDir = path.join(o.dir, 'proj');
  const ready = path.join(o.dir, '.ready');
  if (!fs.existsSync(ready)) {
    fs.rmSync(o.dir, { recursive: true, force: true });
  }
  fs.mkdirSync(path.join(home, '.dolt'), { recursive: true });
  fs.writeFileSync(path.join(home, '.dolt', 'config_global.json'), '{"metrics.disabled":"true","versioncheck.disabled":"true","user.name":"scratch","user.email":"scratch@local.invalid"}\n');
  fs.mkdirSync(projDir, { recursive: true });
  const { port, child } = await startServer(o.bin, dataDir, home);
  const stop = stopper(child);
  const env = scratchEnv(o.bin, home, port);
  const bd = path.join(o.bin, 'bd');
  const built = !fs.existsSync(ready);
  try {
    if (built) {
      await runTool(bd, ['init', '--server', '--server-host', '127.0.0.1', '--server-port', String(port), '--prefix', o.prefix, '--non-interactive', '--skip-hooks', '--skip-agents', '--quiet'], { cwd: projDir, env });
      // bd 1.2.2's `bd import` recomputes is_blocked over the dependencies with statements that slow down as
      // the database grows (past ~1,000 beads with dependencies one exceeds bd's 10 s read timeout: "recompute
      // is_blocked (mark): invalid connection"). So: the beads (labels, comments) by `bd import` in slices,
      // then their dependencies by `bd batch` (`dep add`, one transaction per slice), the way a user adds them.
      const beads = o.count > 0 ? generateBeads(o.count, o.prefix, o.seed ?? 1) : [];
      const slice = o.importSlice ?? IMPORT_SLICE;
      for (let i = 0; i < beads.length; i += slice) {
        const file = path.join(o.dir, 'slice.jsonl');
        fs.writeFileSync(file, beads.slice(i, i + slice).map(({ dependencies: _, ...b }) => JSON.stringify(b)).join('\n') + '\n');
        const r = await runTool(bd, ['import', file], { cwd: projDir, env, timeoutMs: 600_000 });
        o.log?.(`bd import ${Math.min(i + slice, beads.length)}/${beads.length}: ${r.ms} ms`);
        fs.rmSync(file);
      }
      const deps = beads.flatMap((b) => b.dependencies ?? []).map((d) => `dep add ${d.issue_id} ${d.depends_on_id} ${d.type}`);
      for (let i = 0; i < deps.length; i += slice) {
        const r = await runTool(bd, ['batch'], { cwd: projDir, env, input: deps.slice(i, i + slice).join('\n') + '\n', timeoutMs: 600_000 });
        o.log?.(`bd batch dep add ${Math.min(i + slice, deps.length)}/${deps.length}: ${r.ms} ms`);
      }
      fs.writeFileSync(ready, new Date().toISOString() + '\n');
    }
    const meta = JSON.parse(fs.readFileSync(path.join(projDir, '.beads', 'metadata.json'), 'utf8')) as { dolt_database?: string };
    const database = meta.dolt_database ?? o.prefix;
    if (built && o.count >= 1000) {
      // The chunk journal is ~1.5 GB after 10,000 imports; `dolt gc` (what a maintained town gets) makes it ~20 MB.
      await stop();
      await runTool(path.join(o.bin, 'dolt'), ['gc'], { cwd: path.join(dataDir, database), env });
      return startScratchBeads(o);
    }
    return { projDir, beadsDir: path.join(projDir, '.beads'), dataDir, database, port, env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// --- a town-like set of beads, deterministic ------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run makes the same database. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'fix add refactor flaky test parser cache login retry timeout docs build deploy metrics schema index query widget sidebar tree view mail convoy hook polecat witness refinery merge queue dolt beads'.split(' ');
const LABELS = ['area:ui', 'area:cli', 'area:db', 'area:docs', 'tech-debt', 'good-first-issue', 'needs-review', 'regression', 'perf', 'security'];
const ASSIGNEES = ['demo/crew/alice', 'demo/crew/bob', 'demo/polecats/nux', 'demo/polecats/furiosa', 'mayor', 'overseer', 'demo/witness'];

/**
 * JSONL for `bd import`: `count` beads, ~3% epics with 5–40 children each (parent-child), `blocks`
 * dependencies, 0–3 labels, assignees on half, comments on a fifth, ~30% closed, a few in_progress,
 * blocked and deferred; timestamps spread over 90 days before 2026-11-01.
 */
export function generateBeadsJsonl(count: number, prefix: string, seed = 1): string {
  return generateBeads(count, prefix, seed).map((b) => JSON.stringify(b)).join('\n') + '\n';
}

export interface GeneratedDependency {
  issue_id: string;
  depends_on_id: string;
  type: string;
  created_at: string;
  created_by: string;
}

/** The beads of `generateBeadsJsonl`, as objects. */
export function generateBeads(count: number, prefix: string, seed = 1): ({ id: string; dependencies?: GeneratedDependency[] } & Record<string, unknown>)[] {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const base = Date.parse('2026-11-01T00:00:00Z');
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const epicCount = Math.max(1, Math.round(count * 0.03));
  const lines: ({ id: string; dependencies?: GeneratedDependency[] } & Record<string, unknown>)[] = [];
  const epics: string[] = [];
  const others: string[] = [];
  let made = 0;
  const make = (id: string, type: string, parent?: string): void => {
    const created = base - Math.floor(r() * 90 * 86400_000);
    const updated = created + Math.floor(r() * 10 * 86400_000);
    const roll = r();
    const status = roll < 0.3 ? 'closed' : roll < 0.38 ? 'in_progress' : roll < 0.41 ? 'blocked' : roll < 0.43 ? 'deferred' : 'open';
    const labels = [...new Set(Array.from({ length: Math.floor(r() * 4) }, () => pick(LABELS)))];
    const deps: GeneratedDependency[] = [];
    if (parent) {
      deps.push({ issue_id: id, depends_on_id: parent, type: 'parent-child', created_at: iso(created), created_by: 'scratch' });
    }
    // bd allows epics to block only epics, and other beads to block only non-epics
    const peers = type === 'epic' ? epics : others;
    if (peers.length > 3 && r() < 0.15) {
      const target = pick(peers);
      if (target !== parent) {
        deps.push({ issue_id: id, depends_on_id: target, type: 'blocks', created_at: iso(created), created_by: 'scratch' });
      }
    }
    const comments = r() < 0.2 ? Array.from({ length: 1 + Math.floor(r() * 3) }, (_, k) => ({ issue_id: id, author: pick(ASSIGNEES), text: `comment ${k} on ${id}`, created_at: iso(updated) })) : [];
    const bead: { id: string; dependencies?: GeneratedDependency[] } & Record<string, unknown> = {
      id,
      title: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} #${made}`,
      description: `Generated bead ${made} for scale tests.`,
      status,
      priority: Math.floor(r() * 5),
      issue_type: type,
      created_at: iso(created),
      created_by: 'scratch',
      updated_at: iso(updated),
    };
    if (r() < 0.5) {
      bead.assignee = pick(ASSIGNEES);
    }
    if (status === 'closed') {
      bead.closed_at = iso(updated);
      bead.close_reason = 'done';
    }
    if (labels.length) {
      bead.labels = labels;
    }
    if (deps.length) {
      bead.dependencies = deps;
    }
    if (comments.length) {
      bead.comments = comments;
    }
    lines.push(bead);
    (type === 'epic' ? epics : others).push(id);
    made++;
  };
  // Epics first, each followed by its children (`<epic>.<n>`, linked parent-child), then loose beads.
  const specs: [string, string, string | undefined][] = [];
  for (let e = 0; e < epicCount && specs.length < count; e++) {
    const epic = `${prefix}-e${e.toString(36)}`;
    specs.push([epic, 'epic', undefined]);
    const children = 5 + Math.floor(r() * 36);
    for (let c = 1; c <= children && specs.length < count; c++) {
      specs.push([`${epic}.${c}`, pick(['task', 'bug', 'feature', 'chore']), epic]);
    }
  }
  for (let n = 0; specs.length < count; n++) {
    specs.push([`${prefix}-t${n.toString(36)}`, ['task', 'bug', 'feature', 'chore', 'decision'][n % 5], undefined]);
  }
  for (const [id, type, parent] of specs) {
    make(id, type, parent);
  }
  return lines;
}
