import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildRegistry, loadBuiltinPresets, mergePreset } from '../../src/town/registry';
import { buildTown, PRESETS_DIR, tempDir, writeJson } from './fixtures/townBuilder';

describe('built-in presets', () => {
  const { presets, problems } = loadBuiltinPresets(PRESETS_DIR);

  it('are all valid and cover every agent gt ships', () => {
    assert.deepEqual(problems, []);
    assert.deepEqual([...presets.keys()].sort(), ['amp', 'auggie', 'claude', 'codex', 'copilot', 'cursor', 'gemini', 'groq-compound', 'omp', 'opencode', 'pi', 'vibe']);
  });

  it('carry the values of gt v1.2.1', () => {
    const claude = presets.get('claude');
    assert.equal(claude?.command, 'claude');
    assert.deepEqual(claude?.args, ['--dangerously-skip-permissions']);
    assert.deepEqual(claude?.process_names, ['node', 'claude']);
    assert.equal(claude?.session_id_env, 'CLAUDE_SESSION_ID');
    assert.equal(claude?.ready_prompt_prefix, '❯ ');
    assert.equal(claude?.ready_delay_ms, 10000);
    assert.equal(claude?.hooks_use_settings_dir, true);
    const codex = presets.get('codex');
    assert.equal(codex?.prompt_mode, 'none');
    assert.equal(codex?.resume_style, 'subcommand');
    assert.equal(codex?.hooks_provider, undefined);
    assert.equal(presets.get('amp')?.resume_flag, 'threads continue');
    assert.equal(presets.get('opencode')?.prompt_flag, '--prompt');
    assert.equal(presets.get('opencode')?.env?.OPENCODE_PERMISSION, '{"*":"allow"}');
    assert.equal(presets.get('gemini')?.prompt_flag, '-i');
    assert.equal(presets.get('copilot')?.prompt_flag, '-i');
    assert.equal(presets.get('cursor')?.command, 'cursor-agent');
  });

  it('a broken presets folder is reported, not thrown', () => {
    const r = loadBuiltinPresets('/nonexistent/presets');
    assert.equal(r.presets.size, 0);
    assert.match(r.problems[0].message, /cannot be read/);
  });
});

describe('agent registry merge', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());
  const builtins = loadBuiltinPresets(PRESETS_DIR).presets;

  it('built-ins, then town agents.json, then rig agents.json, field by field', () => {
    const root = buildTown(path.join(t.dir, 'gt'), {
      agents: { version: 1, agents: { claude: { args: ['--town'], env: { A: 'town', B: 'town' } }, mine: { command: 'mine' } } },
      rigs: [{ name: 'demo', prefix: 'dm', agents: { version: 1, agents: { claude: { env: { B: 'rig' }, ready_delay_ms: 1 }, mine: { args: ['x'] } } } }],
    });
    const town = buildRegistry(builtins, root);
    assert.deepEqual(town.entries.get('claude')?.preset.args, ['--town']);
    assert.equal(town.entries.get('claude')?.preset.ready_delay_ms, 10000);
    assert.deepEqual(town.entries.get('claude')?.layers, ['builtin', 'town']);

    const rig = buildRegistry(builtins, root, 'demo');
    const claude = rig.entries.get('claude');
    assert.deepEqual(claude?.preset.args, ['--town'], 'args from town kept (rig did not set them)');
    assert.deepEqual(claude?.preset.env, { A: 'town', B: 'rig' }, 'env merged key by key');
    assert.equal(claude?.preset.ready_delay_ms, 1);
    assert.equal(claude?.preset.session_id_env, 'CLAUDE_SESSION_ID', 'untouched built-in fields kept');
    assert.deepEqual(claude?.layers, ['builtin', 'town', 'rig']);
    assert.deepEqual(rig.entries.get('mine')?.preset, { name: 'mine', command: 'mine', args: ['x'] });
    assert.deepEqual(rig.problems, []);
    assert.deepEqual(rig.files.map((f) => path.relative(root, f)), ['settings/agents.json', 'demo/settings/agents.json']);
  });

  it('a broken town agents.json leaves the built-ins working', () => {
    const root = buildTown(path.join(t.dir, 'gt'));
    writeJson(path.join(root, 'settings', 'agents.json'), { version: 1, agents: { claude: { args: 5 } } });
    const r = buildRegistry(builtins, root);
    assert.deepEqual(r.entries.get('claude')?.preset.args, ['--dangerously-skip-permissions']);
    assert.equal(r.problems.length, 1);
  });

  it('non_interactive merges field by field; lists are replaced; null clears', () => {
    const merged = mergePreset({ args: ['a', 'b'], non_interactive: { subcommand: 'exec', output_flag: '--json' }, env: { A: '1' } }, { args: ['c'], non_interactive: { prompt_flag: '-p' }, env: null as unknown as Record<string, string> });
    assert.deepEqual(merged.args, ['c']);
    assert.deepEqual(merged.non_interactive, { subcommand: 'exec', output_flag: '--json', prompt_flag: '-p' });
    assert.equal(merged.env, null);
  });
});
