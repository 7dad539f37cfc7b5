import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { buildRegistry, loadBuiltinPresets } from '../../src/town/registry';
import { resolveAgent, ResolveInput } from '../../src/town/resolveAgent';
import type { RoleKind } from '../../src/town/roles';
import type { RigSettings, TownSettings } from '../../src/town/schemas';
import { buildTown, PRESETS_DIR, tempDir } from './fixtures/townBuilder';

describe('agent resolution (gt order)', () => {
  let t: ReturnType<typeof tempDir>;
  let registry: ResolveInput['registry'];
  before(() => {
    t = tempDir();
    const root = buildTown(path.join(t.dir, 'gt'), { agents: { version: 1, agents: { testagent: { command: 'node', args: ['agent.js'] } } } });
    registry = buildRegistry(loadBuiltinPresets(PRESETS_DIR).presets, root);
  });
  after(() => t.cleanup());

  const everywhere = (): boolean => true;
  const nowhere = (): boolean => false;

  interface Row {
    title: string;
    role: RoleKind;
    worker?: string;
    town?: TownSettings;
    rig?: RigSettings;
    override?: string;
    onPath?: (c: string) => boolean;
    name: string;
    step: string;
    source?: string;
    command?: string;
    warnings?: number;
  }
  const rows: Row[] = [
    { title: 'an explicit override wins over everything', role: 'crew', worker: 'max', override: 'gemini', rig: { worker_agents: { max: 'codex' }, role_agents: { crew: 'amp' } }, name: 'gemini', step: 'override', command: 'gemini' },
    { title: 'crew: rig worker_agents first', role: 'crew', worker: 'max', rig: { worker_agents: { max: 'codex' }, role_agents: { crew: 'amp' } }, town: { crew_agents: { max: 'gemini' } }, name: 'codex', step: 'rig worker_agents' },
    { title: 'crew: then town crew_agents', role: 'crew', worker: 'max', rig: { worker_agents: { other: 'codex' }, role_agents: { crew: 'amp' } }, town: { crew_agents: { max: 'gemini' } }, name: 'gemini', step: 'town crew_agents' },
    { title: 'crew: worker_agents only apply to crew', role: 'witness', worker: 'max', rig: { worker_agents: { max: 'codex' } }, name: 'claude', step: 'fallback claude' },
    { title: 'rig role_agents before town role_agents', role: 'polecat', rig: { role_agents: { polecat: 'codex' } }, town: { role_agents: { polecat: 'gemini' } }, name: 'codex', step: 'rig role_agents' },
    { title: 'town role_agents', role: 'witness', town: { role_agents: { witness: 'testagent' } }, name: 'testagent', step: 'town role_agents', command: 'node' },
    { title: 'a role_agents entry whose binary is not on PATH falls through, with a warning', role: 'witness', town: { role_agents: { witness: 'codex' }, default_agent: 'amp' }, onPath: nowhere, name: 'amp', step: 'town default_agent', warnings: 1 },
    { title: 'an unknown role_agents name falls through, with a warning', role: 'witness', town: { role_agents: { witness: 'nope' } }, name: 'claude', step: 'fallback claude', warnings: 1 },
    { title: 'a custom agent in role_agents is taken without a PATH check', role: 'refinery', rig: { role_agents: { refinery: 'mine' }, agents: { mine: { command: 'mytool', args: [] } } }, onPath: nowhere, name: 'mine', step: 'rig role_agents', source: 'rig agents', command: 'mytool' },
    { title: 'rig runtime (deprecated) before rig agent', role: 'refinery', rig: { agent: 'amp', runtime: { command: 'codex' } }, name: 'codex', step: 'rig runtime', command: 'codex' },
    { title: 'rig agent', role: 'refinery', rig: { agent: 'amp' }, town: { default_agent: 'gemini' }, name: 'amp', step: 'rig agent', command: 'amp' },
    { title: 'town default_agent (no PATH check)', role: 'mayor', town: { default_agent: 'gemini' }, onPath: nowhere, name: 'gemini', step: 'town default_agent' },
    { title: 'claude when nothing is configured', role: 'deacon', name: 'claude', step: 'fallback claude', command: 'claude' },
    { title: 'dogs run Claude Haiku by default', role: 'dog', town: { default_agent: 'claude' }, name: 'claude', step: 'dog default' },
    { title: 'dogs follow an explicit non-Claude agent', role: 'dog', town: { role_agents: { dog: 'codex' } }, name: 'codex', step: 'town role_agents' },
    { title: 'lookup: rig agents before town agents before the registry', role: 'mayor', town: { default_agent: 'codex', agents: { codex: { command: 'town-codex' } } }, rig: { agents: { codex: { command: 'rig-codex' } } }, name: 'codex', step: 'town default_agent', source: 'rig agents', command: 'rig-codex' },
    { title: 'lookup: an unknown name runs claude defaults under that name', role: 'mayor', town: { default_agent: 'ghost' }, name: 'ghost', step: 'town default_agent', source: 'claude defaults', command: 'claude' },
  ];
  for (const row of rows) {
    it(row.title, () => {
      const r = resolveAgent({ role: row.role, workerName: row.worker, townSettings: row.town, rigSettings: row.rig, registry, override: row.override, onPath: row.onPath ?? everywhere });
      assert.equal(r.name, row.name);
      assert.equal(r.step, row.step);
      if (row.source) {
        assert.equal(r.source, row.source);
      }
      if (row.command) {
        assert.equal(r.preset.command, row.command);
      }
      assert.equal(r.warnings.length, row.warnings ?? 0, r.warnings.join('\n'));
    });
  }

  it('dog default adds --model haiku to claude', () => {
    const r = resolveAgent({ role: 'dog', registry });
    assert.deepEqual(r.preset.args, ['--dangerously-skip-permissions', '--model', 'haiku']);
  });

  it('a custom agent inherits the preset named by its provider, else its command', () => {
    const byProvider = resolveAgent({ role: 'mayor', registry, townSettings: { default_agent: 'fast', agents: { fast: { provider: 'codex', args: ['--fast'] } } } });
    assert.equal(byProvider.preset.command, 'codex');
    assert.deepEqual(byProvider.preset.args, ['--fast']);
    assert.equal(byProvider.preset.prompt_mode, 'none');
    const byCommand = resolveAgent({ role: 'mayor', registry, townSettings: { default_agent: 'opus', agents: { opus: { command: 'claude', args: ['--model', 'opus'], env: { X: '1' } } } } });
    assert.equal(byCommand.preset.session_id_env, 'CLAUDE_SESSION_ID');
    assert.deepEqual(byCommand.preset.args, ['--model', 'opus']);
    assert.deepEqual(byCommand.preset.env, { X: '1' });
    const nested = resolveAgent({ role: 'mayor', registry, townSettings: { default_agent: 'n', agents: { n: { command: 'x', tmux: { ready_prompt_prefix: '$ ', ready_delay_ms: 5 }, session: { session_id_env: 'XS' } } } } });
    assert.equal(nested.preset.ready_prompt_prefix, '$ ');
    assert.equal(nested.preset.session_id_env, 'XS');
  });
});
