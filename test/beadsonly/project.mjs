// The beads-only project the `beadsonly` suite opens: a folder with `.beads/` and no Gas Town anywhere, made by
// the real bd (1.2.2, built without CGO, so no embedded Dolt) on a private `dolt sql-server`. Plain Node ESM,
// run by scripts/test.mjs before VS Code starts.
//
//   const p = await beadsOnlyProject(stackBin);   // { folder, env, port, beads, stop() }
//
// Layout under a fresh $TMPDIR/gastown-beadsonly-XXXX/:
//   solo/        the project (a git repository with `.beads/`, prefix `solo`): the workspace folder
//   bin/         bd alone (a symlink): the PATH the extension gets has no gt and no dolt
//   home/        HOME for bd and dolt (dolt's metrics and version check off); the real ~ is not touched
//   dolt-data/   the sql-server's data directory; sql-server.log next to it
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(300, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const NAMED = ['TMUX', 'TMUX_PANE', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'CLAUDECODE', 'CLAUDE_CODE'];

/**
 * Our environment without anything that names a town or a beads database (GT_*, BD_*, BEADS_*, DOLT_*, tmux,
 * git's repository overrides), and those names blanked: the harness merges `env` over its own environment,
 * so they are sent as '' (an empty GT_ROOT is no town for the extension, nor for bd).
 */
function cleanEnv() {
  const env = {};
  const blank = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GT_|BD_|BEADS_|DOLT_)/.test(k) || NAMED.includes(k)) blank[k] = '';
    else if (v !== undefined) env[k] = v;
  }
  return { env, blank };
}

/**
 * Makes the project, starts its Dolt server and fills it: an epic with two children, a bug labelled `ui`, a
 * closed task. Returns the folder, the environment for VS Code (extension host, terminals) and `stop()`, which
 * stops the server and removes everything (kept with GASTOWN_KEEP_DEMO=1).
 */
export async function beadsOnlyProject(stackBin, { log = (l) => console.log(`[beads-only] ${l}`) } = {}) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-beadsonly-')));
  const home = path.join(dir, 'home');
  const dataDir = path.join(dir, 'dolt-data');
  const folder = path.join(dir, 'solo');
  const toolsBin = path.join(dir, 'bin');
  for (const d of [path.join(home, '.dolt'), path.join(home, '.config'), dataDir, folder, toolsBin]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(home, '.dolt', 'config_global.json'),
    '{"metrics.disabled":"true","versioncheck.disabled":"true","user.name":"solo","user.email":"solo@local.invalid"}\n');
  fs.symlinkSync(path.join(stackBin, 'bd'), path.join(toolsBin, 'bd'));

  const { env: base, blank } = cleanEnv();
  const home_ = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'), XDG_CACHE_HOME: path.join(home, '.cache') };
  // What VS Code gets: bd alone on PATH, no town variables (blanked), this HOME.
  const env = { ...blank, GT_ROOT: '', GT_TOWN_ROOT: '', ...home_, PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  const bdEnv = { ...base, ...home_, PATH: env.PATH, NO_COLOR: '1', BEADS_ACTOR: 'solo' };

  const port = await freePort();
  const logFd = fs.openSync(path.join(dir, 'sql-server.log'), 'a');
  const server = spawn(path.join(stackBin, 'dolt'), ['sql-server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
    cwd: dataDir, env: { ...base, ...home_, DOLT_ROOT_PATH: home }, stdio: ['ignore', logFd, logFd], detached: true,
  });
  fs.closeSync(logFd);
  // Its own process group: ended with ours, whatever way we exit.
  const kill = (sig) => { try { process.kill(-server.pid, sig); } catch { /* gone */ } };
  const onExit = () => kill('SIGKILL');
  process.on('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      kill('SIGTERM');
      let t;
      await Promise.race([exited, new Promise((r) => { t = setTimeout(r, 5000); })]);
      clearTimeout(t);
      kill('SIGKILL');
    }
    process.off('exit', onExit);
    if (process.env.GASTOWN_KEEP_DEMO) {
      log(`kept ${dir}`);
      return;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    // bd may still be writing its event log under HOME (~/.beads/eventsData) from a moment ago.
    await new Promise((r) => setTimeout(r, 1000));
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const t0 = Date.now();
    while (!(await listening(port))) {
      if (server.exitCode !== null) throw new Error(`dolt sql-server exited (${server.exitCode}); see ${path.join(dir, 'sql-server.log')}`);
      if (Date.now() - t0 > 60_000) throw new Error('dolt sql-server did not listen within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const sh = (cmd, args) => execFileSync(cmd, args, { cwd: folder, env: bdEnv, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    sh('git', ['init', '-q', '-b', 'main']);
    // bd from the bd-only PATH: no dolt, no gt needed once the server runs.
    sh('bd', ['init', '--server', '--external', '--server-host', '127.0.0.1', '--server-port', String(port), '--prefix', 'solo',
      '--non-interactive', '--skip-hooks', '--skip-agents', '--quiet']);
    const create = (...args) => sh('bd', ['create', '--silent', ...args]);
    const epic = create('--type', 'epic', '-p', '1', '--', 'Ship the solo project');
    const children = [create('--type', 'task', '--parent', epic, '--', 'Write the README'), create('--type', 'feature', '--parent', epic, '--', 'Add a search box')];
    const bug = create('--type', 'bug', '-p', '0', '-l', 'ui', '--', 'The button is misaligned');
    const closed = create('--type', 'task', '--', 'Set up CI');
    sh('bd', ['close', closed, '--reason', 'done']);
    const beads = { epic, children, bug, closed };
    log(`${folder}: Dolt on 127.0.0.1:${port}, beads ${JSON.stringify(beads)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return { dir, folder, port, beads, env: { ...env, GASTOWN_BEADSONLY: JSON.stringify({ folder, port, beads }) }, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
