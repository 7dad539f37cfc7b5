import * as assert from 'node:assert/strict';
import { listenerErrors, Emitter } from '../../src/common/emitter';
import { Resource } from '../../src/model/resource';
import { TownModels } from '../../src/model/townModel';
import type { TownStatus } from '../../src/cli/gtSchemas';

// Pure scheduling logic: the fetchers are stand-in functions and the clock is a fake one, as this test says.
class FakeClock {
  t = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  readonly timers = {
    set: (fn: () => void, ms: number): unknown => {
      const id = this.next++;
      this.queue.push({ at: this.t + ms, fn, id });
      return id;
    },
    clear: (h: unknown): void => {
      this.queue = this.queue.filter((q) => q.id !== h);
    },
    now: (): number => this.t,
  };
  /** Advances time, running due timers in order, and lets promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const due = this.queue[0];
      if (!due || due.at > end) {
        break;
      }
      this.queue.shift();
      this.t = due.at;
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await Promise.resolve();
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('resource', () => {
  it('fetches nothing without a subscriber, and once when the first one subscribes', async () => {
    const clock = new FakeClock();
    let n = 0;
    const r = new Resource<number>({ fetch: () => Promise.resolve(++n), timers: clock.timers });
    r.invalidate();
    r.invalidate();
    await clock.advance(10_000);
    assert.equal(n, 0);
    assert.equal(r.state.kind, 'idle');
    const sub = r.subscribe();
    await clock.advance(0);
    assert.equal(n, 1);
    assert.deepEqual(r.state, { kind: 'ok', value: 1, at: 10_000 });
    sub.dispose();
    r.invalidate();
    await clock.advance(10_000);
    assert.equal(n, 1, 'no subscriber, no fetch');
    r.subscribe();
    await clock.advance(0);
    assert.equal(n, 2, 'stale data is fetched when someone looks again');
  });

  it('single flight: triggers during a fetch run it exactly once more afterwards', async () => {
    const clock = new FakeClock();
    const gates: ReturnType<typeof deferred<number>>[] = [];
    const r = new Resource<number>({
      fetch: () => {
        const d = deferred<number>();
        gates.push(d);
        return d.promise;
      },
      throttleMs: 100,
      timers: clock.timers,
    });
    r.subscribe();
    await clock.advance(0);
    assert.equal(gates.length, 1);
    for (let i = 0; i < 5; i++) {
      r.invalidate();
      await clock.advance(200);
    }
    assert.equal(gates.length, 1, 'no second fetch while one runs');
    gates[0].resolve(1);
    await clock.advance(0);
    assert.equal(gates.length, 2, 'one more fetch after it');
    gates[1].resolve(2);
    await clock.advance(1000);
    assert.equal(gates.length, 2);
    assert.equal(r.value, 2);
  });

  it('a refresh asked during a fetch resolves only after a fetch that started after it (our own write is seen)', async () => {
    let data = 'before';
    const gate = deferred<void>();
    let first = true;
    const r = new Resource<string>({
      fetch: async () => {
        const seen = data;
        if (first) {
          first = false;
          await gate.promise;
        }
        return seen;
      },
    });
    r.subscribe();
    await new Promise((res) => setTimeout(res, 10));
    data = 'after the write';
    const done = r.refresh();
    gate.resolve();
    await done;
    assert.equal(r.value, 'after the write');
  });

  it('an error is not a baseline: the next subscriber fetches again', async () => {
    let fail = true;
    const r = new Resource<string>({ fetch: () => (fail ? Promise.reject(new Error('dolt down')) : Promise.resolve('ok')) });
    const sub = r.subscribe();
    await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.state.kind, 'error');
    sub.dispose();
    fail = false;
    r.subscribe();
    await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.value, 'ok');
  });

  it('throttle with a max wait: a steady burst neither starves the fetch nor runs it back to back', async () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const r = new Resource<number>({
      fetch: () => {
        at.push(clock.t);
        return Promise.resolve(clock.t);
      },
      throttleMs: 300,
      maxWaitMs: 1000,
      timers: clock.timers,
    });
    r.subscribe();
    await clock.advance(0);
    at.length = 0;
    // A trigger every 100 ms for 3 s: a pure debounce would never fire.
    for (let i = 0; i < 30; i++) {
      r.invalidate();
      await clock.advance(100);
    }
    await clock.advance(1000);
    assert.ok(at.length >= 2 && at.length <= 4, `fetched at ${at.join(', ')}`);
    for (let i = 1; i < at.length; i++) {
      assert.ok(at[i] - at[i - 1] >= 300, `fetches ${at[i - 1]} and ${at[i]} too close`);
    }
  });

  it('an error replaces the value as the state, keeping it only as stale data', async () => {
    const clock = new FakeClock();
    let fail = false;
    const r = new Resource<string>({ fetch: () => (fail ? Promise.reject(new Error('bd hung')) : Promise.resolve('beads')), timers: clock.timers });
    r.subscribe();
    await clock.advance(0);
    fail = true;
    await r.refresh();
    assert.equal(r.state.kind, 'error');
    assert.equal(r.state.kind === 'error' && r.state.error.message, 'bd hung');
    assert.equal(r.state.kind === 'error' && r.state.stale, 'beads');
    fail = false;
    await r.refresh();
    const after = (): string => r.state.kind;
    assert.equal(after(), 'ok');
    assert.equal(r.value, 'beads');
  });

  it('a probe skips unchanged data, and a change during a fetch is not adopted as the baseline', async () => {
    const clock = new FakeClock();
    let token = 'a';
    let data = 'v1';
    const gate = deferred<void>();
    let fetches = 0;
    let blockNext = false;
    const r = new Resource<string>({
      probe: () => Promise.resolve(token),
      fetch: async () => {
        fetches++;
        const seen = data;
        if (blockNext) {
          blockNext = false;
          await gate.promise;
        }
        return seen;
      },
      throttleMs: 10,
      timers: clock.timers,
    });
    r.subscribe();
    await clock.advance(0);
    assert.equal(fetches, 1);
    r.invalidate();
    await clock.advance(100);
    assert.equal(fetches, 1, 'unchanged token: no fetch');
    // A write, then a fetch that reads the data, and a second write lands while it runs.
    token = 'b';
    data = 'v2';
    blockNext = true;
    r.invalidate();
    await clock.advance(100);
    assert.equal(fetches, 2);
    token = 'c';
    data = 'v3';
    gate.resolve();
    await clock.advance(0);
    assert.equal(r.value, 'v2');
    // The next probe (e.g. the poll of a visible view) sees c ≠ b and fetches v3.
    r.invalidate();
    await clock.advance(100);
    assert.equal(fetches, 3);
    assert.equal(r.value, 'v3');
  });

  it('a failing listener is reported, and the others still hear the event', () => {
    const reported: unknown[] = [];
    const saved = listenerErrors.report;
    listenerErrors.report = (e) => reported.push(e);
    try {
      const e = new Emitter<number>();
      const heard: number[] = [];
      e.event(() => {
        throw new Error('boom');
      });
      e.event((n) => heard.push(n));
      e.fire(7);
      assert.deepEqual(heard, [7]);
      assert.equal((reported[0] as Error).message, 'boom');
    } finally {
      listenerErrors.report = saved;
    }
  });
});

describe('town models: gt status', () => {
  const fast: TownStatus = { agents: [{ session: 'hq-mayor', address: 'mayor/', running: true }] };
  const full: TownStatus = { agents: [{ session: 'hq-mayor', address: 'mayor/', running: true, unread_mail: 3, hook_bead: 'hq-1' }], rigs: [{ name: 'demo', agents: [{ session: 'de-crew-a', address: 'demo/crew/a', running: false }] }] };

  it('fast status first, then the full one; agents found by session or address', async () => {
    const calls: boolean[] = [];
    const models = new TownModels((_root, isFast) => {
      calls.push(isFast);
      return Promise.resolve(isFast ? fast : full);
    });
    const seen: (number | undefined)[] = [];
    models.onDidChange(() => models.statusState('/t').kind === 'ok' && seen.push(models.agent('/t', 'hq-mayor', 'mayor/')?.unread_mail));
    await models.refreshStatus('/t');
    assert.deepEqual(calls, [true, false]);
    assert.deepEqual(seen, [undefined, 3]);
    assert.equal(models.agent('/t', 'nope', 'demo/crew/a/')?.session, 'de-crew-a');
    assert.equal(models.agents('/t').length, 2);
    models.dispose();
  });

  it('a failed full pass keeps the fast figures and says so; a failed fast pass shows only the error', async () => {
    const models = new TownModels((_root, isFast) => (isFast ? Promise.resolve(fast) : Promise.reject(new Error('slow failed'))));
    await models.refreshStatus('/t');
    const s = models.statusState('/t');
    assert.equal(s.kind === 'ok' && s.value.fullError, 'slow failed');
    assert.equal(models.agents('/t')[0]?.running, true);
    const broken = new TownModels(() => Promise.reject(new Error('gt not found')));
    await broken.refreshStatus('/t');
    assert.equal(broken.statusState('/t').kind, 'error');
    assert.equal(broken.agents('/t').length, 0);
    models.dispose();
    broken.dispose();
  });
});
