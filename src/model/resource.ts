import { Emitter } from '../common/emitter';
import { Disposable, IDisposable } from '../common/lifecycle';

/** What a view renders: nothing asked yet, first load, a value, or an error (with the value it makes stale). */
export type ResourceState<T> =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'ok'; value: T; at: number }
  | { kind: 'error'; error: Error; stale?: T; at: number };

export interface FetchContext<T> {
  signal: AbortSignal;
  /** Shows a partial result before the fetch ends (e.g. gt's fast status before the full one). */
  publish(value: T): void;
  /** The value before this fetch, if any. */
  previous: T | undefined;
  /** True when the fetch was asked for explicitly (Refresh), not by an event. */
  forced: boolean;
}

export interface ResourceOptions<T> {
  fetch(ctx: FetchContext<T>): Promise<T>;
  /**
   * A cheap check run before a triggered fetch: its token is compared with the token taken before the last
   * fetch, and an unchanged token skips the fetch. Taken *before* fetching, so a change that lands during a
   * fetch is never adopted as the new baseline.
   */
  probe?: () => Promise<string | undefined>;
  /** Quiet period after a trigger before fetching. */
  throttleMs?: number;
  /** A burst of triggers delays a fetch by at most this much. */
  maxWaitMs?: number;
  /** Timers are injectable so the scheduling logic is unit-testable. */
  timers?: { set(fn: () => void, ms: number): unknown; clear(handle: unknown): void; now(): number };
}

const realTimers = {
  set: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clear: (h: unknown): void => clearTimeout(h as NodeJS.Timeout),
  now: (): number => Date.now(),
};

/**
 * One piece of town data (status, a beads database, …): fetched only while someone subscribes, one fetch at a
 * time (a trigger during a fetch runs it once more afterwards), throttled with a max wait. Triggers only mark it
 * stale; whether anything runs depends on subscribers.
 */
export class Resource<T> extends Disposable {
  private readonly changed = this.register(new Emitter<ResourceState<T>>());
  readonly onDidChange = this.changed.event;

  private current: ResourceState<T> = { kind: 'idle' };
  private subscribers = 0;
  private stale = true;
  private inflight: Promise<void> | undefined;
  private again = false;
  private againForced = false;
  private timer: unknown;
  private firstTrigger: number | undefined;
  private lastToken: string | undefined;
  private abort: AbortController | undefined;
  private readonly timers: NonNullable<ResourceOptions<T>['timers']>;
  /** How many fetches ran (tests and the bench read it). */
  fetches = 0;

  constructor(private readonly opts: ResourceOptions<T>) {
    super();
    this.timers = opts.timers ?? realTimers;
    this.register({
      dispose: () => {
        this.timers.clear(this.timer);
        this.abort?.abort();
      },
    });
  }

  get state(): ResourceState<T> {
    return this.current;
  }

  /** The freshest value there is (also while an error shows), for callers that need data, not state. */
  get value(): T | undefined {
    return this.current.kind === 'ok' ? this.current.value : this.current.kind === 'error' ? this.current.stale : undefined;
  }

  get subscribed(): boolean {
    return this.subscribers > 0;
  }

  /** A consumer that looks at the data: fetches when stale; the last one leaving stops all fetching. */
  subscribe(): IDisposable {
    this.subscribers++;
    if (this.stale) {
      this.schedule(0);
    }
    let done = false;
    return {
      dispose: () => {
        if (!done) {
          done = true;
          this.subscribers--;
          if (this.subscribers === 0) {
            this.timers.clear(this.timer);
            this.timer = undefined;
            this.firstTrigger = undefined;
          }
        }
      },
    };
  }

  /** Something may have changed: fetch (after the throttle) if anyone looks, else on the next subscribe. */
  invalidate(): void {
    this.stale = true;
    if (this.subscribers > 0) {
      this.schedule(this.opts.throttleMs ?? 300);
    }
  }

  /** Fetch now, skipping the throttle and the probe (Refresh, or after our own write). */
  refresh(): Promise<void> {
    this.stale = true;
    this.timers.clear(this.timer);
    this.timer = undefined;
    this.firstTrigger = undefined;
    return this.run(true);
  }

  private schedule(delay: number): void {
    const now = this.timers.now();
    this.firstTrigger ??= now;
    const maxWait = this.opts.maxWaitMs ?? 2000;
    const due = Math.min(now + delay, this.firstTrigger + maxWait);
    this.timers.clear(this.timer);
    this.timer = this.timers.set(
      () => {
        this.timer = undefined;
        this.firstTrigger = undefined;
        void this.run(false);
      },
      Math.max(0, due - now),
    );
  }

  private run(forced: boolean): Promise<void> {
    if (this.inflight) {
      this.again = true;
      this.againForced ||= forced;
      // Resolves when the run after this one ends (by then the `finally` below has started it), so a caller
      // that awaits a refresh after its own write sees data read after the write.
      return this.inflight.then(() => this.inflight);
    }
    this.inflight = this.fetchOnce(forced).finally(() => {
      this.inflight = undefined;
      if (this.again && (this.subscribers > 0 || this.againForced)) {
        const f = this.againForced;
        this.again = false;
        this.againForced = false;
        void this.run(f);
      }
    });
    return this.inflight;
  }

  private set(state: ResourceState<T>): void {
    this.current = state;
    this.changed.fire(state);
  }

  private async fetchOnce(forced: boolean): Promise<void> {
    this.stale = false;
    let token: string | undefined;
    if (this.opts.probe) {
      try {
        token = await this.opts.probe();
      } catch {
        token = undefined; // a failing probe must not hide a change: fetch
      }
      if (!forced && token !== undefined && token === this.lastToken && this.current.kind === 'ok') {
        return;
      }
    }
    const previous = this.value;
    if (this.current.kind === 'idle') {
      this.set({ kind: 'loading' });
    }
    this.abort = new AbortController();
    this.fetches++;
    try {
      const value = await this.opts.fetch({
        signal: this.abort.signal,
        previous,
        forced,
        publish: (v) => this.set({ kind: 'ok', value: v, at: this.timers.now() }),
      });
      this.lastToken = token;
      this.set({ kind: 'ok', value, at: this.timers.now() });
    } catch (err) {
      this.lastToken = undefined;
      // An error is never a baseline: the next subscriber or trigger fetches again.
      this.stale = true;
      this.set({ kind: 'error', error: err instanceof Error ? err : new Error(String(err)), stale: this.value ?? previous, at: this.timers.now() });
    } finally {
      this.abort = undefined;
    }
  }
}
