import * as assert from 'node:assert/strict';
import type { BeadSummary } from '../../src/cli/beadSchemas';
import { age, applyFilter, describeFilter, filterActive, groupBeads, isInfrastructure, labelsOf } from '../../src/model/beadsQuery';

const b = (id: string, extra: Partial<BeadSummary> = {}): BeadSummary => ({ id, title: `title ${id}`, status: 'open', priority: 2, issue_type: 'task', ...extra });

const beads: BeadSummary[] = [
  b('de-1', { issue_type: 'epic', priority: 1, title: 'Epic one' }),
  b('de-2', { parent: 'de-1', status: 'in_progress', assignee: 'alice', labels: ['ui'] }),
  b('de-3', { parent: 'de-1', status: 'closed' }),
  b('de-4', { status: 'blocked', priority: 0, labels: ['ui', 'beads'] }),
  b('de-5', { assignee: 'bob', issue_type: 'bug' }),
  b('hq-m1', { issue_type: 'message', labels: ['gt:message'] }),
  b('hq-e1', { labels: ['gt:escalation'] }),
  b('hq-cv-1', { issue_type: 'convoy' }),
  b('hq-a', { issue_type: 'agent' }),
  b('de-wisp-x', { ephemeral: true }),
  b('de-mol', { issue_type: 'molecule' }),
];

describe('bead filters and grouping', () => {
  it('infrastructure (mail, escalations, convoys, agents, wisps, molecules) is not work', () => {
    assert.deepEqual(
      beads.filter(isInfrastructure).map((x) => x.id),
      ['hq-m1', 'hq-e1', 'hq-cv-1', 'hq-a', 'de-wisp-x', 'de-mol'],
    );
  });

  it('closed beads are hidden unless asked for', () => {
    assert.deepEqual(applyFilter(beads, {}).map((x) => x.id), ['de-1', 'de-2', 'de-4', 'de-5']);
    assert.ok(applyFilter(beads, { showClosed: true }).some((x) => x.id === 'de-3'));
  });

  it('ready and blocked keep what bd listed; mine, label and text narrow further', () => {
    assert.deepEqual(applyFilter(beads, { ready: true }, { ready: new Set(['de-5', 'de-2']) }).map((x) => x.id), ['de-2', 'de-5']);
    assert.deepEqual(applyFilter(beads, { blocked: true }, { blocked: new Set(['de-4']) }).map((x) => x.id), ['de-4']);
    assert.deepEqual(applyFilter(beads, { ready: true }).map((x) => x.id), [], 'no set yet: nothing shown as ready rather than everything');
    assert.deepEqual(applyFilter(beads, { assignee: 'alice' }).map((x) => x.id), ['de-2']);
    assert.deepEqual(applyFilter(beads, { label: 'ui' }).map((x) => x.id), ['de-2', 'de-4']);
    assert.deepEqual(applyFilter(beads, { text: 'EPIC' }).map((x) => x.id), ['de-1']);
    assert.deepEqual(applyFilter(beads, { text: 'de-5' }).map((x) => x.id), ['de-5']);
  });

  it('groups by epic (children under their epic, the rest by status), status, type, priority and assignee', () => {
    const kept = applyFilter(beads, {});
    const byEpic = groupBeads(kept, 'epic', beads);
    assert.deepEqual(byEpic.map((g) => [g.key, g.beads.map((x) => x.id)]), [
      ['epic:de-1', ['de-2']],
      ['status:open', ['de-5']],
      ['status:blocked', ['de-4']],
    ]);
    assert.deepEqual(groupBeads(kept, 'status').map((g) => g.label), ['in progress', 'open', 'blocked']);
    assert.deepEqual(groupBeads(kept, 'type').map((g) => g.label), ['epic', 'bug', 'task']);
    assert.deepEqual(groupBeads(kept, 'priority').map((g) => [g.label, g.beads.length]), [['P0', 1], ['P1', 1], ['P2', 2]]);
    assert.deepEqual(groupBeads(kept, 'assignee').map((g) => g.label), ['alice', 'bob', 'unassigned']);
  });

  it('an epic the filter dropped still heads the children it kept', () => {
    const kept = applyFilter(beads, { assignee: 'alice' });
    assert.deepEqual(groupBeads(kept, 'epic', beads).map((g) => [g.label, g.beads.map((x) => x.id)]), [['Epic one', ['de-2']]]);
  });

  it('describes the active filter; labels of work beads only; ages', () => {
    assert.equal(filterActive({}), false);
    assert.equal(describeFilter({ ready: true, assignee: 'me', label: 'ui', text: 'x', showClosed: true }, 'status'), 'by status · ready · @me · label:ui · "x" · +closed');
    assert.deepEqual(labelsOf(beads), ['beads', 'ui']);
    const now = Date.parse('2026-01-10T00:00:00Z');
    assert.equal(age('2026-01-09T23:59:30Z', now), '30s');
    assert.equal(age('2026-01-09T22:00:00Z', now), '2h');
    assert.equal(age('2026-01-07T00:00:00Z', now), '3d');
    assert.equal(age(undefined, now), '');
  });
});
