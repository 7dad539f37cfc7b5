import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectedClaudeHooks } from '../../src/town/hooks/claudeHookSet';
import { inspectFile, readUserHookLayers, wrapperScript, writeInspected, writeWrapper } from '../../src/town/hooks/hookFiles';
import { planFolderHooks, planRoleHooks, PlannedFile } from '../../src/town/hooks/hookPlan';
import { BEGIN_MARK, END_MARK } from '../../src/town/hooks/instructionsSection';
import { isGtCommand } from '../../src/town/hooks/mergeHookFile';
import { roleDir, RoleHome, RoleKind } from '../../src/town/roles';
import type { AgentPreset } from '../../src/town/schemas';
import { tempDir, writeText } from './fixtures/townBuilder';

// Unit tests of pure logic plus real files in temp folders; gt itself is compared in the extension-host suite.
const GT = '/opt/gt/bin/gt';
const presets = (name: string): AgentPreset => JSON.parse(fs.readFileSync(path.join(__dirname, '../../../presets', `${name}.json`), 'utf8')) as AgentPreset;

function home(townRoot: string, kind: RoleKind, rig?: string, name?: string): RoleHome {
  return { kind, townRoot, rig, name, dir: roleDir(townRoot, kind, rig, name) };
}

function install(files: PlannedFile[], root: string): void {
  for (const f of files) {
    writeInspected(inspectFile(f, root));
  }
}

function commandsOf(text: string, event: string): string[] {
  const doc = JSON.parse(text) as { hooks: Record<string, Array<{ hooks?: Array<{ command: string }>; command?: string; bash?: string }>> };
  return (doc.hooks[event] ?? []).flatMap((g) => (g.hooks ? g.hooks.map((h) => h.command) : [g.command ?? g.bash ?? '']));
}

describe('agent hook files', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir('gastown-hooks-');
  });
  afterEach(() => t.cleanup());

  it('claude: gt’s hook set per role target (base, then built-in role overrides)', () => {
    const crew = expectedClaudeHooks('demo/crew', GT);
    assert.deepEqual(Object.keys(crew), ['PreToolUse', 'SessionStart', 'Stop', 'PreCompact', 'UserPromptSubmit']);
    assert.equal(crew.PreCompact[0].hooks[0].command, `${GT} handoff --cycle --reason compaction`);
    assert.equal(crew.SessionStart[0].hooks[0].command, `${GT} prime --hook`);
    const polecats = expectedClaudeHooks('demo/polecats', GT);
    assert.equal(polecats.Stop[0].hooks[0].command, `${GT} tap polecat-stop-check`);
    const deacon = expectedClaudeHooks('deacon', GT);
    assert.equal(deacon.UserPromptSubmit, undefined, 'the deacon gets no mail on each prompt');
    assert.equal(deacon.PreToolUse.length, 13);
    // A user's override layer: a new matcher is appended, an empty one removes.
    const user = { overrides: { crew: { PreToolUse: [{ matcher: 'Bash(git push -f*)', hooks: [] }, { matcher: 'Bash(make deploy)', hooks: [{ type: 'command', command: 'echo no' }] }] } } };
    const mine = expectedClaudeHooks('demo/crew', GT, user).PreToolUse.map((g) => g.matcher);
    assert.ok(!mine.includes('Bash(git push -f*)'));
    assert.equal(mine[mine.length - 1], 'Bash(make deploy)');
  });

  it('every provider’s file for a role: where gt puts it, with gt prime in its start event, JSON 0600', () => {
    const root = t.dir;
    const cases: Array<[string, string, string]> = [
      ['claude', 'demo/crew/.claude/settings.json', 'SessionStart'],
      ['gemini', 'demo/crew/alice/.gemini/settings.json', 'SessionStart'],
      ['cursor', 'demo/crew/alice/.cursor/hooks.json', 'sessionStart'],
      ['copilot', 'demo/crew/alice/.github/hooks/gastown.json', 'sessionStart'],
    ];
    for (const [name, rel, event] of cases) {
      const files = planRoleHooks(home(root, 'crew', 'demo', 'alice'), { agentName: name, preset: presets(name), gtBin: GT });
      assert.equal(files[0].path, path.join(root, rel), name);
      install(files, root);
      const text = fs.readFileSync(path.join(root, rel), 'utf8');
      assert.ok(commandsOf(text, event).some((c) => c.includes(`${GT} prime --hook`)), `${name}: ${text}`);
      assert.equal(fs.statSync(path.join(root, rel)).mode & 0o777, 0o600, name);
    }
    const oc = planRoleHooks(home(root, 'polecat', 'demo', 'rust'), { agentName: 'opencode', preset: presets('opencode'), gtBin: GT });
    install(oc, root);
    const plugin = fs.readFileSync(path.join(root, 'demo/polecats/rust/demo/.opencode/plugins/gastown.js'), 'utf8');
    assert.ok(plugin.includes('"prime", "--hook"') && plugin.includes('session.compacted') && plugin.includes('experimental.chat.system.transform'));
    assert.equal(fs.statSync(oc[0].path).mode & 0o777, 0o644);
  });

  it('the opencode plugin is valid JavaScript that handles compound GT_ROLE values', async () => {
    const files = planRoleHooks(home(t.dir, 'polecat', 'demo', 'rust'), { agentName: 'opencode', preset: presets('opencode'), gtBin: GT });
    install(files, t.dir);
    const mjs = path.join(t.dir, 'plugin.mjs');
    fs.copyFileSync(files[0].path, mjs);
    const ran: string[][] = [];
    // A stand-in for opencode's Bun shell: records the argv of each call.
    const shell = (_s: TemplateStringsArray, _gt: string, args: string[]) => {
      ran.push(args);
      const chain = { cwd: () => chain, env: () => chain, quiet: () => chain, nothrow: () => Promise.resolve({ exitCode: 0, stdout: Buffer.from(`out of ${args.join(' ')}`) }) };
      return chain;
    };
    process.env.GT_ROLE = 'demo/polecats/rust';
    try {
      const mod = (await import(mjs)) as { GasTownVSCode: (i: unknown) => Promise<Record<string, (a: unknown, b?: unknown) => Promise<void>>> };
      const hooks = await mod.GasTownVSCode({ $: shell, directory: t.dir });
      await hooks.event({ event: { type: 'session.created', properties: { info: { id: 's1' } } } });
      const output = { system: [] as string[] };
      await hooks['experimental.chat.system.transform']({}, output);
      assert.deepEqual(ran, [['prime', '--hook'], ['mail', 'check', '--inject']], 'a polecat is autonomous: prime, then mail');
      assert.equal(output.system[0], 'out of prime --hook\n\nout of mail check --inject');
    } finally {
      delete process.env.GT_ROLE;
    }
  });

  it('merging into a user’s Claude settings keeps their keys and hooks; a second install is byte-identical', () => {
    const file = path.join(t.dir, 'demo/crew/.claude/settings.json');
    const user = {
      model: 'opus',
      theme: 'light',
      permissions: { allow: ['Bash(ls)'] },
      hooks: {
        SessionStart: [{ matcher: '', hooks: [{ type: 'command', command: 'echo mine' }, { type: 'command', command: 'export PATH=/x:$PATH && gt prime --hook' }] }],
        PostToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'prettier --write' }] }],
        Notification: [{ matcher: '', hooks: [{ type: 'command', command: 'notify-send hi' }] }],
      },
    };
    writeText(file, JSON.stringify(user, null, 4));
    const files = planRoleHooks(home(t.dir, 'crew', 'demo', 'alice'), { agentName: 'claude', preset: presets('claude'), gtBin: GT });
    install(files, t.dir);
    const first = fs.readFileSync(file, 'utf8');
    const doc = JSON.parse(first) as Record<string, unknown> & { hooks: Record<string, Array<{ hooks: Array<{ command: string }> }>>; permissions: Record<string, unknown> };
    assert.equal(doc.model, 'opus');
    assert.equal(doc.theme, 'light', 'theme is only a default');
    assert.deepEqual(doc.permissions, { allow: ['Bash(ls)'], defaultMode: 'bypassPermissions' });
    assert.deepEqual(commandsOf(first, 'SessionStart'), [`${GT} prime --hook`, 'echo mine'], 'the stale gt entry is replaced, the user’s kept');
    assert.deepEqual(commandsOf(first, 'PostToolUse'), ['prettier --write']);
    assert.deepEqual(commandsOf(first, 'Notification'), ['notify-send hi']);
    assert.equal(commandsOf(first, 'PreToolUse').length, 6);
    assert.equal(inspectFile(files[0], t.dir).state, 'installed');
    install(files, t.dir);
    assert.equal(fs.readFileSync(file, 'utf8'), first, 'second install byte-identical');
  });

  it('a file gt wrote with its own JSON escapes is current when it says the same, and is left as gt wrote it', () => {
    const [f] = planRoleHooks(home(t.dir, 'crew', 'demo', 'alice'), { agentName: 'claude', preset: presets('claude'), gtBin: GT });
    install([f], t.dir);
    const ours = fs.readFileSync(f.path, 'utf8');
    assert.ok(ours.includes('costs record &'));
    const gtBytes = ours.replace(/&/g, '\\u0026');
    fs.writeFileSync(f.path, gtBytes);
    const i = inspectFile(f, t.dir);
    assert.equal(i.state, 'installed');
    writeInspected(i);
    assert.equal(fs.readFileSync(f.path, 'utf8'), gtBytes);
  });

  it('cursor: bd’s own hooks in .cursor/hooks.json stay next to ours', () => {
    const file = path.join(t.dir, 'ws/.cursor/hooks.json');
    writeText(file, JSON.stringify({ version: 1, hooks: { sessionStart: [{ command: 'bd prime' }], afterFileEdit: [{ command: 'bd sync' }] } }));
    install(planFolderHooks(path.join(t.dir, 'ws'), { agentName: 'cursor', preset: presets('cursor'), gtBin: GT }), path.join(t.dir, 'ws'));
    const text = fs.readFileSync(file, 'utf8');
    assert.deepEqual(commandsOf(text, 'sessionStart'), [`${GT} prime --hook`, 'bd prime']);
    assert.deepEqual(commandsOf(text, 'afterFileEdit'), ['bd sync']);
  });

  it('a malformed file is not touched and says why; a foreign plugin of the same name is not replaced', () => {
    const file = path.join(t.dir, 'demo/crew/.claude/settings.json');
    writeText(file, '{ "hooks": { oops');
    const [f] = planRoleHooks(home(t.dir, 'crew', 'demo', 'alice'), { agentName: 'claude', preset: presets('claude'), gtBin: GT });
    const i = inspectFile(f, t.dir);
    assert.equal(i.state, 'blocked');
    assert.match(i.reason ?? '', /not valid JSON/);
    assert.throws(() => writeInspected(i), /was not changed/);
    assert.equal(fs.readFileSync(file, 'utf8'), '{ "hooks": { oops');
    const ws = path.join(t.dir, 'ws');
    writeText(path.join(ws, '.opencode/plugins/gastown.js'), 'export const Mine = async () => ({});\n');
    const [p] = planFolderHooks(ws, { agentName: 'opencode', preset: presets('opencode'), gtBin: GT });
    assert.equal(inspectFile(p, ws).state, 'blocked');
  });

  it('agents without hooks get a marked section in their instructions file; the rest of it stays', () => {
    const ws = path.join(t.dir, 'ws');
    writeText(path.join(ws, 'AGENTS.md'), '# My project\n\nUse tabs.\n');
    const files = planFolderHooks(ws, { agentName: 'codex', preset: presets('codex'), gtBin: GT });
    assert.deepEqual(files.map((f) => path.relative(ws, f.path)), ['AGENTS.md']);
    install(files, ws);
    const once = fs.readFileSync(path.join(ws, 'AGENTS.md'), 'utf8');
    assert.ok(once.startsWith('# My project\n\nUse tabs.\n\n' + BEGIN_MARK), once);
    assert.ok(once.includes('`gt prime`') && once.trimEnd().endsWith(END_MARK));
    fs.appendFileSync(path.join(ws, 'AGENTS.md'), '\nMore of mine.\n');
    install(files, ws);
    const twice = fs.readFileSync(path.join(ws, 'AGENTS.md'), 'utf8');
    assert.equal(twice, once + '\nMore of mine.\n', 'the section is replaced in place, nothing added');
  });

  it('a file written in a git clone is added to .git/info/exclude; a tracked instructions file is left alone', () => {
    const clone = path.join(t.dir, 'clone');
    fs.mkdirSync(clone);
    execFileSync('git', ['init', '-q', clone]);
    const files = planFolderHooks(clone, { agentName: 'gemini', preset: presets('gemini'), gtBin: GT });
    install(files, clone);
    assert.match(fs.readFileSync(path.join(clone, '.git/info/exclude'), 'utf8'), /^\/\.gemini\/$/m, 'the folder we created is excluded whole');
    fs.mkdirSync(path.join(clone, '.cursor'));
    install(planFolderHooks(clone, { agentName: 'cursor', preset: presets('cursor'), gtBin: GT }), clone);
    assert.match(fs.readFileSync(path.join(clone, '.git/info/exclude'), 'utf8'), /^\/\.cursor\/hooks\.json$/m, 'in a folder that was there: the file alone');
    assert.equal(execFileSync('git', ['-C', clone, 'status', '--porcelain'], { encoding: 'utf8' }), '', 'the clone stays clean');
    writeText(path.join(clone, 'AGENTS.md'), '# tracked\n');
    execFileSync('git', ['-C', clone, 'add', 'AGENTS.md']);
    const [agents] = planFolderHooks(clone, { agentName: 'codex', preset: presets('codex'), gtBin: GT });
    assert.throws(() => writeInspected(inspectFile(agents, clone)), /git tracks it/);
    assert.equal(fs.readFileSync(path.join(clone, 'AGENTS.md'), 'utf8'), '# tracked\n');
  });

  it('a symlink that leads outside the folder is refused; nothing is written outside', () => {
    const ws = path.join(t.dir, 'ws');
    const outside = path.join(t.dir, 'outside');
    fs.mkdirSync(ws, { recursive: true });
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(ws, '.gemini'));
    const [f] = planFolderHooks(ws, { agentName: 'gemini', preset: presets('gemini'), gtBin: GT });
    const i = inspectFile(f, ws);
    assert.equal(i.state, 'blocked');
    assert.match(i.reason ?? '', /outside/);
    assert.deepEqual(fs.readdirSync(outside), []);
  });

  it('Claude in a plain folder writes the local-only settings file', () => {
    const ws = path.join(t.dir, 'ws');
    const files = planFolderHooks(ws, { agentName: 'claude', preset: presets('claude'), gtBin: GT });
    assert.equal(files[0].path, path.join(ws, '.claude/settings.local.json'));
  });

  it('recognises gt’s commands, not the user’s', () => {
    for (const c of [`${GT} prime --hook`, 'gt mail check --inject', 'export PATH="$HOME/go/bin:$PATH" && gt tap guard dangerous-command', 'GT_HOOK_SOURCE=compact /x/gt prime --hook', 'case "${GT_ROLE:-}" in *witness*) exit 0 ;; esac']) {
      assert.ok(isGtCommand(c), c);
    }
    for (const c of ['echo mine', 'bd prime', 'gtx prime', 'git status', 'prettier --write']) {
      assert.ok(!isGtCommand(c), c);
    }
  });

  it('the user’s ~/.gt layers are read as gt reads them', () => {
    writeText(path.join(t.dir, '.gt/hooks-base.json'), JSON.stringify({ Stop: [{ matcher: '', hooks: [{ type: 'command', command: 'echo bye' }] }] }));
    writeText(path.join(t.dir, '.gt/hooks-overrides/demo__crew.json'), JSON.stringify({ SessionStart: [] }));
    const layers = readUserHookLayers({ HOME: t.dir });
    assert.ok(layers.base?.Stop);
    assert.ok(layers.overrides['demo/crew']);
    assert.equal(expectedClaudeHooks('demo/crew', GT, layers).Stop[0].hooks[0].command, 'echo bye');
  });

  it('a wrapper primes the role, then runs the agent with its arguments', () => {
    const bin = path.join(t.dir, 'bin');
    fs.mkdirSync(bin);
    const gt = writeText(path.join(bin, 'fake-gt'), '#!/bin/sh\necho "PRIME $*"\n');
    fs.chmodSync(gt, 0o755);
    const file = writeWrapper(bin, 'echo', '/bin/echo', gt);
    assert.equal(fs.statSync(file).mode & 0o777, 0o755);
    assert.equal(execFileSync(file, ['a b', 'c'], { encoding: 'utf8', env: { ...process.env, GT_ROLE: 'mayor' } }), 'PRIME prime\na b c\n');
    assert.equal(execFileSync(file, ['x'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }), 'x\n', 'outside a role: no prime');
    assert.ok(wrapperScript("it's", gt).includes(`exec 'it'\\''s' "$@"`));
  });
});
