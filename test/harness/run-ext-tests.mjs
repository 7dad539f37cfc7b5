// Runs extension-host tests (the @vscode/test-electron `extensionTestsPath` / `run()` contract) inside a
// real VS Code: code-server's Node extension host, driven through headless Debian Chromium.
//
//   import { runExtensionHostTests } from './run-ext-tests.mjs';
//   const code = await runExtensionHostTests({ extDir, testsEntry: `${extDir}/out/test/suite/index.js`, workspace });
//
// CLI: node test/harness/run-ext-tests.mjs --ext <dir> --tests <index.js> --workspace <dir>
//        [--timeout <ms>] [--screenshots <dir>] [--untrusted] [--env K=V]...   (exit code = the tests' code)
//
// A test can log `HARNESS_SCREENSHOT:<name>` (console.log in the extension host); the runner then saves a
// screenshot of the workbench to <screenshotDir>/<name>.png. Logging is asynchronous: wait ~1 s after
// logging the marker before changing what is on screen.

import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startCodeServer } from './server.mjs';
import { CHROMIUM_PATH } from './setup.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60000 });
}

/** Closes the browser, giving up after 10 s (without keeping the event loop alive). */
export async function closeBrowser(browser) {
  let t;
  await Promise.race([browser.close().catch(() => {}), new Promise((r) => { t = setTimeout(r, 10000); t.unref(); })]);
  clearTimeout(t);
}

/** URL that opens `workspace` and loads the extension from `extDir` (+ tests from `testsEntry`, if given). */
export function workbenchUrl(server, { workspace, extDir, testsEntry, env }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const payload = [];
  if (extDir) payload.push(['extensionDevelopmentPath', remote(extDir)]);
  if (testsEntry) payload.push(['extensionTestsPath', remote(testsEntry)]);
  payload.push(['enableProposedApi', ''], ['skipWelcome', 'true']);
  if (env && Object.keys(env).length) payload.push(['extensionEnvironment', JSON.stringify(env)]);
  return `${server.url}/?folder=${encodeURIComponent(path.resolve(workspace))}` +
    `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

// Workbench chatter that reaches codeAutomationLog too (shown with HARNESS_VERBOSE=1).
const NOISE = [
  /^Ignoring fetching additional builtin extensions/, /^Updating additional builtin extensions cache/,
  /^\[AccountPolicyGate\]/, /^\[ChatModelSelection\]/, /^\[AgentHost:/, /^\[Service Worker\]/,
  /^\[reconnection-grace-time\]/, /^Resolv(ing|ed) connection token/, /^Creating a socket/,
];
const SHOT_RE = /HARNESS_SCREENSHOT:([A-Za-z0-9._-]+)/g;

/**
 * @param {object} o
 * @param {string} o.extDir       extension root (its package.json); loaded as extensionDevelopmentPath
 * @param {string} o.testsEntry   compiled test entry exporting run(); mocha must resolve from it
 * @param {string} o.workspace    folder to open
 * @param {object} [o.env]        environment for the extension host: passed as extensionEnvironment AND
 *                                to the server (so terminals/pty host see it too, e.g. PATH, GT_ROOT)
 * @param {number} [o.timeoutMs=600000]
 * @param {string} [o.screenshotDir='test-results']
 * @param {object} [o.settings]   extra user settings
 * @param {'disabled'|'untrusted'} [o.trust='disabled']  'untrusted': Workspace Trust on and the folder left
 *                                untrusted, with no startup modal (see startCodeServer)
 * @param {(line: string, type?: string) => void} [o.log]  receives every extension-host log line
 *                                (default: console.log, console.error for type 'warn'/'error')
 * @returns {Promise<number>} the tests' exit code (0 = all passed); 1 on timeout or harness failure
 */
export async function runExtensionHostTests({
  extDir, testsEntry, workspace, env, timeoutMs = 10 * 60 * 1000, screenshotDir = 'test-results', settings, trust,
  log = (line, type) => (type === 'error' || type === 'warn' ? console.error : console.log)(line),
} = {}) {
  for (const [k, v] of Object.entries({ extDir, testsEntry, workspace })) {
    if (!v) throw new Error(`runExtensionHostTests: ${k} is required`);
    if (!fs.existsSync(v)) throw new Error(`runExtensionHostTests: ${k} ${path.resolve(v)} does not exist`);
  }
  screenshotDir = path.resolve(screenshotDir);
  const t0 = Date.now();
  let server, browser;
  let timer;
  const shots = [];
  try {
    server = await startCodeServer({ workspace, env, settings, trust });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    if (process.env.HARNESS_VERBOSE) {
      page.on('console', (m) => { if (m.type() === 'error') console.error(`[page] ${m.text()}`); });
    }
    let finish;
    const done = new Promise((resolve) => { finish = resolve; });
    // The workbench calls codeAutomationLog(type, args[]) with printf-style args (mocha's '%s' etc.).
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = Array.isArray(args) ? util.format(...args) : util.format(type, args ?? '');
      if (!process.env.HARNESS_VERBOSE && NOISE.some((re) => re.test(line))) return;
      log(line, type);
      for (const m of line.matchAll(SHOT_RE)) {
        fs.mkdirSync(screenshotDir, { recursive: true });
        const file = path.join(screenshotDir, `${m[1]}.png`);
        shots.push(page.screenshot({ path: file }).then(
          () => log(`[harness] screenshot ${file}`),
          (e) => log(`[harness] screenshot ${file} failed: ${e.message}`)));
      }
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish({ code: Number(code) || 0 }));
    page.on('crash', () => finish({ code: 1, why: 'the browser page crashed' }));
    timer = setTimeout(() => finish({ code: 1, why: `timed out after ${Math.round(timeoutMs / 1000)} s ` +
      `(no codeAutomationExit; did run() resolve? server log: ${server.logFile})` }), timeoutMs);
    await page.goto(workbenchUrl(server, { workspace, extDir, testsEntry, env }), { timeout: 60000 });
    const { code, why } = await done;
    await Promise.all(shots);
    if (why) log(`[harness] FAILED: ${why}`);
    if (code !== 0) dumpExtensionLog(server.udd, screenshotDir, log);
    log(`[harness] extension-host tests exited with ${code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return code;
  } catch (e) {
    log(`[harness] FAILED: ${e.message}${server ? ` (server log: ${server.logFile})` : ''}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await Promise.allSettled(shots);
    if (browser) await closeBrowser(browser);
    if (server) await server.stop();
  }
}

/**
 * After a failure: the tail of the extension's own log ("Gas Town" output channel, which VS Code writes under the
 * user-data-dir) in the output, and the whole file beside the screenshots, since the server's folder is removed.
 */
export function dumpExtensionLog(udd, dir, log) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/Gas Town\.log$/.test(e.name)) found.push(p);
    }
  };
  try {
    walk(path.join(udd, 'logs'));
  } catch {
    return;
  }
  for (const file of found) {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    fs.mkdirSync(dir, { recursive: true });
    const copy = path.join(dir, `gastown-${Date.now()}.log`);
    fs.copyFileSync(file, copy);
    log(`[harness] the extension's log (${lines.length} lines, all in ${copy}), last 120:`);
    for (const line of lines.slice(-120)) log(`[gastown.log] ${line}`);
  }
}

function parseArgs(argv) {
  const o = { env: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === '--ext') o.extDir = val();
    else if (a === '--tests') o.testsEntry = val();
    else if (a === '--workspace') o.workspace = val();
    else if (a === '--timeout') o.timeoutMs = Number(val());
    else if (a === '--screenshots') o.screenshotDir = val();
    else if (a === '--untrusted') o.trust = 'untrusted';
    else if (a === '--env') { const [k, ...v] = val().split('='); o.env[k] = v.join('='); }
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Object.keys(o.env).length) delete o.env;
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    if (!opts.extDir || !opts.testsEntry || !opts.workspace) throw new Error('--ext, --tests and --workspace are required');
  } catch (e) {
    console.error(`${e.message}\nusage: node run-ext-tests.mjs --ext <dir> --tests <index.js> --workspace <dir> ` +
      `[--timeout ms] [--screenshots dir] [--untrusted] [--env K=V]...`);
    process.exit(2);
  }
  runExtensionHostTests(opts).then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
