import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTownLayout } from '../../src/town/layout';
import { gtRole, mailAddress, roleDir, tmuxSessionName } from '../../src/town/roles';
import { buildTown, tempDir, writeJson, writeText } from './fixtures/townBuilder';

describe('town layout', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('lists rigs from mayor/rigs.json and the role homes on disk', () => {
    const root = buildTown(path.join(t.dir, 'gt'), {
      name: 'mytown',
      rigs: [
        { name: 'zeta', prefix: 'zt', witness: false, refinery: false },
        { name: 'demo', prefix: 'dm-', crew: ['max', 'ada'], polecats: ['furiosa'], legacyPolecats: ['nux'] },
      ],
    });
    const layout = readTownLayout(root);
    assert.equal(layout.name, 'mytown');
    assert.deepEqual(layout.problems, []);
    assert.deepEqual(layout.townRoles.map((r) => r.kind), ['mayor', 'deacon']);
    assert.deepEqual(layout.rigs.map((r) => [r.name, r.prefix]), [['demo', 'dm'], ['zeta', 'zt']]);
    const demo = layout.rigs[0];
    assert.deepEqual(demo.roles.map((r) => `${gtRole(r)} @ ${path.relative(root, r.dir)}`), [
      'demo/witness @ demo/witness',
      'demo/refinery @ demo/refinery/rig',
      'demo/crew/ada @ demo/crew/ada',
      'demo/crew/max @ demo/crew/max',
      'demo/polecats/furiosa @ demo/polecats/furiosa/demo',
      'demo/polecats/nux @ demo/polecats/nux',
    ]);
    assert.deepEqual(layout.rigs[1].roles, []);
  });

  it('falls back to the town-root rigs.json copy', () => {
    const root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm' }] });
    fs.renameSync(path.join(root, 'mayor', 'rigs.json'), path.join(root, 'rigs.json'));
    assert.deepEqual(readTownLayout(root).rigs.map((r) => r.name), ['demo']);
  });

  it('a broken rigs.json yields no rigs and a positioned problem', () => {
    const root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm' }] });
    writeText(path.join(root, 'mayor', 'rigs.json'), '{"version": 1, "rigs": {"demo": {"beads": "oops"}}}');
    const layout = readTownLayout(root);
    assert.deepEqual(layout.rigs, []);
    assert.equal(layout.problems[0].jsonPath, 'rigs.demo.beads');
  });

  it('uses the town folder name when town.json has no name, and the witness/rig dir when present', () => {
    const root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm' }] });
    writeJson(path.join(root, 'mayor', 'town.json'), { type: 'town', version: 2 });
    fs.mkdirSync(path.join(root, 'demo', 'witness', 'rig'));
    const layout = readTownLayout(root);
    assert.equal(layout.name, 'gt');
    assert.equal(layout.rigs[0].roles[0].dir, path.join(root, 'demo', 'witness', 'rig'));
  });
});

describe('role identity', () => {
  const T = '/town';
  const table = [
    { kind: 'mayor', rig: undefined, name: undefined, role: 'mayor', addr: 'mayor/', session: 'hq-mayor', dir: '/town/mayor' },
    { kind: 'deacon', rig: undefined, name: undefined, role: 'deacon', addr: 'deacon/', session: 'hq-deacon', dir: '/town/deacon' },
    { kind: 'boot', rig: undefined, name: undefined, role: 'deacon/boot', addr: 'deacon/boot', session: 'hq-boot', dir: '/town/deacon/dogs/boot' },
    { kind: 'dog', rig: undefined, name: 'rex', role: 'dog', addr: 'deacon/dogs/rex', session: 'hq-dog-rex', dir: '/town/deacon/dogs/rex' },
    { kind: 'witness', rig: 'demo', name: undefined, role: 'demo/witness', addr: 'demo/witness', session: 'dm-witness', dir: '/town/demo/witness' },
    { kind: 'refinery', rig: 'demo', name: undefined, role: 'demo/refinery', addr: 'demo/refinery', session: 'dm-refinery', dir: '/town/demo/refinery/rig' },
    { kind: 'crew', rig: 'demo', name: 'max', role: 'demo/crew/max', addr: 'demo/max', session: 'dm-crew-max', dir: '/town/demo/crew/max' },
    { kind: 'polecat', rig: 'demo', name: 'furiosa', role: 'demo/polecats/furiosa', addr: 'demo/furiosa', session: 'dm-furiosa', dir: '/town/demo/polecats/furiosa/demo' },
  ] as const;
  for (const r of table) {
    it(`${r.kind}: GT_ROLE ${r.role}, mail ${r.addr}, session ${r.session}`, () => {
      assert.equal(gtRole(r), r.role);
      assert.equal(mailAddress(r), r.addr);
      assert.equal(tmuxSessionName(r, 'dm'), r.session);
      assert.equal(roleDir(T, r.kind, r.rig, r.name), r.dir);
    });
  }
  it('a rig role without its rig is refused', () => {
    assert.throws(() => roleDir(T, 'crew', undefined, 'max'), /needs a rig/);
  });
});
