// `npm test`: lint, typecheck, unit, extension-host (trusted, then untrusted), UI and beads-only suites, with the real
// gt/bd/dolt and a real VS Code (code-server), bootstrapped and cached by the project's own scripts. Ends with
// "N passed, N failed".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoTown, ensureGasTownStack, PrerequisiteError, root, run } from './lib/stack.mjs';

const only = process.argv.slice(2);
const want = (s) => only.length === 0 || only.includes(s);
const totals = { passed: 0, failed: 0 };
const t0 = Date.now();

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

/** Runs one extension-host suite (`out/test/<suite>/index.js`) in code-server and adds its mocha counts. */
async function hostSuite(suite, { workspace, env, screenshotDir, trust }) {
  const { runExtensionHostTests } = await import('../test/harness/run-ext-tests.mjs');
  let text = '';
  const code = await runExtensionHostTests({
    extDir: root, testsEntry: path.join(root, 'out', 'test', suite, 'index.js'), workspace, env, screenshotDir, trust,
    // A guard against a hang, not a budget: the trusted suite alone runs about 7 minutes on 2 quiet cores.
    timeoutMs: Number(process.env.GASTOWN_HOST_SUITE_TIMEOUT_S || 20 * 60) * 1000,
    log: (line) => { text += line + '\n'; console.log(line); },
  });
  const c = mochaCounts(text);
  if (!/\d+ passing/.test(text)) {
    // No summary: the suite never finished (the hang guard, a crash). What passed counts; what never ran fails.
    c.passed = text.split('\n').filter((l) => l.includes('✔')).length;
    c.failed = Math.max(1, Number((text.match(/MOCHA_PLANNED:(\d+)/) ?? [])[1] ?? 0) - c.passed);
  }
  if (code !== 0 && c.failed === 0) c.failed = 1;
  totals.passed += c.passed;
  totals.failed += c.failed;
}
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

if (want('integration') || want('agents') || want('untrusted') || want('ui') || want('package') || want('stack')) {
  section('real VS Code (code-server)');
  const { ensureVsCodeStack } = await import('../test/harness/setup.mjs');
  try {
    await ensureVsCodeStack();
  } catch (e) {
    prerequisiteFailed('installing code-server, Node 24 and Chromium (test/harness/setup.mjs)', String(e.message));
  }
  section('real Gas Town (gt, bd, dolt)');
  // A fresh town per run, in a temporary directory: tests sling, start and stop agents in it.
  const demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-vscode-test-'));
  let demo;
  try {
    demo = await demoTown(demoDir, await ensureGasTownStack());
  } catch (e) {
    if (e instanceof PrerequisiteError) prerequisiteFailed(e.message, '');
    throw e;
  }
  const town = demo.town;

  const env = {
    ...demo.env,
    GASTOWN_TEST_TOWN: town,
    GASTOWN_DEMO_SUMMARY: JSON.stringify(demo.summary),
    GASTOWN_TEST_GREP: process.env.GASTOWN_TEST_GREP ?? '',
  };
  const results = path.join(root, 'test-results');
  // Screenshots of this run only: a stale FAILED-*.png from an earlier run would mislead.
  fs.rmSync(results, { recursive: true, force: true });
  try {
    if (want('stack')) {
      // Plain-Node tests against the real stack (test/stack): the SQL reader against bd on the demo town
      // and on scratch Dolt servers of their own. Before the VS Code suites, on the town as built.
      section('stack (real Dolt, plain Node)');
      const r = await run(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--timeout', '300000', 'out/test/stack/**/*.test.js'], { env: { ...process.env, ...env } });
      const c = mochaCounts(r.out);
      if (r.code !== 0 && c.failed === 0) c.failed = 1;
      totals.passed += c.passed;
      totals.failed += c.failed;
    }
    if (want('integration')) {
      section('extension host');
      await hostSuite('integration', { workspace: town, env, screenshotDir: results });
    }
    if (want('agents')) {
      // The real Claude Code and opencode (npm, cached), offline against a model stub that records what reached it.
      section('real agent CLIs (extension host)');
      const { setupRealAgents } = await import('../test/harness/realAgentSetup.mjs');
      let agents;
      try {
        agents = await setupRealAgents({ town, summary: demo.summary, dir: path.join(demoDir, 'real-agents'), log: (l) => console.log(l) });
      } catch (e) {
        prerequisiteFailed('installing the real agent CLIs from npm (scripts/agent-clis.mjs)', String(e.stack ?? e));
      }
      try {
        await hostSuite('realagents', { workspace: town, env: { ...env, ...agents.env }, screenshotDir: results });
      } finally {
        await agents.stop();
      }
    }
    if (want('untrusted')) {
      // The same town opened in Restricted Mode (Workspace Trust on, folder not trusted): nothing may run.
      section('untrusted workspace (extension host)');
      await hostSuite('untrusted', { workspace: town, env, screenshotDir: results, trust: 'untrusted' });
    }
    if (want('ui')) {
      section('UI');
      process.env.GASTOWN_TEST_RESULTS = results;
      const { runUiSuites } = await import('../test/e2e/run.mjs');
      const r = await runUiSuites({ extDir: root, town, env, grep: process.env.GASTOWN_TEST_GREP });
      totals.passed += r.passed;
      totals.failed += r.failed;
    }
    if (want('package')) {
      section('package');
      // The .vsix a user would install: built, then installed into a real VS Code server.
      const pack = await run(npm, ['run', '-s', 'package']);
      const vsix = fs.readdirSync(root).find((f) => f.endsWith('.vsix'));
      const stack = await (await import('../test/harness/setup.mjs')).ensureVsCodeStack();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-vsix-'));
      const args = [stack.codeServer, '--user-data-dir', path.join(dir, 'udd'), '--extensions-dir', path.join(dir, 'exts')];
      const install = vsix && pack.code === 0 ? await run(stack.node24, [...args, '--install-extension', path.join(root, vsix)]) : { code: 1, out: pack.out };
      const list = install.code === 0 ? await run(stack.node24, [...args, '--list-extensions']) : { code: 1, out: '' };
      fs.rmSync(dir, { recursive: true, force: true });
      const ok = list.out.includes('gastown-vscode.gastown-vscode');
      console.log(`    ${ok ? '✔' : '✗'} the packaged .vsix installs into VS Code`);
      totals[ok ? 'passed' : 'failed']++;
    }
  } finally {
    demo.stop();
    if (!process.env.GASTOWN_KEEP_DEMO) fs.rmSync(demoDir, { recursive: true, force: true });
  }
}

if (want('beadsonly')) {
  // A folder with `.beads/` and no town (no demo town needed): its own Dolt server, bd alone on PATH, no
  // GT_ROOT/GT_TOWN_ROOT. The project is made, and its server stopped, here (test/beadsonly/project.mjs).
  section('beads-only folder (extension host)');
  let project;
  try {
    await (await import('../test/harness/setup.mjs')).ensureVsCodeStack();
    project = await (await import('../test/beadsonly/project.mjs')).beadsOnlyProject(await ensureGasTownStack());
  } catch (e) {
    prerequisiteFailed('the beads-only project (test/beadsonly/project.mjs) or its stack', String(e.message));
  }
  try {
    await hostSuite('beadsonly', {
      workspace: project.folder, env: { ...project.env, GASTOWN_TEST_GREP: process.env.GASTOWN_TEST_GREP ?? '' }, screenshotDir: path.join(root, 'test-results'),
    });
  } finally {
    await project.stop();
  }
}

if (failedGate) {
  console.error('\nlint or typecheck failed (see above)');
}
finish(failedGate || totals.failed > 0 ? 1 : 0);
