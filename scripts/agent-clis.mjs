// Installs (once) the real agent CLIs that tests drive offline against test/harness/modelStub.mjs, into a
// cache outside the repo, and pre-fills opencode's `.opencode/` folders so its start-up does not run an npm
// install. See shared/reference/real-agents.md and test/harness/realAgents.mjs.
//
//   import { ensureAgentClis, prefillOpencodeDir } from '../scripts/agent-clis.mjs';
//   const { claude, opencode } = await ensureAgentClis();   // absolute paths of the executables
//   await prefillOpencodeDir(projectDir);                   // fills <projectDir>/.opencode/
//
// CLI: node scripts/agent-clis.mjs   -> prints {"claude": "/abs/…/claude", "opencode": "/abs/…/opencode"}
//
// Cache: ${GASTOWN_VSCODE_CACHE:-~/.cache/gastown-vscode}/agents/
//   claude-code-<ver>/node_modules/.bin/claude       @anthropic-ai/claude-code + its platform package
//   opencode-ai-<ver>/node_modules/.bin/opencode     opencode-ai + its platform package(s)
//   opencode-plugin-<ver>/{package.json,package-lock.json,node_modules}
//                                                    what opencode itself installs into a config folder
//   npm-cache/                                       npm's cache for these installs
// Each folder is built in a temp folder next to it, verified (the binary runs `--version`; the marker file
// `.gastown-agent-ok` is written last) and then renamed into place, so a half install is never taken as done.
// Delete a folder to force a reinstall. Progress goes to stderr, prefixed [agent-clis].

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLAUDE_CODE_VERSION = '2.1.330';
export const OPENCODE_VERSION = '1.18.33';
/** opencode installs `@opencode-ai/plugin@<its own version>` into every config folder it reads. */
export const OPENCODE_PLUGIN_VERSION = OPENCODE_VERSION;

const MARKER = '.gastown-agent-ok';
const INSTALL_TIMEOUT_MS = 15 * 60 * 1000;

const AGENTS = {
  claude: { pkg: '@anthropic-ai/claude-code', version: CLAUDE_CODE_VERSION, dirName: `claude-code-${CLAUDE_CODE_VERSION}`, bin: 'claude' },
  opencode: { pkg: 'opencode-ai', version: OPENCODE_VERSION, dirName: `opencode-ai-${OPENCODE_VERSION}`, bin: 'opencode' },
};

const log = (msg) => process.stderr.write(`[agent-clis] ${msg}\n`);
const exists = (p) => { try { fs.accessSync(p); return true; } catch { return false; } };

/** ${GASTOWN_VSCODE_CACHE:-~/.cache/gastown-vscode}/agents */
export function agentsCacheDir() {
  const base = process.env.GASTOWN_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'gastown-vscode');
  return path.resolve(base, 'agents');
}

function npmEnv(root, extra = {}) {
  return {
    ...process.env,
    npm_config_cache: path.join(root, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/** Runs a command; resolves { code, stdout, stderr }; kills its process group on timeout. */
function run(cmd, args, { cwd, env, timeoutMs = 60000 } = {}) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout, stderr: String(e) });
      return;
    }
    child.stdout.on('data', (d) => { stdout = (stdout + d).slice(-64000); });
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-64000); });
    const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
    const timer = setTimeout(() => { stderr += `\n(timed out after ${timeoutMs} ms)`; kill(); }, timeoutMs);
    process.on('exit', kill);
    child.on('error', (e) => { clearTimeout(timer); process.off('exit', kill); resolve({ code: -1, stdout, stderr: stderr + String(e) }); });
    child.on('close', (code) => { clearTimeout(timer); process.off('exit', kill); resolve({ code: code ?? -1, stdout, stderr }); });
  });
}

const tail = (s, n = 25) => s.trim().split('\n').slice(-n).join('\n');

function tempDirNear(finalDir) {
  const tmp = `${finalDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  return tmp;
}

/** Moves a finished temp folder into place; if another process got there first, keeps theirs. */
function publish(tmp, finalDir) {
  if (exists(path.join(finalDir, MARKER))) { fs.rmSync(tmp, { recursive: true, force: true }); return; }
  // A folder without the marker is a leftover (should not happen with rename, but be safe).
  if (exists(finalDir)) fs.rmSync(finalDir, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, finalDir);
  } catch (e) {
    if (exists(path.join(finalDir, MARKER))) { fs.rmSync(tmp, { recursive: true, force: true }); return; }
    throw e;
  }
}

/** Removes temp folders of installs whose process is gone. */
function sweepStaleTemps(root) {
  let names = [];
  try { names = fs.readdirSync(root); } catch { return; }
  for (const n of names) {
    const m = /\.tmp-(\d+)-[a-z0-9]+$/.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch (e) { alive = e.code === 'EPERM'; }
    if (!alive) fs.rmSync(path.join(root, n), { recursive: true, force: true });
  }
}

/** Runs `<bin> --version` with a throw-away HOME (so nothing is written to the real one). */
async function versionOf(bin) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-clis-home-'));
  try {
    const env = {
      ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CACHE_HOME: path.join(home, '.cache'), XDG_STATE_HOME: path.join(home, '.local/state'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
      DISABLE_TELEMETRY: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', OPENCODE_DISABLE_AUTOUPDATE: '1',
    };
    const r = await run(bin, ['--version'], { cwd: home, env, timeoutMs: 60000 });
    return { ok: r.code === 0 && r.stdout.trim() !== '', out: r.stdout.trim(), err: tail(r.stderr, 10) };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function binPath(dir, agent) { return path.join(dir, 'node_modules', '.bin', agent.bin); }

async function installAgent(root, name) {
  const agent = AGENTS[name];
  const finalDir = path.join(root, agent.dirName);
  const bin = binPath(finalDir, agent);
  if (exists(path.join(finalDir, MARKER)) && exists(bin)) return bin;

  const spec = `${agent.pkg}@${agent.version}`;
  const t0 = Date.now();
  log(`installing ${spec} into ${finalDir} …`);
  const tmp = tempDirNear(finalDir);
  try {
    const args = ['install', '--prefix', tmp, '--no-save', '--no-audit', '--no-fund', '--include=optional',
      '--ignore-scripts=false', '--no-package-lock', spec];
    const r = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: tmp, env: npmEnv(root), timeoutMs: INSTALL_TIMEOUT_MS });
    if (r.code !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stderr)}`);
    const tmpBin = binPath(tmp, agent);
    let v = await versionOf(tmpBin);
    if (!v.ok) {
      // The native binary is put in place by the package's postinstall (copy from the platform package in
      // optionalDependencies). If npm skipped install scripts, run it ourselves once.
      const pkgDir = path.join(tmp, 'node_modules', ...agent.pkg.split('/'));
      const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
      const post = pj.scripts?.postinstall;
      log(`${agent.bin} --version failed (${v.err || v.out || 'no output'}); running its postinstall: ${post}`);
      if (post) {
        const [cmd, ...rest] = post.split(/\s+/);
        const pr = await run(cmd === 'node' ? process.execPath : cmd, rest, { cwd: pkgDir, env: npmEnv(root), timeoutMs: 5 * 60000 });
        if (pr.code !== 0) log(`postinstall exited ${pr.code}: ${tail(pr.stderr, 10)}`);
      }
      v = await versionOf(tmpBin);
    }
    if (!v.ok) {
      throw new Error(`${spec}: \`${agent.bin} --version\` does not run after the install (is the platform package ` +
        `${process.platform}-${process.arch} in its optionalDependencies?):\n${v.err || v.out}`);
    }
    if (!v.out.includes(agent.version)) throw new Error(`${spec}: \`${agent.bin} --version\` printed "${v.out}", expected ${agent.version}`);
    fs.writeFileSync(path.join(tmp, MARKER), JSON.stringify({ pkg: agent.pkg, version: agent.version, bin: agent.bin, versionOutput: v.out, installedAt: new Date().toISOString() }, null, 2) + '\n');
    publish(tmp, finalDir);
    log(`${spec} ready (${v.out}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return bin;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Installs (if needed) and returns the absolute paths of the pinned CLIs: { claude, opencode }. */
export async function ensureAgentClis() {
  const root = agentsCacheDir();
  fs.mkdirSync(root, { recursive: true });
  sweepStaleTemps(root);
  const [claude, opencode] = await Promise.all([installAgent(root, 'claude'), installAgent(root, 'opencode')]);
  return { claude, opencode };
}

/**
 * The cached copy of what opencode installs into a config folder (`.opencode/`, `$XDG_CONFIG_HOME/opencode/`):
 * `package.json` = {"dependencies": {"@opencode-ai/plugin": "<ver>"}}, its package-lock.json and node_modules
 * (the same tree opencode's built-in npm writes; install scripts ignored, like opencode does).
 */
export async function ensureOpencodePluginCache() {
  const root = agentsCacheDir();
  fs.mkdirSync(root, { recursive: true });
  const finalDir = path.join(root, `opencode-plugin-${OPENCODE_PLUGIN_VERSION}`);
  if (exists(path.join(finalDir, MARKER))) return finalDir;
  sweepStaleTemps(root);
  const spec = `@opencode-ai/plugin@${OPENCODE_PLUGIN_VERSION}`;
  const t0 = Date.now();
  log(`installing ${spec} into ${finalDir} …`);
  const tmp = tempDirNear(finalDir);
  try {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ dependencies: { '@opencode-ai/plugin': OPENCODE_PLUGIN_VERSION } }, null, 2) + '\n');
    const args = ['install', '--prefix', tmp, '--no-audit', '--no-fund', '--ignore-scripts', '--engine-strict=false'];
    const r = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: tmp, env: npmEnv(root), timeoutMs: INSTALL_TIMEOUT_MS });
    if (r.code !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stderr)}`);
    const lock = JSON.parse(fs.readFileSync(path.join(tmp, 'package-lock.json'), 'utf8'));
    if (!lock.packages?.['']?.dependencies?.['@opencode-ai/plugin'] || !exists(path.join(tmp, 'node_modules', '@opencode-ai', 'plugin', 'package.json'))) {
      throw new Error(`${spec}: the install did not produce node_modules/@opencode-ai/plugin and a lock that lists it`);
    }
    fs.writeFileSync(path.join(tmp, MARKER), JSON.stringify({ pkg: '@opencode-ai/plugin', version: OPENCODE_PLUGIN_VERSION, installedAt: new Date().toISOString() }, null, 2) + '\n');
    publish(tmp, finalDir);
    log(`${spec} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return finalDir;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Pre-fills one opencode config folder (e.g. `<project>/.opencode` or `$XDG_CONFIG_HOME/opencode`) so opencode's
 * start-up check finds nothing to install. opencode (1.18.33, `Npm.install`) re-installs when the folder has no
 * `node_modules`, or when a dependency named in `package.json` (plus `@opencode-ai/plugin`) is missing from
 * `package-lock.json`'s `packages[""]`. Existing other dependencies in package.json are kept; if they are not
 * in the lock, opencode will still install them.
 * `link: true` symlinks node_modules to the cache instead of copying it (fast, but shared: never write to it).
 */
export async function prefillOpencodeConfigDir(configDir, { link = false } = {}) {
  const cache = await ensureOpencodePluginCache();
  fs.mkdirSync(configDir, { recursive: true });
  const dep = { '@opencode-ai/plugin': OPENCODE_PLUGIN_VERSION };

  const pjFile = path.join(configDir, 'package.json');
  let pj = {};
  try { pj = JSON.parse(fs.readFileSync(pjFile, 'utf8')); } catch {}
  pj.dependencies = { ...(pj.dependencies || {}), ...dep };
  fs.writeFileSync(pjFile, JSON.stringify(pj, null, 2) + '\n');

  const lockFile = path.join(configDir, 'package-lock.json');
  let lock;
  try { lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')); } catch {}
  if (!lock?.packages) {
    lock = JSON.parse(fs.readFileSync(path.join(cache, 'package-lock.json'), 'utf8'));
    lock.name = path.basename(configDir);
  }
  lock.packages[''] = lock.packages[''] || {};
  lock.packages[''].dependencies = { ...(lock.packages[''].dependencies || {}), ...dep };
  fs.writeFileSync(lockFile, JSON.stringify(lock, null, 2) + '\n');

  const nm = path.join(configDir, 'node_modules');
  if (!exists(path.join(nm, '@opencode-ai', 'plugin', 'package.json'))) {
    fs.rmSync(nm, { recursive: true, force: true });
    if (link) fs.symlinkSync(path.join(cache, 'node_modules'), nm, 'dir');
    else fs.cpSync(path.join(cache, 'node_modules'), nm, { recursive: true, verbatimSymlinks: true });
  }
  // opencode writes this .gitignore itself at start; writing it now keeps a git status clean from the start.
  const gi = path.join(configDir, '.gitignore');
  if (!exists(gi)) fs.writeFileSync(gi, ['node_modules', 'package.json', 'package-lock.json', 'bun.lock', '.gitignore'].join('\n'));
  return configDir;
}

/** Pre-fills `<dir>/.opencode/` (see prefillOpencodeConfigDir). */
export async function prefillOpencodeDir(dir, opts = {}) {
  return prefillOpencodeConfigDir(path.join(dir, '.opencode'), opts);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    const t0 = Date.now();
    const [clis] = await Promise.all([ensureAgentClis(), ensureOpencodePluginCache()]);
    log(`done in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
    process.stdout.write(JSON.stringify(clis, null, 2) + '\n');
  } catch (e) {
    log(`failed: ${e.message}`);
    process.exit(1);
  }
}
