import { Emitter } from '../common/emitter';
import { Disposable } from '../common/lifecycle';
import type { AgentRuntime, TownStatus } from '../cli/gtSchemas';

const FULL_EVERY_MS = 60_000;

export interface TownStatusEntry {
  status?: TownStatus;
  /** The last refresh's error; replaces a stale status in the UI. */
  error?: string;
  at: number;
}

/** What `gt status --json` last said per town; refreshed on events by its owner, never on a timer of its own. */
export class AgentStatusStore extends Disposable {
  private readonly changed = this.register(new Emitter<string>());
  readonly onDidChange = this.changed.event;
  private readonly entries = new Map<string, TownStatusEntry>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  /** `fetch(root, true)` is gt's `--fast` status (running states, ~0.5 s); `false` adds hooks and mail (~8 s). */
  constructor(private readonly fetch: (townRoot: string, fast: boolean) => Promise<TownStatus>) {
    super();
  }

  get(townRoot: string): TownStatusEntry | undefined {
    return this.entries.get(townRoot);
  }

  private readonly lastFull = new Map<string, number>();

  /**
   * One refresh at a time per town; a request during one runs once more after it. `full` adds gt's slow
   * pass (hooks, mail) after the fast one; by default only when the last full pass is a minute old, so a
   * busy town's events do not turn into back-to-back 8-second calls.
   */
  refresh(townRoot: string, full = Date.now() - (this.lastFull.get(townRoot) ?? 0) > FULL_EVERY_MS): Promise<void> {
    const running = this.inflight.get(townRoot);
    if (running) {
      this.again.add(townRoot);
      return running;
    }
    if (full) {
      this.lastFull.set(townRoot, Date.now());
    }
    const p = (async () => {
      // Fast first so the tree shows who runs at once; the full status follows with hooks and mail.
      for (const fast of full ? [true, false] : [true]) {
        let failed = false;
        try {
          const status = await this.fetch(townRoot, fast);
          this.entries.set(townRoot, { status, at: Date.now() });
        } catch (err) {
          failed = true;
          const prev = this.entries.get(townRoot);
          // A failed full pass keeps the fast result; a failed fast pass replaces stale data with the error.
          this.entries.set(townRoot, fast || !prev?.status ? { error: (err as Error).message, at: Date.now() } : { ...prev, error: (err as Error).message });
        }
        this.changed.fire(townRoot);
        if (failed && fast) {
          break;
        }
      }
      this.inflight.delete(townRoot);
      if (this.again.delete(townRoot)) {
        await this.refresh(townRoot, false);
      }
    })();
    this.inflight.set(townRoot, p);
    return p;
  }

  /** Every agent gt reports, town level and per rig. */
  agents(townRoot: string): AgentRuntime[] {
    const s = this.entries.get(townRoot)?.status;
    return [...(s?.agents ?? []), ...(s?.rigs ?? []).flatMap((r) => r.agents ?? [])];
  }

  /** gt's record of the agent with this tmux session name or address. */
  agent(townRoot: string, session: string, address: string): AgentRuntime | undefined {
    const norm = (a?: string) => (a ?? '').replace(/\/$/, '');
    return this.agents(townRoot).find((a) => a.session === session || norm(a.address) === norm(address));
  }
}
