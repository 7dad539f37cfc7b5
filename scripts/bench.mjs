// `npm run bench`: prints figures (no pass/fail). Pure-layer costs on a large generated town, the cost of one
// `gt status --json` refresh on a real town when one is available, and the package sizes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from './lib/stack.mjs';

const require = createRequire(import.meta.url);
const out = (p) => require(path.join(root, 'out', p));
const { buildTown, PRESETS_DIR } = out('test/unit/fixtures/townBuilder.js');
const { findTownRoot } = out('src/town/discovery.js');
const { readTownLayout } = out('src/town/layout.js');
const { loadBuiltinPresets } = out('src/town/registry.js');
const { planAgent } = out('src/town/agentPlan.js');
const { collectTownProblems } = out('src/town/townProblems.js');
const { loadAgentRegistryFile } = out('src/town/settingsFiles.js');

function measure(fn, runs = 30) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)], p90: times[Math.floor(runs * 0.9)] };
}

const rows = [];
/** Figures by name for bench/results.json, next to the printed rows. */
const results = {};
const row = (what, m, note = '') => rows.push([what, typeof m === 'string' ? m : `${m.median.toFixed(2)} ms (p90 ${m.p90.toFixed(2)})`, note]);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-bench-'));
try {
  const rigs = Array.from({ length: 5 }, (_, i) => ({ name: `rig${i}`, prefix: `r${i}`, crew: Array.from({ length: 10 }, (_, j) => `crew${j}`), polecats: Array.from({ length: 10 }, (_, j) => `cat${j}`) }));
  const town = buildTown(path.join(tmp, 'gt'), { rigs, doltPort: 3307, settings: { role_agents: { crew: 'codex' } } });
  const builtins = loadBuiltinPresets(PRESETS_DIR).presets;
  row('find the town from a crew folder', measure(() => findTownRoot(path.join(town, 'rig3', 'crew', 'crew7'), {})));
  row('read the layout (5 rigs, 100 role homes)', measure(() => readTownLayout(town)));
  const layout = readTownLayout(town);
  const roles = layout.rigs.flatMap((r) => r.roles);
  row('resolve agent + env + command, one role', measure(() => planAgent(roles[17], { builtins, prefix: 'r1' }), 200));
  row('collect settings problems (all files)', measure(() => collectTownProblems(layout)));
  const agents = {};
  for (let i = 0; i < 20000; i++) agents[`agent${i}`] = { command: `tool${i}`, args: ['--flag', 'x'.repeat(200)] };
  const big = path.join(town, 'settings', 'agents.json');
  fs.writeFileSync(big, JSON.stringify({ version: 1, agents }));
  row(`parse + validate a ${(fs.statSync(big).size / 1048576).toFixed(1)} MB agents.json`, measure(() => loadAgentRegistryFile(big), 5));
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const realTown = process.env.GT_ROOT || path.join(os.homedir(), '.cache', 'gastown-vscode', 'demo', 'town');
const gtBin = path.join(os.homedir(), '.cache', 'gastown-vscode', 'bin');
if (fs.existsSync(path.join(realTown, 'mayor', 'town.json'))) {
  const env = { ...process.env, PATH: `${gtBin}${path.delimiter}${process.env.PATH}` };
  for (const [what, args] of [['fast status: gt status --json --fast', ['status', '--json', '--fast']], ['full status: gt status --json', ['status', '--json']]]) {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      try {
        execFileSync('gt', args, { cwd: realTown, env, stdio: 'ignore', timeout: 60000 });
        times.push(Date.now() - t);
      } catch {
        times.push(NaN);
      }
    }
    row(`${what} (real town)`, times.every(Number.isNaN) ? 'failed (is its Dolt server running?)' : times.map((t) => `${t} ms`).join(', '), realTown);
  }
} else {
  row('one status refresh: gt status --json', 'skipped', 'no real town (npm start makes one; or set GT_ROOT)');
}

// Beads at scale: bd's reads against the SQL reader on generated databases (built once by the real bd, cached
// under ~/.cache/gastown-vscode/beads-scale). GASTOWN_BENCH_BEADS=1000 skips the 10k build; =0 skips it all.
// Other sizes work (=1000,10000,50000), but bd builds 50,000 slowly: on 2 cores its imports took 19 min and its
// dependency adds (41,535 of them) 50–80 ms each and growing, so about 1.5 h once.
const beadSizes = (process.env.GASTOWN_BENCH_BEADS ?? '1000,10000').split(',').map(Number).filter((n) => n > 0);
if (beadSizes.length && ['bd', 'dolt'].every((t) => fs.existsSync(path.join(gtBin, t)))) {
  try {
    const { benchBeadsAtScale } = out('test/stack/beadsScaleBench.js');
    const scale = await benchBeadsAtScale(gtBin, beadSizes, (line) => console.error(line));
    for (const r of scale.rows) row(r.what, r.figure, r.note ?? '');
    results.beads = scale.figures;
  } catch (e) {
    row('beads at scale', 'failed', String(e.message).split('\n')[0]);
  }
} else {
  row('beads at scale', 'skipped', beadSizes.length ? 'no bd/dolt in ~/.cache/gastown-vscode/bin (npm test builds them)' : 'GASTOWN_BENCH_BEADS=0');
}

for (const [what, file] of [['bundle dist/extension.js', 'dist/extension.js'], ['package', fs.readdirSync(root).find((f) => f.endsWith('.vsix'))]]) {
  const p = file && path.join(root, file);
  row(what, p && fs.existsSync(p) ? `${(fs.statSync(p).size / 1024).toFixed(1)} KiB` : 'not built', file ?? 'npm run package');
}

// In a real VS Code (code-server) on a fresh demo town: freshness, idle cost, activation, agent start.
// GASTOWN_BENCH_VSCODE=0 skips it; GASTOWN_BENCH_IDLE_SECONDS (default 120) and GASTOWN_BENCH_CHANGES (20) size it.
if (process.env.GASTOWN_BENCH_VSCODE !== '0') {
  try {
    const { ensureVsCodeStack } = await import('../test/harness/setup.mjs');
    const { runExtensionHostTests } = await import('../test/harness/run-ext-tests.mjs');
    const { demoTown, ensureGasTownStack } = await import('./lib/stack.mjs');
    await ensureVsCodeStack();
    // One extension-host suite in a fresh window on `workspace`; it writes its figures to GASTOWN_BENCH_OUT.
    const inWindow = async (name, workspace, env, outFile) => {
      const code = await runExtensionHostTests({
        extDir: root, testsEntry: path.join(root, 'out', 'test', name, 'index.js'), workspace,
        env: { ...env, GASTOWN_BENCH_OUT: outFile }, screenshotDir: path.join(path.dirname(outFile), 'shots'),
        timeoutMs: 60 * 60 * 1000, log: (l) => console.error(l),
      });
      if (code !== 0) throw new Error(`the ${name} run on ${workspace} exited with ${code}`);
      return JSON.parse(fs.readFileSync(outFile, 'utf8'));
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-bench-town-'));
    const demo = await demoTown(dir, await ensureGasTownStack());
    try {
      const env = { ...demo.env, GASTOWN_TEST_TOWN: demo.town, GASTOWN_DEMO_SUMMARY: JSON.stringify(demo.summary) };
      const suite = (name, outFile, extra) => inWindow(name, demo.town, { ...env, ...extra }, outFile);
      const host = (only, outFile) => suite('benchhost', outFile, { GASTOWN_BENCH_ONLY: only });
      const activations = [];
      for (let i = 0; i < 5; i++) activations.push(await host('activation', path.join(dir, `activation-${i}.json`)));
      const med = (k) => activations.map((a) => a[k]).sort((a, b) => a - b)[2];
      results.activation = { activateMs: med('activateMs'), townRowsMs: med('townRowsMs'), beadRowsMs: med('beadRowsMs'), windows: activations };
      row('activate() (median of 5 fresh windows)', `${med('activateMs').toFixed(1)} ms`);
      row('Gas Town shown → Town rows / first bead rows (median of 5)', `${med('townRowsMs').toFixed(0)} ms / ${med('beadRowsMs').toFixed(0)} ms`);
      const h = await host('host', path.join(dir, 'host.json'));
      Object.assign(results, h);
      const fresh = (f) => `median ${f.median} ms, p95 ${f.p95} ms, ${f.missed} missed of ${f.n + f.missed}`;
      row('freshness: outside bd update → Beads data', fresh(h.freshBdUpdate));
      row('freshness: outside gt mail send → Mail data', fresh(h.freshMailSend));
      row('freshness: outside gt escalate → status bar data', fresh(h.freshEscalate));
      row(`idle: processes spawned per minute, views hidden / visible / status bar only (${h.idleSeconds} s each)`, `${h.idleHidden} / ${h.idleVisible} / ${h.idleStatusBar}`);
      for (const host of ['native', 'tmux']) {
        const { overhead: f, readyBeforePrompt: early } = h[`agent_${host}`];
        row(`Start Agent → ready detected, less the agent’s own start-up (${host}, test agent, ${f.n} starts)`, `median ${f.median} ms, p95 ${f.p95} ms`,
          `${host === 'tmux' ? "until the prompt is on gt's pane too; " : ''}the extension said ready ${Math.abs(early.median)} ms (median) ${early.median >= 0 ? 'before' : 'after'} the prompt showed`);
      }
      // The real Claude Code, offline against the model stub: the real-agent suite's nudge test (test/realagents).
      try {
        const { setupRealAgents } = await import('../test/harness/realAgentSetup.mjs');
        const agents = await setupRealAgents({ town: demo.town, summary: demo.summary, dir: path.join(dir, 'real-agents'), log: (l) => console.error(l) });
        try {
          const nudges = (await suite('realagents', path.join(dir, 'nudges.json'), { ...agents.env, GASTOWN_TEST_GREP: 'Claude Code: a single-line' })).nudgeSubmitted['Claude Code'];
          results.nudgeClaude = nudges;
          const ms = nudges.map((n) => n.ms).sort((a, b) => a - b);
          row(`Nudge → the prompt at the model (real Claude Code, offline; median of ${ms.length})`, `${ms[Math.floor(ms.length / 2)]} ms`, nudges.map((n) => `${n.ms} ms (${n.chars} characters)`).join(', '));
        } finally {
          await agents.stop();
        }
      } catch (e) {
        row('Nudge → the prompt at the model (real Claude Code)', 'failed', String(e.message).split('\n')[0]);
      }
    } finally {
      demo.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // The first screen at scale, in VS Code: a folder holding only the generated database (the one measured in
    // plain Node above), opened in 3 fresh windows. Its bd and Dolt environment, and no town.
    for (const n of beadSizes.filter((s) => s >= 10000)) {
      const { scaleDatabase } = out('test/stack/beadsScaleBench.js');
      const { db } = await scaleDatabase(gtBin, n, (l) => console.error(l));
      const scaleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gastown-bench-scale-'));
      try {
        const blank = Object.fromEntries(Object.keys(process.env).filter((k) => /^(GT_|BD_|BEADS_|DOLT_)/.test(k)).map((k) => [k, '']));
        const windows = [];
        for (let i = 0; i < 3; i++) {
          windows.push(await inWindow('benchhost', db.projDir,
            { ...blank, ...db.env, GT_ROOT: '', GT_TOWN_ROOT: '', GASTOWN_BENCH_ONLY: 'activation', GASTOWN_BENCH_BEADS_ONLY: '1' },
            path.join(scaleDir, `scale-${i}.json`)));
        }
        const m = (k) => windows.map((w) => w[k]).sort((a, b) => a - b)[1];
        const k = `${n / 1000}k`;
        results.beads = { ...results.beads, [`vscode${n}`]: { beadRowsMs: m('beadRowsMs'), allBeadsMs: m('allBeadsMs'), windows } };
        row(`[${k}] in VS Code: Beads view shown → first bead rows / every bead loaded (median of 3 fresh windows)`, `${m('beadRowsMs').toFixed(0)} ms / ${m('allBeadsMs').toFixed(0)} ms`,
          `beads-only folder on the generated database; ${windows[0].beads} beads in the view's list; goal ≤ 2 s`);
      } finally {
        await db.stop();
        fs.rmSync(scaleDir, { recursive: true, force: true });
      }
    }
  } catch (e) {
    row('in a real VS Code', 'failed', String(e.message).split('\n')[0]);
  }
} else {
  row('in a real VS Code', 'skipped', 'GASTOWN_BENCH_VSCODE=0');
}
fs.mkdirSync(path.join(root, 'bench'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench', 'results.json'), JSON.stringify({ at: new Date().toISOString(), cores: os.cpus().length, rows, ...results }, null, 2) + '\n');

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`Gas Town for VS Code — bench (${os.cpus().length} cores, node ${process.version})\n`);
for (const [a, b, c] of rows) console.log(`${a.padEnd(w)}  ${b}${c ? `   [${c}]` : ''}`);
