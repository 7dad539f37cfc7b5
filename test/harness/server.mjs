// Starts code-server (a real VS Code 1.139 server with the Node extension host) for one test run.
//
//   import { startCodeServer } from './server.mjs';
//   const srv = await startCodeServer({ workspace: '/path/ws', env: { GT_ROOT: '/x' } });
//   ... srv.url, srv.port, srv.udd, srv.logFile ...
//   await srv.stop();
//
// Every run gets a fresh temp dir (user-data-dir, extensions-dir, config.yaml). The server is started
// detached (its own process group: server, extension hosts, pty host, shells), and stop() — or the exit /
// SIGINT / SIGTERM handlers registered here — kill the whole group.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureVsCodeStack } from './setup.mjs';

export const DEFAULT_SETTINGS = {
  'terminal.integrated.gpuAcceleration': 'off', // otherwise terminal text is only on a WebGL canvas
  'terminal.integrated.enablePersistentSessions': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export const SERVER_FLAGS = [
  '--disable-telemetry',
  '--disable-update-check',
  '--disable-workspace-trust',
  '--disable-getting-started-override',
  '--ignore-last-opened',
  '--reconnection-grace-time', '10',
  '--vscode-option', 'enable-smoke-test-driver', // without it the URL payload (extension tests) is ignored
];

/**
 * `trust: 'untrusted'`: Workspace Trust on, and the opened folder left untrusted (Restricted Mode) without the
 * startup modal. The server must run without --disable-workspace-trust: it becomes the web client's
 * `enableWorkspaceTrust`. A fresh user-data-dir has no trusted folders, so the folder stays untrusted.
 */
export const UNTRUSTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never', // no "Do you trust the authors?" modal
  'security.workspace.trust.emptyWindow': false,
  'security.workspace.trust.untrustedFiles': 'open', // no prompt when an untrusted file opens
};

function trustSetup(trust = 'disabled') {
  if (trust === 'disabled') return { settings: {}, flags: SERVER_FLAGS };
  if (trust === 'untrusted') return { settings: UNTRUSTED_SETTINGS, flags: SERVER_FLAGS.filter((f) => f !== '--disable-workspace-trust') };
  throw new Error(`startCodeServer: trust must be 'disabled' or 'untrusted', not ${JSON.stringify(trust)}`);
}

// ---- process-group bookkeeping: kill every live server when this process goes away ----
const live = new Set(); // pids (= process group ids)
let handlersInstalled = false;
function killGroup(pid, sig) {
  try { process.kill(-pid, sig); return true; } catch { return false; }
}
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => { for (const pid of live) killGroup(pid, 'SIGKILL'); });
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(sig, () => {
      for (const pid of live) killGroup(pid, 'SIGKILL');
      live.clear();
      // Give playwright-core's own handlers a moment to close Chromium (an orphaned browser would
      // linger as zombies under a PID 1 that does not reap), then exit as the signal would have.
      setTimeout(() => process.exit(code), 2000);
    });
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function httpOk(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => { res.resume(); resolve(res.statusCode < 500); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

function logTail(file, n = 30) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-n).join('\n'); } catch { return ''; }
}

function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** Base environment for the server: ours, minus variables that would confuse a nested VS Code. */
function baseEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  return env;
}

/**
 * @param {object} o
 * @param {string} o.workspace    folder opened by the server (absolute or relative to cwd)
 * @param {number} [o.port]       default: a free port on 127.0.0.1
 * @param {object} [o.env]        extra environment for the server = extension host, pty host, terminals
 * @param {object} [o.extensionEnv] same as env (merged after it)
 * @param {object} [o.settings]   merged over DEFAULT_SETTINGS into udd/User/settings.json
 * @param {'disabled'|'untrusted'} [o.trust='disabled']  'untrusted': Workspace Trust on, folder untrusted
 * @param {number} [o.startTimeoutMs=60000]
 * @returns {Promise<{url: string, port: number, stop: () => Promise<void>, udd: string, logFile: string,
 *   pid: number, tmpDir: string, workspace: string}>}
 */
export async function startCodeServer({ workspace, port, env, extensionEnv, settings, trust, startTimeoutMs = 60000 } = {}) {
  if (!workspace) throw new Error('startCodeServer: workspace is required');
  const trustMode = trustSetup(trust);
  workspace = path.resolve(workspace);
  if (!fs.existsSync(workspace)) throw new Error(`startCodeServer: workspace ${workspace} does not exist`);
  const stack = await ensureVsCodeStack();

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-cs-'));
  const udd = path.join(tmpDir, 'udd');
  const extDir = path.join(tmpDir, 'exts');
  const logFile = path.join(tmpDir, 'server.log');
  fs.mkdirSync(path.join(udd, 'User'), { recursive: true });
  fs.mkdirSync(extDir, { recursive: true });
  fs.writeFileSync(path.join(udd, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...trustMode.settings, ...(settings || {}) }, null, 2));

  const serverEnv = { ...baseEnv(), ...(env || {}), ...(extensionEnv || {}), EXTENSIONS_GALLERY: '{}' };
  installExitHandlers();

  const fixedPort = port;
  for (let attempt = 1; ; attempt++) {
    const p = fixedPort || await freePort();
    const config = path.join(tmpDir, 'config.yaml');
    fs.writeFileSync(config, `bind-addr: 127.0.0.1:${p}\nauth: none\ncert: false\n`);
    const args = [stack.codeServer,
      '--config', config, '--user-data-dir', udd, '--extensions-dir', extDir,
      '--session-socket', path.join(tmpDir, 'session.sock'),
      ...trustMode.flags, workspace];
    const log = fs.openSync(logFile, 'a');
    fs.writeSync(log, `$ ${stack.node24} ${args.join(' ')}\n`);
    const child = spawn(stack.node24, args, { cwd: workspace, env: serverEnv, detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    child.unref();
    const pid = child.pid;
    live.add(pid);
    let exited = null;
    child.on('exit', (code, sig) => { exited = { code, sig }; });

    const url = `http://127.0.0.1:${p}`;
    const t0 = Date.now();
    let up = false;
    while (!exited && Date.now() - t0 < startTimeoutMs) {
      if (await httpOk(`${url}/healthz`)) { up = true; break; }
      await sleep(100);
    }
    if (up) {
      let stopped = null;
      const stop = () => {
        stopped ||= (async () => {
          killGroup(pid, 'SIGTERM');
          killGroup(pid, 'SIGHUP'); // interactive shells in terminals ignore SIGTERM
          const t = Date.now();
          while (groupAlive(pid) && Date.now() - t < 3000) await sleep(50);
          if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
          const t2 = Date.now();
          while (groupAlive(pid) && Date.now() - t2 < 2000) await sleep(50);
          live.delete(pid);
          if (!process.env.GASTOWN_HARNESS_KEEP) { // keep server.log for post-mortems
            for (const d of [udd, extDir, config]) fs.rmSync(d, { recursive: true, force: true });
          }
        })();
        return stopped;
      };
      return { url, port: p, stop, udd, logFile, pid, tmpDir, workspace };
    }
    killGroup(pid, 'SIGKILL');
    live.delete(pid);
    const tailText = logTail(logFile);
    if (exited && !fixedPort && attempt < 3 && /EADDRINUSE/.test(tailText)) continue; // lost a port race
    throw new Error(`code-server did not start on ${url} ` +
      (exited ? `(exited with ${exited.code ?? exited.sig})` : `within ${startTimeoutMs / 1000} s`) +
      `.\nLog: ${logFile}\n--- log tail ---\n${tailText}`);
  }
}
