import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { planAgent } from '../../src/town/agentPlan';
import { loadBuiltinPresets } from '../../src/town/registry';
import { resolveDoltPort, roleEffort } from '../../src/town/roleEnv';
import type { RoleHome } from '../../src/town/roles';
import { buildTown, PRESETS_DIR, tempDir, writeJson, writeText } from './fixtures/townBuilder';

describe('role environment', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  const builtins = loadBuiltinPresets(PRESETS_DIR).presets;
  beforeEach(() => {
    t = tempDir();
    root = buildTown(path.join(t.dir, 'gt'), {
      doltPort: 3399,
      settings: { type: 'town-settings', version: 1, role_agents: { crew: 'testagent' }, role_effort: { polecat: 'low', crew: 'bogus' } },
      agents: { version: 1, agents: { testagent: { command: 'node', args: ['/x/agent.mjs'], process_names: ['node'], session_id_env: 'TA_SID', env: { TEST_AGENT_MODE: 'on', NODE_OPTIONS: '--max-old-space-size=100' } } } },
      rigs: [{ name: 'demo', prefix: 'dm', crew: ['max'], polecats: ['furiosa'] }],
    });
  });
  afterEach(() => t.cleanup());

  const parentEnv = { PATH: '/usr/bin:/bin', NODE_OPTIONS: '--inspect', CLAUDECODE: '1' };

  it('crew: identity, town, dolt, agent variables, then the preset env last', () => {
    const home: RoleHome = { townRoot: root, kind: 'crew', rig: 'demo', name: 'max', dir: path.join(root, 'demo', 'crew', 'max') };
    const plan = planAgent(home, { builtins, prefix: 'dm', parentEnv });
    assert.deepEqual(plan.env, {
      GT_ROLE: 'demo/crew/max',
      BD_ACTOR: 'demo/crew/max',
      GIT_AUTHOR_NAME: 'max',
      GT_RIG: 'demo',
      GT_CREW: 'max',
      BEADS_AGENT_NAME: 'demo/max',
      GT_ROOT: root,
      GIT_CEILING_DIRECTORIES: root,
      GT_SESSION_ID_ENV: 'TA_SID',
      BD_BACKUP_ENABLED: 'false',
      NODE_OPTIONS: '--max-old-space-size=100',
      CLAUDE_CODE_EFFORT_LEVEL: 'high',
      CLAUDECODE: '',
      GT_DOLT_PORT: '3399',
      BEADS_DOLT_PORT: '3399',
      BEADS_DOLT_AUTO_START: '0',
      GT_AGENT: 'testagent',
      GT_PROCESS_NAMES: 'node',
      TEST_AGENT_MODE: 'on',
    });
    assert.equal(plan.address, 'demo/max');
    assert.equal(plan.sessionName, 'dm-crew-max');
    assert.deepEqual(plan.start.argv, ['node', '/x/agent.mjs']);
  });

  it('polecat on claude: BD_DOLT_AUTO_COMMIT, effort from role_effort, NODE_OPTIONS and CLAUDECODE emptied, --settings', () => {
    const home: RoleHome = { townRoot: root, kind: 'polecat', rig: 'demo', name: 'furiosa', dir: path.join(root, 'demo', 'polecats', 'furiosa', 'demo') };
    const plan = planAgent(home, { builtins, prefix: 'dm', parentEnv });
    assert.equal(plan.env.GT_ROLE, 'demo/polecats/furiosa');
    assert.equal(plan.env.GT_POLECAT, 'furiosa');
    assert.equal(plan.env.BD_DOLT_AUTO_COMMIT, 'off');
    assert.equal(plan.env.CLAUDE_CODE_EFFORT_LEVEL, 'low');
    assert.equal(plan.env.NODE_OPTIONS, '');
    assert.equal(plan.env.CLAUDECODE, '');
    assert.equal(plan.env.GT_AGENT, 'claude');
    assert.equal(plan.env.GT_PROCESS_NAMES, 'node,claude');
    assert.equal(plan.env.GT_SESSION_ID_ENV, 'CLAUDE_SESSION_ID');
    assert.deepEqual(plan.start.argv, ['claude', '--dangerously-skip-permissions', '--settings', path.join(root, 'demo', 'polecats', '.claude', 'settings.json')]);
  });

  it('mayor on claude gets no --settings flag and its plain identity', () => {
    const plan = planAgent({ townRoot: root, kind: 'mayor', dir: path.join(root, 'mayor') }, { builtins, parentEnv });
    assert.deepEqual(plan.start.argv, ['claude', '--dangerously-skip-permissions']);
    assert.equal(plan.env.GT_ROLE, 'mayor');
    assert.equal(plan.env.BD_ACTOR, 'mayor');
    assert.equal(plan.env.GT_RIG, undefined);
    assert.equal(plan.address, 'mayor/');
  });

  it('boot and dog identities', () => {
    const boot = planAgent({ townRoot: root, kind: 'boot', dir: path.join(root, 'deacon', 'dogs', 'boot') }, { builtins, parentEnv });
    assert.deepEqual([boot.env.GT_ROLE, boot.env.BD_ACTOR, boot.env.GIT_AUTHOR_NAME], ['deacon/boot', 'deacon-boot', 'boot']);
    const dog = planAgent({ townRoot: root, kind: 'dog', name: 'rex', dir: path.join(root, 'deacon', 'dogs', 'rex') }, { builtins, parentEnv });
    assert.deepEqual([dog.env.GT_ROLE, dog.env.BD_ACTOR, dog.env.GIT_AUTHOR_NAME, dog.env.GT_DOG_NAME], ['dog', 'deacon/dogs/rex', 'rex', 'rex']);
  });

  it('Dolt port: config.yaml, else GT_DOLT_PORT, else mayor/daemon.json', () => {
    assert.equal(resolveDoltPort(root, {}), '3399');
    writeText(path.join(root, '.dolt-data', 'config.yaml'), 'listener:\n  host: 127.0.0.1\n');
    assert.equal(resolveDoltPort(root, { GT_DOLT_PORT: '4000' }), '4000');
    writeJson(path.join(root, 'mayor', 'daemon.json'), { env: { GT_DOLT_PORT: '4100' } });
    assert.equal(resolveDoltPort(root, {}), '4100');
    writeText(path.join(root, 'mayor', 'daemon.json'), 'garbage');
    assert.equal(resolveDoltPort(root, {}), undefined);
  });

  it('effort: rig before town, invalid values skipped', () => {
    assert.equal(roleEffort('crew', { crew: 'max' }, { crew: 'low' }), 'max');
    assert.equal(roleEffort('crew', { crew: 'huge' }, { crew: 'low' }), 'low');
    assert.equal(roleEffort('crew', null, undefined), undefined);
  });
});
