import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findTownRoot, placeOfFolder } from '../../src/town/discovery';
import { expandPath } from '../../src/town/paths';
import { buildTown, tempDir } from './fixtures/townBuilder';

describe('town discovery', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  it('finds the town from a folder deep inside it', () => {
    const root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm', crew: ['max'] }] });
    const found = findTownRoot(path.join(root, 'demo', 'crew', 'max'), {});
    assert.deepEqual(found, { root, foundBy: 'town.json' });
  });

  it('prefers the outermost town.json (nested towns)', () => {
    const outer = buildTown(path.join(t.dir, 'outer'));
    const inner = buildTown(path.join(outer, 'rig1', 'inner'));
    assert.equal(findTownRoot(inner, {})?.root, outer);
  });

  it('falls back to a mayor/ directory when no town.json exists', () => {
    const root = path.join(t.dir, 'half');
    fs.mkdirSync(path.join(root, 'mayor'), { recursive: true });
    fs.mkdirSync(path.join(root, 'x', 'y'), { recursive: true });
    assert.deepEqual(findTownRoot(path.join(root, 'x', 'y'), {}), { root, foundBy: 'mayor-dir' });
  });

  it('prefers town.json over a mayor/ directory further out', () => {
    const outer = path.join(t.dir, 'o');
    fs.mkdirSync(path.join(outer, 'mayor'), { recursive: true });
    const town = buildTown(path.join(outer, 'town'));
    assert.deepEqual(findTownRoot(town, {}), { root: town, foundBy: 'town.json' });
  });

  it('then GT_TOWN_ROOT, then GT_ROOT, then the setting', () => {
    const elsewhere = path.join(t.dir, 'plain');
    fs.mkdirSync(elsewhere);
    const a = buildTown(path.join(t.dir, 'a'));
    const b = buildTown(path.join(t.dir, 'b'));
    assert.deepEqual(findTownRoot(elsewhere, { GT_TOWN_ROOT: a, GT_ROOT: b }), { root: a, foundBy: 'GT_TOWN_ROOT' });
    assert.deepEqual(findTownRoot(elsewhere, { GT_ROOT: b }), { root: b, foundBy: 'GT_ROOT' });
    assert.deepEqual(findTownRoot(elsewhere, { HOME: t.dir }, '${env:HOME}/a'), { root: a, foundBy: 'setting' });
    assert.equal(findTownRoot(elsewhere, { GT_ROOT: path.join(t.dir, 'missing') }), undefined);
  });

  it('expands ~ and ${env:VAR} in paths', () => {
    assert.equal(expandPath('~/gt', {}, '/home/u'), '/home/u/gt');
    assert.equal(expandPath('~', {}, '/home/u'), '/home/u');
    assert.equal(expandPath('${env:X}/y/${env:NOPE}z', { X: '/x' }), '/x/y/z');
    assert.equal(expandPath('a~b', {}, '/home/u'), 'a~b');
  });
});

describe('place of a folder in a town', () => {
  let t: ReturnType<typeof tempDir>;
  let root: string;
  before(() => {
    t = tempDir();
    root = buildTown(path.join(t.dir, 'gt'), { rigs: [{ name: 'demo', prefix: 'dm', crew: ['max'], polecats: ['furiosa'], legacyPolecats: ['nux'] }] });
  });
  after(() => t.cleanup());

  const cases: [string, string | undefined, string | undefined, string | undefined, string | undefined][] = [
    // folder, rig, kind, name, dir (relative)
    ['.', undefined, undefined, undefined, undefined],
    ['mayor', undefined, 'mayor', undefined, 'mayor'],
    ['deacon', undefined, 'deacon', undefined, 'deacon'],
    ['deacon/dogs/boot', undefined, 'boot', undefined, 'deacon/dogs/boot'],
    ['deacon/dogs/rex/sub', undefined, 'dog', 'rex', 'deacon/dogs/rex'],
    ['demo', 'demo', undefined, undefined, undefined],
    ['demo/witness', 'demo', 'witness', undefined, 'demo/witness'],
    ['demo/refinery/rig/src', 'demo', 'refinery', undefined, 'demo/refinery/rig'],
    ['demo/crew/max', 'demo', 'crew', 'max', 'demo/crew/max'],
    ['demo/crew/max/src/deep', 'demo', 'crew', 'max', 'demo/crew/max'],
    ['demo/polecats/furiosa/demo', 'demo', 'polecat', 'furiosa', 'demo/polecats/furiosa/demo'],
    ['demo/polecats/nux', 'demo', 'polecat', 'nux', 'demo/polecats/nux'],
    ['demo/mayor/rig', 'demo', 'mayor', undefined, 'mayor'],
    ['settings', undefined, undefined, undefined, undefined],
    ['notarig/crew/x', undefined, undefined, undefined, undefined],
  ];
  for (const [folder, rig, kind, name, dir] of cases) {
    it(`${folder} → ${kind ?? rig ?? 'town'}`, () => {
      fs.mkdirSync(path.join(root, folder), { recursive: true });
      const place = placeOfFolder(root, path.join(root, folder));
      assert.equal(place.rig, rig);
      assert.equal(place.role?.kind, kind);
      assert.equal(place.role?.name, name);
      assert.equal(place.role?.dir, dir ? path.join(root, dir) : undefined);
    });
  }

  it('a folder outside the town has no place in it', () => {
    assert.deepEqual(placeOfFolder(root, t.dir), { townRoot: root });
  });
});
