// `npm test`: lint, typecheck, unit, extension-host and UI suites, with the real gt/bd/dolt and a real
// VS Code (code-server), bootstrapped and cached by the project's own scripts. Ends with "N passed, N failed".
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cache = process.env.GASTOWN_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'gastown-vscode');
const only = process.argv.slice(2);
const want = (s) => only.length === 0 || only.includes(s);
const totals = { passed: 0, failed: 0 };
const t0 = Date.now();

/** Runs a command, streaming its output; resolves with exit code and the captured text. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    const take = (stream, sink) => stream.on('data', (d) => { out += d; if (!opts.quiet) sink.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('error', (e) => resolve({ code: 127, out: out + String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

function mochaCounts(text) {
  const n = (re) => Number((text.match(re) ?? [])[1] ?? 0);
  return { passed: n(/(\d+) passing/), failed: n(/(\d+) failing/) };
}

function section(name) {
  console.log(`\n=== ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s) ===`);
}

function finish(code) {
  console.log(`\ntotal time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exit(code);
}

/** A prerequisite that cannot be had: say which and why, count it as a failure, stop. */
function prerequisiteFailed(what, detail) {
  console.error(`\nPREREQUISITE FAILED: ${what}\n${detail.trim().split('\n').slice(-15).join('\n')}`);
  totals.failed++;
  finish(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let failedGate = false;

if (want('lint')) {
  section('lint');
  if ((await run(npm, ['run', '-s', 'lint'])).code !== 0) failedGate = true;
}
if (want('typecheck')) {
  section('typecheck');
  if ((await run(npm, ['run', '-s', 'typecheck'])).code !== 0) failedGate = true;
}
section('build');
const build = await run(npm, ['run', '-s', 'build']);
const compile = await run(npm, ['run', '-s', 'compile-tests']);
if (build.code !== 0 || compile.code !== 0) prerequisiteFailed('the build (npm run build / compile-tests)', build.out + compile.out);

if (want('unit')) {
  section('unit');
  const r = await run(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', '.mocharc.json']);
  const c = mochaCounts(r.out);
  if (r.code !== 0 && c.failed === 0) c.failed = 1;
  totals.passed += c.passed;
  totals.failed += c.failed;
}

if (want('integration') || want('ui')) {
  section('real Gas Town (gt, bd, dolt)');
  const stack = await run('bash', [path.join(root, 'scripts', 'gastown-stack.sh')]);
  if (stack.code !== 0) prerequisiteFailed('installing gt, bd and dolt (scripts/gastown-stack.sh)', stack.out);
  const bin = stack.out.trim().split('\n').pop();
  // A fresh town per run, in a temporary directory: tests sling, start and stop agents in it.
  const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-vscode-test-'));
  const demo = await run('bash', [path.join(root, 'scripts', 'demo-town.sh'), 'build', demoDir]);
  if (demo.code !== 0) {
    await run('bash', [path.join(root, 'scripts', 'demo-town.sh'), 'stop', demoDir], { quiet: true });
    prerequisiteFailed('building the demo town (scripts/demo-town.sh)', demo.out);
  }
  const summary = JSON.parse(demo.out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
  const town = summary.town;
  if (!town || !fs.existsSync(town)) prerequisiteFailed('the demo town', `no town in ${JSON.stringify(summary)}`);

  section('real VS Code (code-server)');
  const { ensureVsCodeStack } = await import('../test/harness/setup.mjs');
  try {
    await ensureVsCodeStack();
  } catch (e) {
    prerequisiteFailed('installing code-server, Node 24 and Chromium (test/harness/setup.mjs)', String(e.message));
  }
  // The town's own environment (HOME, XDG_* redirected into the demo dir), as a user of that town has it.
  const townEnv = {};
  for (const line of fs.readFileSync(summary.env, 'utf8').split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)="(.*)"$/.exec(line);
    if (m) townEnv[m[1]] = m[2];
  }
  const env = {
    ...townEnv,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    GASTOWN_TEST_TOWN: town,
    GASTOWN_DEMO_SUMMARY: JSON.stringify(summary),
    GASTOWN_TEST_GREP: process.env.GASTOWN_TEST_GREP ?? '',
  };
  const results = path.join(root, 'test-results');
  try {
    if (want('integration')) {
      section('extension host');
      const { runExtensionHostTests } = await import('../test/harness/run-ext-tests.mjs');
      let text = '';
      const code = await runExtensionHostTests({
        extDir: root,
        testsEntry: path.join(root, 'out', 'test', 'integration', 'index.js'),
        workspace: town,
        env,
        screenshotDir: results,
        log: (line) => {
          text += line + '\n';
          console.log(line);
        },
      });
      const c = mochaCounts(text);
      if (code !== 0 && c.failed === 0) c.failed = 1;
      totals.passed += c.passed;
      totals.failed += c.failed;
    }
    if (want('ui')) {
      section('UI');
      process.env.GASTOWN_TEST_RESULTS = results;
      const { runUiSuites } = await import('../test/e2e/run.mjs');
      const r = await runUiSuites({ extDir: root, town, env, grep: process.env.GASTOWN_TEST_GREP });
      totals.passed += r.passed;
      totals.failed += r.failed;
    }
  } finally {
    await run('bash', [path.join(root, 'scripts', 'demo-town.sh'), 'stop', demoDir], { quiet: true });
    if (!process.env.GASTOWN_KEEP_DEMO) fs.rmSync(demoDir, { recursive: true, force: true });
  }
}

if (failedGate) {
  console.error('\nlint or typecheck failed (see above)');
}
finish(failedGate || totals.failed > 0 ? 1 : 0);
