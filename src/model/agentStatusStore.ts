import { Emitter } from '../common/emitter';
import { Disposable } from '../common/lifecycle';
import type { AgentRuntime, TownStatus } from '../cli/gtSchemas';

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

  constructor(private readonly fetch: (townRoot: string) => Promise<TownStatus>) {
    super();
  }

  get(townRoot: string): TownStatusEntry | undefined {
    return this.entries.get(townRoot);
  }

  /** One refresh at a time per town; a request during one runs once more after it. */
  refresh(townRoot: string): Promise<void> {
    const running = this.inflight.get(townRoot);
    if (running) {
      this.again.add(townRoot);
      return running;
    }
    const p = (async () => {
      try {
        const status = await this.fetch(townRoot);
        this.entries.set(townRoot, { status, at: Date.now() });
      } catch (err) {
        this.entries.set(townRoot, { error: (err as Error).message, at: Date.now() });
      } finally {
        this.inflight.delete(townRoot);
      }
      this.changed.fire(townRoot);
      if (this.again.delete(townRoot)) {
        await this.refresh(townRoot);
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
