import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RoleHome } from '../../src/town/roles';
import type { AgentPreset } from '../../src/town/schemas';
import { api, demoRoles, screenshot, sleep, townRoot, waitFor } from '../integration/helpers';

/** What the harness (test/harness/realAgentSetup.mjs) prepared: each CLI's absolute command and isolated env. */
interface RealAgents {
  claude: { command: string; env: Record<string, string> };
  claudeDialog: { command: string; env: Record<string, string> };
  opencode: { command: string; env: Record<string, string> };
}
interface ModelRequest {
  path: string;
  body?: { tools?: unknown[]; system?: unknown; messages?: unknown[] };
  at: number;
}

function real(): RealAgents {
  const raw = process.env.GASTOWN_REAL_AGENTS;
  assert.ok(raw, 'GASTOWN_REAL_AGENTS is not set: run this suite through npm test');
  return JSON.parse(raw) as RealAgents;
}

/** Every request the model stub received so far (it appends one JSON line per request). */
function requests(): ModelRequest[] {
  const file = process.env.GASTOWN_MODEL_RECORD ?? '';
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ModelRequest);
}

/** All the text a request shows the model: system prompt and messages (tool results included). */
function shown(r: ModelRequest): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      out.push(v);
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k !== 'tools') {
          walk(x);
        }
      }
    }
  };
  walk(r.body?.system);
  walk(r.body?.messages);
  return out.join('\n');
}

/** Text parts of a message the user typed (not the agent's reminders, not tool results). */
function typedText(m: { role?: string; content?: unknown }): string | undefined {
  if (m.role !== 'user') {
    return undefined;
  }
  if (typeof m.content === 'string') {
    return m.content;
  }
  const texts = (Array.isArray(m.content) ? (m.content as Array<{ type?: string; text?: string }>) : [])
    .filter((c) => c.type === 'text' && typeof c.text === 'string' && !c.text.trimStart().startsWith('<system-reminder>'))
    .map((c) => c.text ?? '');
  // Claude Code sends a long paste wrapped in its own markup; the text inside is what was typed.
  return texts.length > 0 ? texts.join('\n').replace(/\s*<pasted_content id="[^"]*">\n?([\s\S]*?)\n?<\/pasted_content id="[^"]*">\s*/g, '$1') : undefined;
}

/**
 * The prompt a request answers: the last user message with typed text, when nothing but reminders (a hook's
 * injected context) came after it; undefined for a request that continues a turn (a tool's result).
 */
function lastPrompt(r: ModelRequest): string | undefined {
  const msgs = (r.body?.messages ?? []) as Array<{ role?: string; content?: unknown }>;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m.role !== 'user') {
      return undefined;
    }
    const typed = typedText(m);
    if (typed !== undefined) {
      return typed;
    }
    if (Array.isArray(m.content) && (m.content as Array<{ type?: string }>).some((c) => c.type === 'tool_result')) {
      return undefined;
    }
  }
  return undefined;
}

/** The text of the tool results in a request (Anthropic `tool_result` blocks, OpenAI `tool` messages). */
function toolResults(r: ModelRequest): string {
  const parts: string[] = [];
  for (const m of (r.body?.messages ?? []) as Array<{ role?: string; content?: unknown }>) {
    if (m.role === 'tool') {
      parts.push(typeof m.content === 'string' ? m.content : JSON.stringify(m.content));
    } else if (Array.isArray(m.content)) {
      for (const c of m.content as Array<{ type?: string; content?: unknown }>) {
        if (c.type === 'tool_result') {
          parts.push(typeof c.content === 'string' ? c.content : JSON.stringify(c.content));
        }
      }
    }
  }
  return parts.join('\n');
}

/** A request that carries a tool's result (Anthropic `tool_result` block, OpenAI `tool` message). */
function hasToolResult(r: ModelRequest): boolean {
  return (r.body?.messages ?? []).some((m) => {
    const msg = m as { role?: string; content?: unknown };
    return msg.role === 'tool' || (Array.isArray(msg.content) && (msg.content as Array<{ type?: string }>).some((c) => c.type === 'tool_result'));
  });
}

/** What the session shows and how it stands, for a failure message. */
function describeSession(session: { state: { kind: string }; output: string } | undefined): string {
  const screen = (session as unknown as { screenLines?: () => string[] } | undefined)?.screenLines?.() ?? [];
  return `state ${session?.state.kind ?? 'none'}; screen:\n${screen.filter((l) => l.trim()).slice(-15).join('\n')}\n-- output tail:\n${(session?.output ?? '').slice(-600)}`;
}

/** waitFor, with the session's state and screen in the error. */
async function waitShowing<T>(what: string, session: () => { state: { kind: string }; output: string } | undefined, check: () => T | undefined | false, ms: number): Promise<T> {
  try {
    return await waitFor(what, check, ms);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${describeSession(session())}`);
  }
}

const NUDGES = [
  'a short nudge',
  Array.from({ length: 200 }, (_, i) => `part${i}`).join(' ').slice(0, 1000),
  'first line of three\nsecond line, with `code` and $(not run)\nthird line',
];

/** Nudge → the prompt at the model, ms, per agent: `npm run bench` reads them from GASTOWN_BENCH_OUT. */
const nudgeSubmitted: Record<string, { chars: number; ms: number }[]> = {};

const isMain = (r: ModelRequest): boolean => Array.isArray(r.body?.tools) && r.body.tools.length > 0;

/**
 * A line from the end of the role's own `gt prime` output, run now as the agent will run it: one without digits
 * (no ids, times or pids), long enough to be unique, found once.
 */
function tailLine(prime: string): string {
  const lines = prime.split('\n').map((l) => l.trim());
  const from = Math.floor(lines.length * 0.6);
  const candidates = lines.slice(from).filter((l) => l.length >= 25 && !/\d/.test(l) && lines.filter((x) => x === l).length === 1);
  const pick = candidates[candidates.length - 1];
  assert.ok(pick, `no stable line in the last 40% of gt prime's output:\n${prime.slice(-1500)}`);
  return pick;
}

async function addPresets(): Promise<void> {
  const { store } = await api();
  const file = path.join(townRoot(), 'settings', 'agents.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { agents: Record<string, AgentPreset> };
  const r = real();
  for (const [name, base, cli] of [
    ['realclaude', 'claude', r.claude],
    ['realclaude-dialog', 'claude', r.claudeDialog],
    ['realopencode', 'opencode', r.opencode],
  ] as const) {
    const builtin = store.builtins.presets.get(base);
    assert.ok(builtin, `no built-in preset ${base}`);
    doc.agents[name] = { ...builtin, name, command: cli.command, env: { ...(builtin.env ?? {}), ...cli.env } };
  }
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
}

describe('Real agent CLIs started by the extension prime themselves', function () {
  this.timeout(240_000);
  before(async () => {
    await addPresets();
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'native', vscode.ConfigurationTarget.Global);
  });
  after(() => {
    if (process.env.GASTOWN_BENCH_OUT) {
      fs.writeFileSync(process.env.GASTOWN_BENCH_OUT, JSON.stringify({ nudgeSubmitted }));
    }
  });
  afterEach(async () => {
    const { sessions } = await api();
    for (const s of sessions.all()) {
      await s.stop();
    }
  });

  const primeOf = async (home: RoleHome, agent: string): Promise<{ role: string; prime: string }> => {
    const { sessions } = await api();
    const env = sessions.plan(home, { override: agent }).env;
    const prime = execFileSync('gt', ['prime'], { cwd: home.dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    return { role: env.GT_ROLE, prime };
  };

  for (const which of ['crew', 'polecat'] as const) {
    it(`Claude Code for a ${which}: the first model request holds the role's gt prime (our SessionStart hook), and the end of it reaches the model`, async () => {
      const home = (await demoRoles())[which];
      const { role, prime } = await primeOf(home, 'realclaude');
      const tail = tailLine(prime);
      const since = Date.now();
      await vscode.commands.executeCommand('gastown.startAgent', home.dir, { agent: 'realclaude', host: 'native' });
      const first = await waitFor('Claude Code’s first model request', () => requests().find((r) => r.at >= since && isMain(r)), 90_000);
      const text = shown(first);
      // The hook's message as the model gets it: "SessionStart:startup hook success: …".
      const at = text.indexOf('SessionStart:startup hook success');
      assert.ok(at >= 0, 'the SessionStart hook ran and its output reached the model');
      const hook = text.slice(at, text.indexOf('</persisted-output>', at) > 0 ? text.indexOf('</persisted-output>', at) : at + 12_000);
      assert.ok(hook.includes(`role:${role}`), `the hook's gt prime output is ${role}'s:\n${hook.slice(0, 1500)}`);
      assert.ok(text.includes(`[GAS TOWN] ${which} ${home.name} (rig: ${home.rig})`), 'the startup prompt (beacon) is the first user turn');
      // Claude hands a hook's output over 10,000 characters to the model as a 2 KB preview; the startup prompt has
      // the agent run gt prime itself, and its whole output comes back as the tool's result.
      assert.match(hook, /Output too large/, 'measured with the pinned Claude Code: the hook output (about 20 KB) arrives as a preview');
      assert.ok(!hook.includes(tail), `the end of gt prime (${JSON.stringify(tail)}) is not in the hook preview`);
      const full = await waitFor(`a tool result holding the end of ${role}'s gt prime: ${JSON.stringify(tail)}`, () => requests().find((r) => r.at >= since && toolResults(r).includes(tail)), 90_000);
      assert.ok(isMain(full));
      console.log(`${which}: first model request ${first.at - since} ms after Start, full context ${full.at - since} ms`);
      await screenshot(`real-claude-${which}`);
    });
  }

  it('opencode for a crew member: the request after the first prompt holds the role’s gt prime, from our plugin, start to end', async () => {
    const roles = await demoRoles();
    const home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const { role, prime } = await primeOf(home, 'realopencode');
    const tail = tailLine(prime);
    const since = Date.now();
    await vscode.commands.executeCommand('gastown.startAgent', home.dir, { agent: 'realopencode', host: 'native' });
    const plugin = path.join(home.dir, '.opencode', 'plugins', 'gastown.js');
    assert.ok(fs.existsSync(plugin), 'the plugin was written before the start');
    const main = await waitFor(`opencode's main request holding ${role}'s gt prime`, () => requests().find((r) => r.at >= since && isMain(r) && shown(r).includes(`role:${role}`)), 150_000);
    const text = shown(main);
    assert.ok(text.includes(tail), `the end of gt prime (${JSON.stringify(tail)}) is in the system prompt too`);
    console.log(`opencode: the primed request ${main.at - since} ms after Start`);
    await screenshot('real-opencode-crew');
  });

  for (const [agent, label] of [
    ['realclaude', 'Claude Code'],
    ['realopencode', 'opencode'],
  ] as const) {
    it(`${label}: a single-line, a 1,000-character and a three-line nudge each reach the model as exactly one prompt with the exact text`, async () => {
      const { polecat } = await demoRoles();
      const { sessions } = await api();
      const since = Date.now();
      await vscode.commands.executeCommand('gastown.startAgent', polecat.dir, { agent, host: 'native' });
      // The startup turn first (the model runs gt prime, then answers), so the agent is idle at its prompt.
      await waitFor('the startup turn to finish', () => requests().find((r) => r.at >= since && isMain(r) && hasToolResult(r)), 150_000);
      // The startup turn may run more tools after the first: wait until the model has heard nothing for 3 s (a
      // fixed pause was too short on a loaded machine, and the nudge then arrived in the middle of the turn).
      await waitFor('the agent idle: no model request for 3 s, and ready', () => Date.now() - Math.max(since, ...requests().map((r) => r.at)) > 3000 && sessions.get(polecat)?.state.kind === 'ready', 150_000);
      for (const text of NUDGES) {
        const t0 = Date.now();
        await vscode.commands.executeCommand('gastown.nudgeAgent', polecat.dir, text);
        // opencode adds a space after pasted text: trailing whitespace is the agent's, not ours.
        const hit = await waitShowing(`a model request whose prompt is ${JSON.stringify(text.slice(0, 40))}…`, () => sessions.get(polecat), () => requests().find((r) => r.at >= t0 && isMain(r) && lastPrompt(r)?.trimEnd() === text), 60_000);
        console.log(`${label}: ${text.length}-character nudge submitted in ${hit.at - t0} ms`);
        (nudgeSubmitted[label] ??= []).push({ chars: text.length, ms: hit.at - t0 });
        await sleep(2500);
        // Exactly one prompt: no request whose prompt is a piece of this text (a line on its own, or a merge).
        const prompts = requests()
          .filter((r) => r.at >= t0 && isMain(r))
          .map((r) => lastPrompt(r)?.trimEnd())
          .filter((p) => p !== undefined);
        assert.deepEqual([...new Set(prompts)], [text], `the prompts the model saw after this nudge: ${JSON.stringify(prompts)}`);
      }
      await screenshot(`real-${agent}-nudges`);
    });
  }

  it('Claude Code: ready when its prompt shows on the screen (not from a delay), busy while it answers, ready again after each reply', async () => {
    const { polecat } = await demoRoles();
    const { sessions } = await api();
    const since = Date.now();
    await vscode.commands.executeCommand('gastown.startAgent', polecat.dir, { agent: 'realclaude', host: 'native' });
    const session = await waitFor('the session', () => sessions.get(polecat));
    const changes: Array<{ kind: string; at: number }> = [];
    session.onDidChangeState((s) => changes.push({ kind: s.kind, at: Date.now() }));
    // The startup turn: the model runs gt prime, then answers; the screen shows the prompt again.
    const last = await waitFor('the startup turn to finish', () => requests().find((r) => r.at >= since && isMain(r) && hasToolResult(r)), 150_000);
    await waitShowing('ready after the startup turn', () => session, () => session.state.kind === 'ready', 15_000);
    const readyAt = changes.filter((c) => c.kind === 'ready').pop()?.at ?? Date.now();
    console.log(`Claude Code: ready ${readyAt - last.at} ms after the last model request of the startup turn`);
    assert.ok(readyAt - last.at < 3000, `ready ${readyAt - last.at} ms after the reply`);
    for (const text of ['first question', 'second question']) {
      changes.length = 0;
      const t0 = Date.now();
      await vscode.commands.executeCommand('gastown.nudgeAgent', polecat.dir, text);
      const req = await waitFor(`the request for ${text}`, () => requests().find((r) => r.at >= t0 && isMain(r) && lastPrompt(r) === text), 60_000);
      await waitShowing(`ready after the reply to ${text}`, () => session, () => session.state.kind === 'ready' && changes.some((c) => c.kind === 'ready'), 15_000);
      const kinds = changes.map((c) => c.kind);
      assert.deepEqual(kinds.slice(0, 1), ['busy'], `busy first: ${kinds.join(' → ')}`);
      const back = (changes.find((c) => c.kind === 'ready')?.at ?? 0) - req.at;
      console.log(`Claude Code: busy → ready ${back} ms after the model answered "${text}"`);
      assert.ok(back < 3000, `ready ${back} ms after the reply`);
    }
  });

  it('Claude Code waiting in a dialog (trust this folder?) is not "ready", even after the preset’s 10 s delay', async () => {
    const { polecat } = await demoRoles();
    const { sessions } = await api();
    await vscode.commands.executeCommand('gastown.startAgent', polecat.dir, { agent: 'realclaude-dialog', host: 'native' });
    const session = await waitFor('the session', () => sessions.get(polecat));
    const native = session as unknown as { screenLines(): string[] };
    await waitShowing('a dialog on the screen', () => session, () => native.screenLines().some((l) => /Enter to confirm/.test(l)), 30_000);
    await sleep((session.plan.resolved.preset.ready_delay_ms ?? 10_000) + 2000);
    assert.equal(session.state.kind, 'starting', `state ${session.state.kind}; screen:\n${native.screenLines().filter((l) => l.trim()).join('\n')}`);
    await screenshot('real-claude-dialog');
  });
});
