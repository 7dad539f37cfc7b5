import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planAgent } from '../../src/town/agentPlan';
import { launchProblems } from '../../src/town/preflight';
import { loadBuiltinPresets } from '../../src/town/registry';
import { buildTown, PRESETS_DIR, tempDir } from './fixtures/townBuilder';

describe('launch preflight', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  const builtins = loadBuiltinPresets(PRESETS_DIR).presets;
  beforeEach(() => {
    t = tempDir();
    root = buildTown(path.join(t.dir, 'gt'), {
      settings: { role_agents: { crew: 'ghost' }, agents: { ghost: { command: 'no-such-agent-binary-x', args: [] } } },
      rigs: [{ name: 'demo', prefix: 'dm', crew: ['max'] }],
    });
  });
  afterEach(() => t.cleanup());

  it('a preset whose command is not on PATH: the message names it and offers the registry', () => {
    const home = { townRoot: root, kind: 'crew' as const, rig: 'demo', name: 'max', dir: path.join(root, 'demo', 'crew', 'max') };
    const plan = planAgent(home, { builtins, parentEnv: { PATH: '/nonexistent' } });
    const problems = launchProblems(plan, 'native', { PATH: '/nonexistent' });
    assert.equal(problems.length, 1);
    assert.equal(problems[0].kind, 'not-on-path');
    assert.match(problems[0].message, /"ghost" runs `no-such-agent-binary-x`, which is not on PATH/);
    assert.equal(problems[0].action, 'open-registry');
    assert.deepEqual(launchProblems(plan, 'tmux', { PATH: '/nonexistent' }), [], 'gt resolves the binary itself for tmux');
  });

  it('a crew home that does not exist: the fix is gt crew add', () => {
    const home = { townRoot: root, kind: 'crew' as const, rig: 'demo', name: 'zed', dir: path.join(root, 'demo', 'crew', 'zed') };
    const plan = planAgent(home, { builtins, override: 'claude' });
    const problems = launchProblems(plan, 'tmux');
    assert.equal(problems[0].kind, 'no-home');
    assert.match(problems[0].message, /gt crew add zed --rig demo/);
  });

  it('nothing to report when the home exists and the command is on PATH', () => {
    const home = { townRoot: root, kind: 'crew' as const, rig: 'demo', name: 'max', dir: path.join(root, 'demo', 'crew', 'max') };
    fs.mkdirSync(home.dir, { recursive: true });
    const plan = planAgent(home, { builtins, override: 'claude' });
    const fakeBin = path.join(t.dir, 'bin');
    fs.mkdirSync(fakeBin);
    fs.writeFileSync(path.join(fakeBin, 'claude'), '#!/bin/sh\n', { mode: 0o755 });
    assert.deepEqual(launchProblems(plan, 'native', { PATH: fakeBin }), []);
  });
});
