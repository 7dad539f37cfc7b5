import * as assert from 'node:assert/strict';
import { explainGtError, rigOfBead } from '../../src/town/gtErrors';

describe('gt errors explained', () => {
  const rigs = [
    { name: 'demo', prefix: 'de' },
    { name: 'web-app', prefix: 'web-app' },
    { name: 'web', prefix: 'web' },
  ];
  // `gt sling de-x1y demo` on gt v1.2.1 as released (bd 1.0.0): the runner's message (the last lines of
  // stderr: cobra's usage text and a warning), then the whole stderr, as the sling command passes them.
  const usage = 'Usage:\n  gt sling <bead-or-formula> [target] [flags]\n\nUse "gt sling [command] --help" for more information about a command.\n';
  const unfixed =
    'gt sling de-x1y demo failed (exit 1): Use "gt sling [command] --help" for more information about a command. Warning: /t/demo/.beads has permissions 0755\n' +
    `Error: checking bead status: bead 'de-x1y' not found\n${usage}Warning: /t/demo/.beads has permissions 0755\n`;

  it('a rig bead gt v1.2.1 does not find: the cause (BEADS_DOLT_DATA_DIR, hq database) and the fix (a fixed gt)', () => {
    const text = explainGtError(unfixed, { beadId: 'de-x1y', rigs });
    assert.ok(text);
    assert.match(text, /de-x1y is a bead of rig "demo" \(prefix de-\)/);
    assert.match(text, /gt v1\.2\.1/);
    assert.match(text, /town's \(hq\) database/);
    assert.match(text, /BEADS_DOLT_DATA_DIR/);
    assert.match(text, /doltTargetEnvFromBeadsDir/);
    assert.match(text, /upstream main/);
    assert.match(text, /gastownhall\/gastown#4789/);
    assert.match(text, /bd show de-x1y/, 'how to check that the bead exists');
    assert.ok(text.endsWith("gt said: bead 'de-x1y' not found"), text);
  });

  it('gt v1.2.1 rebuilt against a newer beads without the fix: the failed formula bond on a rig bead', () => {
    const bond =
      'gt sling de-my6 demo failed (exit 1): …\nError: instantiating formula mol-polecat-work: bonding formula to bead: exit status 1 ' +
      '(direct formula bond fallback failed: exit status 1 (args: mol bond mol-polecat-work de-my6 --json --ephemeral --var feature=x --var issue=de-my6))\n';
    const text = explainGtError(bond, { beadId: 'de-my6', rigs });
    assert.ok(text);
    assert.match(text, /could not bond its formula to bead de-my6 \(de-my6 is a bead of rig "demo"/);
    assert.match(text, /BEADS_DOLT_DATA_DIR/);
    assert.match(text, /upstream main/);
    assert.equal(explainGtError(bond.replace(/de-my6/g, 'hq-my6'), { beadId: 'hq-my6', rigs }), undefined, 'not about a rig bead');
  });

  it('other forms: with bd detail, alone, without the bead in the context', () => {
    assert.ok(explainGtError("Error: bead 'de-x1y' not found (bd show failed: exit status 1)", { beadId: 'de-x1y', rigs }));
    assert.ok(explainGtError("bead 'de-x1y' not found", { beadId: 'de-x1y', rigs }));
    assert.ok(explainGtError("Slinging…\nError: bead 'de-x1y' not found\n", { rigs }), 'without a bead in the context, the message names it');
  });

  it('the longest matching rig prefix names the rig', () => {
    assert.equal(rigOfBead('web-app-k2', rigs)?.name, 'web-app');
    assert.equal(rigOfBead('web-k2', rigs)?.name, 'web');
    assert.equal(rigOfBead('de-', rigs), undefined, 'a prefix alone is no bead id');
    assert.equal(rigOfBead('dex-1', rigs), undefined);
    assert.match(explainGtError("bead 'web-app-k2' not found", { rigs }) ?? '', /rig "web-app" \(prefix web-app-\)/);
  });

  it('no explanation: hq beads, unknown prefixes, another bead, other errors', () => {
    assert.equal(explainGtError("bead 'hq-abc' not found", { beadId: 'hq-abc', rigs }), undefined, 'an hq bead gt cannot find is not there');
    assert.equal(explainGtError("bead 'zz-abc' not found", { beadId: 'zz-abc', rigs }), undefined);
    assert.equal(explainGtError("bead 'de-other' not found", { beadId: 'de-x1y', rigs }), undefined, 'about another bead than the one slung');
    assert.equal(explainGtError('bead de-x1y is not present in target rig "demo" beads database; refusing to sling', { beadId: 'de-x1y', rigs }), undefined);
    assert.equal(explainGtError("formula 'de-x1y' not found (check 'bd formula list')", { beadId: 'de-x1y', rigs }), undefined);
    assert.equal(explainGtError('gt sling de-x1y demo did not finish within 300 s', { beadId: 'de-x1y', rigs }), undefined);
    assert.equal(explainGtError("bead 'de-x1y' not found", { beadId: 'de-x1y', rigs: [] }), undefined, 'a town without rigs');
  });
});
