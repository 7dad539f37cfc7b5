import * as assert from 'node:assert/strict';
import { activeConvoyListSchema, convoyListSchema, NO_CONVOYS } from '../../src/cli/convoysClient';
import { CliError, parseCliJson } from '../../src/cli/runner';
import { progressOf, toConvoy } from '../../src/model/convoys';

// Outputs captured from the real gt v1.2.1 (bd 1.2.2) on the demo town.
const LIST = `[
  {
    "id": "hq-cv-4goo5",
    "title": "Town ops week",
    "status": "open",
    "created_at": "2026-11-21T23:00:38Z",
    "tracked": [
      { "id": "hq-1o0", "title": "Town: rotate the Dolt logs", "status": "closed", "dependency_type": "tracks", "issue_type": "chore" },
      { "id": "hq-68k", "title": "Town: write the on-call runbook", "status": "hooked", "dependency_type": "tracks", "issue_type": "task", "assignee": "mayor/" }
    ],
    "completed": 1,
    "total": 2
  },
  { "id": "hq-cv-2gjd3", "title": "Session lifecycle sprint", "status": "open", "created_at": "2026-11-21T23:00:36Z", "tracked": [], "completed": 0, "total": 0 }
]`;
const STATUS_ONE = '{ "id": "hq-cv-2gjd3", "title": "Session lifecycle sprint", "status": "open", "owned": false, "lifecycle": "system-managed", "tracked": null, "completed": 0, "total": 0 }';
const NO_ACTIVE = 'No active convoys.\nCreate a convoy with: gt convoy create <name> [issues...]\n';
const ACTIVE = '[{"id":"hq-cv-gnhwt","title":"Owned convoy","status":"open","issue_type":"task","labels":["gt:convoy","gt:owned"]},{"id":"hq-cv-4goo5","labels":["gt:convoy"]}]';

describe('convoys: gt JSON', () => {
  it('reads gt convoy list --json with progress and tracked issues', () => {
    const list = parseCliJson(LIST, convoyListSchema, 'gt convoy list --json', { emptyText: NO_CONVOYS });
    const [a, b] = list.map((c) => toConvoy(c, new Set(['hq-cv-4goo5'])));
    assert.equal(a.owned, true);
    assert.deepEqual(progressOf(a), { done: 1, total: 2, ratio: 0.5 });
    assert.equal(a.tracked[1].assignee, 'mayor/');
    assert.equal(progressOf(b).ratio, undefined, '0 of 0 is nothing tracked, not done');
  });

  it('a `null` tracked list (gt convoy status <id> --json) and a `null` list read as empty', () => {
    const [c] = parseCliJson(`[${STATUS_ONE}]`, convoyListSchema, 'x');
    assert.deepEqual(c.tracked, []);
    assert.deepEqual(parseCliJson('null', convoyListSchema, 'x'), []);
  });

  it('"No active convoys." (gt convoy status --json with none open) is an empty list, not an error', () => {
    assert.deepEqual(parseCliJson(NO_ACTIVE, activeConvoyListSchema, 'gt convoy status --json', { emptyText: NO_CONVOYS }), []);
    const active = parseCliJson(ACTIVE, activeConvoyListSchema, 'gt convoy status --json', { emptyText: NO_CONVOYS });
    assert.deepEqual(active.map((c) => c.labels), [['gt:convoy', 'gt:owned'], ['gt:convoy']]);
  });

  it('garbage is a bad-output error', () => {
    assert.throws(
      () => parseCliJson('<<garbage>> not json', convoyListSchema, 'gt convoy list --json', { emptyText: NO_CONVOYS }),
      (e: unknown) => e instanceof CliError && e.kind === 'bad-output',
    );
    assert.throws(
      () => parseCliJson('[{"title":"no id"}]', convoyListSchema, 'gt convoy list --json'),
      (e: unknown) => e instanceof CliError && e.kind === 'bad-output',
    );
  });
});
