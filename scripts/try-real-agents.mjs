// Standalone end-to-end check (not part of the test suite) that the real-agent test infrastructure works:
// the pinned CLIs (scripts/agent-clis.mjs), the model stub (test/harness/modelStub.mjs) and the isolated
// config/env + tmux helpers (test/harness/realAgents.mjs). Everything runs offline under tmux (a real terminal).
//
//   node scripts/try-real-agents.mjs [--only claude,cap,opencode] [--no-threshold] [--no-compare] [--keep]
//
//   claude    Claude Code: a SessionStart hook's output and the typed prompt reach the model (where exactly)
//   cap       Claude Code's cap on SessionStart hook output: plain stdout vs JSON additionalContext, by size,
//             and a bisection for the exact threshold (skip with --no-threshold)
//   opencode  opencode: a .opencode/plugins/*.js plugin's system-prompt text reaches the model; start-up time
//             with the .opencode pre-fill (and without it, unless --no-compare); when session.created fires

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAgentClis, prefillOpencodeDir } from './agent-clis.mjs';
import { mainRequests, startModelStub } from '../test/harness/modelStub.mjs';
import {
  CLAUDE_READY, OPENCODE_READY, claudeEnv, opencodeEnv, startInTmux, writeClaudeSettings,
} from '../test/harness/realAgents.mjs';

const args = process.argv.slice(2);
const only = (() => { const i = args.indexOf('--only'); return i >= 0 ? new Set(args[i + 1].split(',')) : null; })();
const want = (part) => !only || only.has(part);
const KEEP = args.includes('--keep');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const log = (...a) => console.log(...a);

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'try-real-agents-'));
const live = new Set(); // tmux handles to kill on the way out
const stubs = new Set();
async function cleanup() {
  for (const t of live) await t.kill();
  live.clear();
  for (const s of stubs) await s.close();
  stubs.clear();
  if (!KEEP) fs.rmSync(root, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => void cleanup().finally(() => process.exit(130)));

async function tmux(opts) { const t = await startInTmux(opts); live.add(t); return t; }
async function untmux(t) { await t.kill(); live.delete(t); }
async function stub(opts) { const s = await startModelStub(opts); stubs.add(s); return s; }

/** Where `needle` occurs in a request body: e.g. `messages[1] (role "system") content[0] (text)`. */
function locate(body, needle) {
  const hits = [];
  const inText = (t) => typeof t === 'string' && t.includes(needle);
  if (typeof body?.system === 'string' && inText(body.system)) hits.push('system (string)');
  if (Array.isArray(body?.system)) body.system.forEach((b, i) => { if (inText(b?.text)) hits.push(`system[${i}] (${b.type})`); });
  (body?.messages || []).forEach((m, i) => {
    if (inText(m.content)) hits.push(`messages[${i}] (role "${m.role}") content (string)`);
    if (Array.isArray(m.content)) {
      m.content.forEach((b, j) => {
        if (inText(b?.text) || inText(b?.content) || (Array.isArray(b?.content) && b.content.some((x) => inText(x?.text)))) {
          hits.push(`messages[${i}] (role "${m.role}") content[${j}] (${b.type})`);
        }
      });
    }
  });
  return hits;
}

/** The text of the block that holds `needle` (first hit), for excerpts. */
function blockText(body, needle) {
  const all = [];
  if (typeof body?.system === 'string') all.push(body.system);
  if (Array.isArray(body?.system)) body.system.forEach((b) => all.push(b?.text));
  for (const m of body?.messages || []) {
    if (typeof m.content === 'string') all.push(m.content);
    else if (Array.isArray(m.content)) m.content.forEach((b) => all.push(typeof b?.text === 'string' ? b.text : typeof b?.content === 'string' ? b.content : ''));
  }
  return all.find((t) => typeof t === 'string' && t.includes(needle)) || '';
}

const excerpt = (s, n = 160) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);
const summary = [];

// ----------------------------------------------------------------------------------------- Claude Code helpers

/** Starts claude with the given hooks in a fresh project, types `prompt`, returns the first main request. */
async function runClaude(claudeBin, { name, hooks, prompt, readyTimeoutMs = 60000 }) {
  const dir = path.join(root, name);
  const proj = path.join(dir, 'project');
  fs.mkdirSync(proj, { recursive: true });
  const s = await stub({ reply: 'ok' });
  const settings = writeClaudeSettings(path.join(dir, 'settings', '.claude', 'settings.json'), { hooks });
  const env = claudeEnv({ stubUrl: s.url, configDir: path.join(dir, 'claude-config'), trustedDirs: [proj] });
  const t0 = Date.now();
  const t = await tmux({ cwd: proj, env, command: [claudeBin, '--dangerously-skip-permissions', '--settings', settings] });
  try {
    const readyScreen = await t.waitForScreen(CLAUDE_READY, readyTimeoutMs);
    const readyMs = Date.now() - t0;
    await t.typePrompt(prompt);
    const req = await s.waitFor((r) => mainRequests([r]).length > 0 && JSON.stringify(r.body.messages).includes(prompt), 60000);
    await sleep(300);
    return { req, readyMs, readyScreen, requests: [...s.requests], dir, screen: await t.capture() };
  } finally {
    await untmux(t);
    await s.close();
    stubs.delete(s);
  }
}

// ------------------------------------------------------------------------------------------------ a) Claude

async function partClaude(claudeBin) {
  log('\n=== a) Claude Code: SessionStart hook + typed prompt → model ===');
  const dir = path.join(root, 'claude-a');
  fs.mkdirSync(dir, { recursive: true });
  const promptLog = path.join(dir, 'user-prompt-submit.jsonl');
  const prompt = 'Say hello to PROMPT-MARKER-789, please.';
  const r = await runClaude(claudeBin, {
    name: 'claude-a',
    hooks: {
      SessionStart: 'echo SESSIONSTART-MARKER-123',
      UserPromptSubmit: `cat >> '${promptLog}'; echo >> '${promptLog}'`,
    },
    prompt,
  });
  const readyLine = r.readyScreen.split('\n').find((l) => l.includes(CLAUDE_READY)) ?? '';
  log(`ready after ${secs(r.readyMs)}; ready line: ${JSON.stringify(readyLine)} (❯ U+276F, then U+00A0)`);
  log('ready screen (non-empty lines):\n' + r.readyScreen.split('\n').filter((l) => l.trim()).map((l) => `  | ${l.trimEnd()}`).join('\n'));
  log(`requests to the stub: ${r.requests.map((q) => `${q.method} ${q.url}${q.body?.tools ? ` [tools ${q.body.tools.length}]` : ''}`).join(', ')}`);
  const where = locate(r.req.body, 'SESSIONSTART-MARKER-123');
  const wherePrompt = locate(r.req.body, 'PROMPT-MARKER-789');
  log(`SESSIONSTART-MARKER-123 in the first main request at: ${where.join('; ') || 'NOT FOUND'}`);
  log(`  block starts: ${excerpt(blockText(r.req.body, 'SESSIONSTART-MARKER-123'), 120)}`);
  log(`prompt in the first main request at: ${wherePrompt.join('; ') || 'NOT FOUND'}`);
  let submitted = [];
  try { submitted = fs.readFileSync(promptLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch {}
  const exact = submitted.length === 1 && submitted[0].prompt === prompt;
  log(`UserPromptSubmit stdin: ${submitted.length} record(s); prompt ${exact ? 'matches exactly' : 'MISMATCH: ' + JSON.stringify(submitted.map((x) => x.prompt))}` +
    (submitted[0] ? `; keys: ${Object.keys(submitted[0]).join(', ')}` : ''));
  const ok = where.length > 0 && wherePrompt.length > 0 && exact;
  summary.push([ok, `Claude Code: SessionStart output + prompt reach the model (${where[0] || 'missing'}), ready in ${secs(r.readyMs)}`]);
}

// --------------------------------------------------------------------------------------------- b) hook cap

function writeHookGenerator(dir) {
  const gen = path.join(dir, 'gen-hook-output.mjs');
  fs.writeFileSync(gen, `
const [bytes, mode, label] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const head = 'START-OF-HOOK-OUTPUT-' + label + '\\n';
const tail = 'END-OF-HOOK-OUTPUT-' + label + '\\n';
let body = '';
const fill = mode === 'utf8' ? '\\u00e9' : 'x'; // utf8: 2-byte characters, to tell a cap in characters from one in bytes
for (let i = 1; head.length + body.length + tail.length < bytes; i++) body += 'filler line ' + String(i).padStart(5, '0') + ' ' + fill.repeat(50) + '\\n';
let text = head + body;
text = text.slice(0, Math.max(head.length, bytes - tail.length)) + tail;
if (mode === 'json') process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } }));
else process.stdout.write(text);
`);
  return gen;
}

/** One probe: a SessionStart hook printing `bytes` bytes; what reaches the model. */
async function capProbe(claudeBin, gen, bytes, mode) {
  const label = `${mode}-${bytes}`;
  const r = await runClaude(claudeBin, {
    name: `cap-${label}`,
    hooks: { SessionStart: `node '${gen}' ${bytes} ${mode} ${label}` },
    prompt: `cap probe ${label}`,
  });
  const start = `START-OF-HOOK-OUTPUT-${label}`;
  const end = `END-OF-HOOK-OUTPUT-${label}`;
  const text = blockText(r.req.body, start) || blockText(r.req.body, 'Output too large') || '';
  const full = JSON.stringify(r.req.body);
  const tooLarge = /Output too large \(([^)]*)\)/.exec(text);
  const preview = /Preview \(([^)]*)\):\n/.exec(text);
  const where = locate(r.req.body, start);
  const hasEnd = full.includes(end);
  let delivered = null;
  if (text.includes(start)) {
    const i = text.indexOf(start);
    const j = hasEnd ? text.indexOf(end) + end.length + 1 : (text.indexOf('\n\n# Environment', i) >= 0 ? text.indexOf('\n\n# Environment', i) : text.length);
    delivered = j - i;
  }
  const prefix = /^(.{0,80}?)(START-OF-HOOK-OUTPUT|<persisted-output>)/s.exec(text)?.[1] ?? '';
  const previewText = /Preview \([^)]*\):\n([\s\S]*?)\n\.\.\.\n<\/persisted-output>/.exec(text)?.[1];
  return {
    bytes, mode, full: hasEnd, where: where[0] || (text ? locate(r.req.body, 'Output too large')[0] : 'not found'),
    tooLarge: tooLarge?.[1] || null, preview: preview?.[1] || null, delivered, prefix,
    previewChars: previewText?.length ?? null,
    savedTo: /Full output saved to: (\S+)/.exec(text)?.[1] || null,
    excerpt: text ? excerpt(text.slice(0, 220), 220) : '(hook text not in the request)',
  };
}

/** Best effort: the hook-output threshold and preview size as written in the claude binary (minified names vary). */
async function capConstantsInBinary(claudeBin) {
  const { execFile } = await import('node:child_process');
  const grep = (re) => new Promise((resolve) => execFile('grep', ['-aoE', re, fs.realpathSync(claudeBin)], { maxBuffer: 1 << 24 }, (_e, out) => resolve(String(out || '').split('\n').filter(Boolean))));
  const fn = (await grep('\\{threshold:[A-Za-z_$]+=[A-Za-z0-9_$]+,maxPersistBytes:[A-Za-z_$]+=[A-Za-z0-9_$]+'))[0];
  if (!fn) return 'not found (the minified code changed)';
  const name = /threshold:[A-Za-z_$]+=([A-Za-z0-9_$]+)/.exec(fn)[1];
  const esc = name.replace(/\$/g, '\\$');
  const def = (await grep(`[,; ]${esc}=[0-9][0-9e.]*`))[0]?.slice(1) ?? '?';
  const preview = (await grep('Preview \\(first \\$\\{[A-Za-z_$]+\\([A-Za-z_$]+\\)\\}'))[0] ?? '';
  const pname = /\(([A-Za-z_$]+)\)\}$/.exec(preview)?.[1];
  // Minified names repeat across chunks: list every numeric definition of the preview's constant.
  const pdef = pname ? [...new Set((await grep(`[,; ]${pname.replace(/\$/g, '\\$')}=[0-9][0-9e.]*`)).map((x) => x.slice(1)))].join(' or ') : undefined;
  const tooLarge = (await grep('Output too large \\(\\$\\{[^}]*\\}\\)\\. Full output saved to'))[0] ?? '';
  return `hook persistence: \`${fn}\` with ${def} (characters: \`if(e.length<=threshold)return e\`); ` +
    `message \`${tooLarge}…\`; preview \`${preview}…\` with ${pdef ?? '?'} (one of them; the request text names the size)`;
}

async function pool(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    for (;;) { const i = next++; if (i >= items.length) return; out[i] = await fn(items[i], i); }
  }));
  return out;
}

async function partCap(claudeBin) {
  log('\n=== b) Claude Code: SessionStart hook output cap ===');
  const dir = path.join(root, 'cap');
  fs.mkdirSync(dir, { recursive: true });
  const gen = writeHookGenerator(dir);
  const sizes = [1536, 9 * 1024, 12 * 1024, 20 * 1024];
  const probes = sizes.flatMap((b) => [[b, 'plain'], [b, 'json']]);
  const results = await pool(probes, 3, ([b, m]) => capProbe(claudeBin, gen, b, m));
  for (const r of results) {
    log(`${r.mode.padEnd(5)} ${String(r.bytes).padStart(6)} B: ${r.full ? 'FULL text reached the model' : 'CUT'}` +
      `${r.tooLarge ? ` — "Output too large (${r.tooLarge})", "Preview (${r.preview})" of ${r.previewChars} chars (whole lines)` : ''}` +
      `${r.full ? `; ${r.delivered} chars delivered` : ''}; at ${r.where}; text starts ${JSON.stringify(r.prefix)}`);
    if (!r.full) log(`        ${r.excerpt}`);
  }
  // Characters or bytes? 9,000 characters of 2-byte text (~17 KB in UTF-8).
  const u = await capProbe(claudeBin, gen, 9000, 'utf8');
  log(`utf8   9000 chars (≈17 KB in UTF-8): ${u.full ? 'FULL' : `CUT (${u.tooLarge})`} → the cap counts ${u.full ? 'characters (JS string length), not bytes' : 'bytes'}`);
  log(`the constants in the binary: ${await capConstantsInBinary(claudeBin)}`);
  summary.push([true, `hook cap by size: ${results.map((r) => `${r.mode} ${(r.bytes / 1024).toFixed(1)}KB ${r.full ? 'full' : 'cut'}`).join(', ')}`]);

  if (args.includes('--no-threshold')) return;
  for (const mode of ['plain', 'json']) {
    const rs = results.filter((r) => r.mode === mode);
    let lo = Math.max(...rs.filter((r) => r.full).map((r) => r.bytes), 0);
    let hi = Math.min(...rs.filter((r) => !r.full).map((r) => r.bytes), Infinity);
    if (!Number.isFinite(hi) || lo === 0) { log(`${mode}: no full/cut pair to bisect between (lo ${lo}, hi ${hi})`); continue; }
    // Bisect on the byte count: full at lo, cut at hi. Three probes per round in parallel.
    while (hi - lo > 1) {
      const pts = [1, 2, 3].map((k) => Math.round(lo + ((hi - lo) * k) / 4)).filter((x, i, a) => x > lo && x < hi && a.indexOf(x) === i);
      const rr = await pool(pts, 3, (b) => capProbe(claudeBin, gen, b, mode));
      for (const r of rr) { if (r.full) lo = Math.max(lo, r.bytes); else hi = Math.min(hi, r.bytes); }
      log(`  ${mode}: full at ${lo} B, cut at ${hi} B`);
    }
    log(`${mode}: THRESHOLD — ${lo} bytes of hook output still reach the model whole; ${hi} bytes are cut` +
      (mode === 'plain' ? ' (the text ends in a newline, which Claude trims from plain stdout before the check)' : ' (additionalContext, its final newline included)'));
    summary.push([true, `hook cap (${mode}): ${lo} B whole, ${hi} B cut`]);
  }
}

// --------------------------------------------------------------------------------------------- c) opencode

function writeOpencodePlugin(proj, eventsFile) {
  const dir = path.join(proj, '.opencode', 'plugins');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'gastown.js'), `import fs from "node:fs";
const rec = (line) => fs.appendFileSync(${JSON.stringify(eventsFile)}, Date.now() + " " + line + "\\n");
export const GasTown = async ({ $, directory }) => {
  rec("plugin-init " + directory);
  return {
    event: async ({ event }) => { rec("event " + event.type); },
    "experimental.chat.system.transform": async (input, output) => { output.system.push("PLUGIN-MARKER-456"); },
  };
};
`);
}

const readEvents = (f) => { try { return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => { const [at, ...rest] = l.split(' '); return { at: Number(at), what: rest.join(' ') }; }); } catch { return []; } };

async function startOpencode(opencodeBin, { name, prefill }) {
  const dir = path.join(root, name);
  const proj = path.join(dir, 'project');
  const eventsFile = path.join(dir, 'events.log');
  fs.mkdirSync(proj, { recursive: true });
  writeOpencodePlugin(proj, eventsFile);
  const s = await stub({ reply: 'ok' });
  const tp = Date.now();
  const env = await opencodeEnv({ stubUrl: s.url, homeDir: path.join(dir, 'home'), prefill });
  if (prefill) await prefillOpencodeDir(proj);
  const prefillMs = Date.now() - tp;
  const t0 = Date.now();
  const t = await tmux({ cwd: proj, env, command: [opencodeBin] });
  const readyScreen = await t.waitForScreen(OPENCODE_READY, 180000);
  const readyMs = Date.now() - t0;
  return { t, s, proj, dir, eventsFile, readyMs, readyScreen, prefillMs, t0 };
}

async function partOpencode(opencodeBin) {
  log('\n=== c) opencode: .opencode plugin → system prompt; start-up time ===');
  const o = await startOpencode(opencodeBin, { name: 'opencode-c', prefill: true });
  try {
    log(`pre-fill (global config dir + project .opencode/): ${secs(o.prefillMs)}; ready after ${secs(o.readyMs)}`);
    log('ready screen (non-empty lines):\n' + o.readyScreen.split('\n').filter((l) => l.trim()).map((l) => `  | ${l.trimEnd()}`).join('\n'));
    await sleep(1500);
    const atStart = readEvents(o.eventsFile);
    log(`plugin events before the first prompt: ${[...new Set(atStart.map((e) => e.what.replace(/ \/.*/, '')))].join(', ') || 'none'}`);
    const prompt = 'Say hello to PROMPT-MARKER-789, please.';
    const typedAt = Date.now();
    await o.t.typePrompt(prompt);
    const req = await o.s.waitFor((r) => mainRequests([r]).length > 0 && JSON.stringify(r.body.messages).includes('PROMPT-MARKER-789'), 60000);
    await sleep(1500);
    const ev = readEvents(o.eventsFile);
    const created = ev.find((e) => e.what === 'event session.created');
    log(`requests to the stub: ${o.s.requests.map((q) => `${q.method} ${q.url}${q.body?.tools ? ` [tools ${q.body.tools.length}]` : ' [no tools]'}`).join(', ')}`);
    const where = locate(req.body, 'PLUGIN-MARKER-456');
    log(`PLUGIN-MARKER-456 in the main request at: ${where.join('; ') || 'NOT FOUND'}`);
    const sysMsgs = (req.body.messages || []).map((m, i) => [m, i]).filter(([m]) => m.role === 'system');
    for (const [m, i] of sysMsgs) {
      const text = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
      log(`  messages[${i}] system, ${text.length} chars, ends: ${excerpt(text.slice(-80), 80)}`);
    }
    log(`prompt at: ${locate(req.body, 'PROMPT-MARKER-789').join('; ') || 'NOT FOUND'}`);
    const titleReqs = o.s.requests.filter((r) => r.path.endsWith('/chat/completions') && !mainRequests([r]).length);
    if (titleReqs[0]) log(`title request (no tools): has PLUGIN-MARKER-456: ${locate(titleReqs[0].body, 'PLUGIN-MARKER-456').join('; ') || 'no'}`);
    log(`session.created: ${created ? `${created.at >= typedAt ? 'at the first prompt' : 'at start'} (${created.at - typedAt} ms after the prompt was typed)` : 'never fired'}`);
    log(`plugin events after the prompt: ${[...new Set(ev.filter((e) => e.at >= typedAt).map((e) => e.what))].join(', ')}`);
    const pj = fs.readFileSync(path.join(o.proj, '.opencode', 'package.json'), 'utf8');
    log(`.opencode/package.json after the run: ${pj.replace(/\s+/g, ' ')}; files: ${fs.readdirSync(path.join(o.proj, '.opencode')).join(', ')}`);
    summary.push([where.length > 0, `opencode: PLUGIN-MARKER-456 at ${where[0] || 'missing'}; ready in ${secs(o.readyMs)} with pre-fill; session.created ${created ? (created.at >= typedAt ? 'at first prompt' : 'at start') : 'never'}`]);
  } finally {
    await untmux(o.t);
  }

  if (args.includes('--no-compare')) return;
  log('\n--- opencode start-up without the pre-fill (npm install of @opencode-ai/plugin at start) ---');
  const n = await startOpencode(opencodeBin, { name: 'opencode-noprefill', prefill: false });
  try {
    log(`ready after ${secs(n.readyMs)} without pre-fill (vs ${secs(o.readyMs)} with)`);
    const pjFile = path.join(n.proj, '.opencode', 'package.json');
    for (let i = 0; i < 100 && !fs.existsSync(path.join(n.proj, '.opencode', 'package-lock.json')); i++) await sleep(200);
    if (fs.existsSync(pjFile)) log(`opencode wrote .opencode/package.json: ${fs.readFileSync(pjFile, 'utf8').replace(/\s+/g, ' ')}; files: ${fs.readdirSync(path.join(n.proj, '.opencode')).join(', ')}`);
    summary.push([true, `opencode ready in ${secs(n.readyMs)} without pre-fill vs ${secs(o.readyMs)} with`]);
  } finally {
    await untmux(n.t);
  }
}

// ----------------------------------------------------------------------------------------------------- main

let failed = false;
try {
  const t0 = Date.now();
  const clis = await ensureAgentClis();
  log(`CLIs (${secs(Date.now() - t0)}): ${JSON.stringify(clis)}`);
  log(`work folder: ${root}${KEEP ? ' (kept)' : ''}`);
  if (want('claude')) await partClaude(clis.claude);
  if (want('cap')) await partCap(clis.claude);
  if (want('opencode')) await partOpencode(clis.opencode);
} catch (e) {
  failed = true;
  console.error(`\nFAILED: ${e.stack || e}`);
} finally {
  await cleanup();
}
log('\n=== summary ===');
for (const [ok, line] of summary) log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
if (failed || summary.some(([ok]) => !ok)) process.exit(1);
