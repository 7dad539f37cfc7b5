import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonDocument } from '../../src/town/jsonDocument';
import { readTownLayout } from '../../src/town/layout';
import { agentsJsonPath, loadAgentRegistryFile, loadBeadsConfig, loadRigSettings, loadTownSettings } from '../../src/town/settingsFiles';
import { collectTownProblems } from '../../src/town/townProblems';
import { buildTown, tempDir, writeJson, writeText } from './fixtures/townBuilder';

describe('settings files', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  beforeEach(() => {
    t = tempDir();
    root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm', crew: ['max'] }] });
  });
  afterEach(() => t.cleanup());

  it('reads town settings and keeps unknown keys', () => {
    writeJson(path.join(root, 'settings', 'config.json'), { type: 'town-settings', version: 1, default_agent: 'codex', role_agents: { crew: 'gemini' }, future_key: { a: 1 } });
    const s = loadTownSettings(root);
    assert.deepEqual(s.problems, []);
    assert.equal(s.value?.default_agent, 'codex');
    assert.deepEqual(JSON.parse(JSON.stringify((s.value as Record<string, unknown>).future_key)), { a: 1 });
  });

  it('a missing file is not a problem', () => {
    const s = loadTownSettings(root);
    assert.equal(s.exists, false);
    assert.equal(s.value, undefined);
    assert.deepEqual(s.problems, []);
  });

  it('invalid JSON: the problem has the file, line and column, and no value is guessed', () => {
    const file = writeText(path.join(root, 'settings', 'config.json'), '{\n  "default_agent": "codex",\n  "role_agents": { "crew" "gemini" }\n}\n');
    const s = loadTownSettings(root);
    assert.equal(s.value, undefined);
    assert.ok(s.problems.length > 0);
    const p = s.problems[0];
    assert.equal(p.file, file);
    assert.equal(p.line, 2);
    assert.equal(p.column, 26);
    assert.match(p.message, /':' was expected/);
  });

  it('comments and trailing commas are errors, as for gt', () => {
    writeText(path.join(root, 'settings', 'config.json'), '{\n  // mine\n  "default_agent": "codex",\n}\n');
    const msgs = loadTownSettings(root).problems.map((p) => `${p.line}:${p.message}`);
    assert.ok(msgs.some((m) => m.startsWith('1:') && m.includes('comments are not allowed')), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.startsWith('3:')), msgs.join('\n'));
  });

  it('wrong types: the JSON path and the position of the offending key', () => {
    writeText(path.join(root, 'settings', 'config.json'), '{\n  "type": "town-settings",\n  "role_agents": {\n    "crew": 42\n  }\n}\n');
    const s = loadTownSettings(root);
    assert.equal(s.value, undefined);
    assert.equal(s.problems.length, 1);
    assert.equal(s.problems[0].jsonPath, 'role_agents.crew');
    assert.equal(s.problems[0].line, 3);
    assert.equal(s.problems[0].column, 4);
    assert.equal(s.problems[0].endLine, 3);
  });

  it('an empty file is a clear error', () => {
    writeText(path.join(root, 'settings', 'config.json'), '  \n');
    const s = loadTownSettings(root);
    assert.equal(s.value, undefined);
    assert.match(s.problems[0].message, /is empty/);
  });

  it('a BOM is read but warned about (gt cannot read it)', () => {
    writeText(path.join(root, 'settings', 'config.json'), '\uFEFF{"default_agent": "codex"}');
    const s = loadTownSettings(root);
    assert.equal(s.value?.default_agent, 'codex');
    assert.equal(s.problems.length, 1);
    assert.equal(s.problems[0].severity, 'warning');
    assert.match(s.problems[0].message, /byte-order mark/);
  });

  it('a 5 MB agents.json is read whole', () => {
    const agents: Record<string, unknown> = {};
    for (let i = 0; i < 20000; i++) {
      agents[`agent${i}`] = { command: `tool${i}`, args: ['--flag', 'x'.repeat(200)], env: { A: 'b' } };
    }
    const file = writeJson(agentsJsonPath(root), { version: 1, agents });
    const size = fs.statSync(file).size;
    assert.ok(size > 5 * 1024 * 1024, `fixture is ${size} bytes`);
    const started = Date.now();
    const r = loadAgentRegistryFile(file);
    assert.deepEqual(r.problems, []);
    assert.equal(Object.keys(r.value ?? {}).length, 20000);
    assert.ok(Date.now() - started < 20000);
  });

  it('a file over the size limit is refused with a message, not read', () => {
    const file = writeText(agentsJsonPath(root), Buffer.alloc(17 * 1024 * 1024, 0x20));
    const r = loadAgentRegistryFile(file);
    assert.equal(r.value, undefined);
    assert.match(r.problems[0].message, /over the .*limit/);
  });

  it('agents.json: an unknown registry version is warned about, entries still read (gt does not check it)', () => {
    writeJson(agentsJsonPath(root), { version: 7, agents: { mine: { command: 'mine' } } });
    const r = loadAgentRegistryFile(agentsJsonPath(root));
    assert.equal(r.value?.mine?.command, 'mine');
    assert.equal(r.problems.length, 1);
    assert.equal(r.problems[0].jsonPath, 'version');
    assert.equal(r.problems[0].severity, 'warning');
  });

  it('agents.json: a missing version is an error', () => {
    writeJson(agentsJsonPath(root), { agents: {} });
    const r = loadAgentRegistryFile(agentsJsonPath(root));
    assert.equal(r.value, undefined);
    assert.equal(r.problems[0].jsonPath, 'version');
  });

  it('agents.json: one bad entry loses only itself', () => {
    writeJson(agentsJsonPath(root), { version: 1, agents: { good: { command: 'ok', args: ['a'] }, bad: { command: 'x', args: 'not-a-list' }, alsoBad: { ready_delay_ms: -5 } } });
    const r = loadAgentRegistryFile(agentsJsonPath(root));
    assert.deepEqual(Object.keys(r.value ?? {}), ['good']);
    assert.deepEqual(r.problems.map((p) => p.jsonPath).sort(), ['agents.alsoBad.ready_delay_ms', 'agents.bad.args']);
  });

  it('rig settings of a newer version or another type are ignored with a warning, as gt does', () => {
    writeJson(path.join(root, 'demo', 'settings', 'config.json'), { type: 'rig-settings', version: 2, agent: 'codex' });
    const s = loadRigSettings(root, 'demo');
    assert.equal(s.value, undefined);
    assert.match(s.problems[0].message, /gt ignores this whole file/);
    writeJson(path.join(root, 'demo', 'settings', 'config.json'), { type: 'rig-settings', version: 1, agent: 'codex' });
    assert.equal(loadRigSettings(root, 'demo').value?.agent, 'codex');
  });

  it('.beads/config.yaml: values, and a positioned error for bad YAML', () => {
    assert.equal(loadBeadsConfig(path.join(root, '.beads')).value?.prefix, 'hq');
    writeText(path.join(root, '.beads', 'config.yaml'), 'prefix: hq\n  bad: [unclosed\n');
    const c = loadBeadsConfig(path.join(root, '.beads'));
    assert.equal(c.value, undefined);
    assert.ok(c.problems.length > 0);
    assert.match(c.problems[0].message, /invalid YAML/);
  });

  it('collects every problem of a town for the diagnostics', () => {
    writeText(path.join(root, 'settings', 'config.json'), '{');
    writeText(agentsJsonPath(path.join(root, 'demo')), '[]');
    const problems = collectTownProblems(readTownLayout(root));
    const files = problems.map((p) => path.relative(root, p.file)).sort();
    assert.deepEqual(files, ['demo/settings/agents.json', 'settings/config.json']);
  });

  it('a directory where a file should be is a problem, not a crash', () => {
    fs.mkdirSync(path.join(root, 'settings', 'config.json'), { recursive: true });
    const d = readJsonDocument(path.join(root, 'settings', 'config.json'));
    assert.match(d.problems[0].message, /not a regular file/);
  });
});
