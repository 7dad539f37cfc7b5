import * as assert from 'node:assert/strict';
import { AgentStatusStore } from '../../src/model/agentStatusStore';
import type { TownStatus } from '../../src/cli/gtSchemas';

// Pure logic of the store: the fetcher is a stand-in function (no gt involved), as the test says.
describe('agent status store', () => {
  const fast: TownStatus = { agents: [{ session: 'hq-mayor', address: 'mayor/', running: true }] };
  const full: TownStatus = { agents: [{ session: 'hq-mayor', address: 'mayor/', running: true, unread_mail: 3, hook_bead: 'hq-1' }], rigs: [{ name: 'demo', agents: [{ session: 'de-crew-a', address: 'demo/crew/a', running: false }] }] };

  it('fast status first, then the full one; agents found by session or address', async () => {
    const calls: boolean[] = [];
    const seen: (number | undefined)[] = [];
    const store = new AgentStatusStore((_root, isFast) => {
      calls.push(isFast);
      return Promise.resolve(isFast ? fast : full);
    });
    store.onDidChange(() => seen.push(store.agent('/t', 'hq-mayor', 'mayor/')?.unread_mail));
    await store.refresh('/t');
    assert.deepEqual(calls, [true, false]);
    assert.deepEqual(seen, [undefined, 3]);
    assert.equal(store.agent('/t', 'nope', 'demo/crew/a/')?.session, 'de-crew-a');
    assert.equal(store.agents('/t').length, 2);
  });

  it('a failed full pass keeps the fast figures and records the error; a failed fast pass shows the error', async () => {
    const store = new AgentStatusStore((_root, isFast) => (isFast ? Promise.resolve(fast) : Promise.reject(new Error('slow failed'))));
    await store.refresh('/t');
    assert.equal(store.get('/t')?.status?.agents?.[0]?.running, true);
    assert.equal(store.get('/t')?.error, 'slow failed');
    const broken = new AgentStatusStore(() => Promise.reject(new Error('gt not found')));
    await broken.refresh('/t');
    assert.equal(broken.get('/t')?.status, undefined);
    assert.equal(broken.get('/t')?.error, 'gt not found');
  });

  it('refreshes requested during one run once more, not once each', async () => {
    let calls = 0;
    const store = new AgentStatusStore(() => {
      calls++;
      return new Promise((r) => setTimeout(() => r(fast), 10));
    });
    const first = store.refresh('/t');
    void store.refresh('/t');
    void store.refresh('/t');
    await first;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 3, 'two passes for the first refresh, one fast pass for the one coalesced repeat');
    await store.refresh('/t');
    assert.equal(calls, 4, 'within a minute of a full pass, an event refresh is fast only');
    await store.refresh('/t', true);
    assert.equal(calls, 6, 'an explicit full refresh runs both passes');
  });
});
