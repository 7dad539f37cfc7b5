import { Emitter } from '../common/emitter';
import { Disposable } from '../common/lifecycle';
import type { AgentRuntime, TownStatus } from '../cli/gtSchemas';
import type { EscalationList } from '../cli/escalationsClient';
import { Resource, ResourceState } from './resource';

const FULL_EVERY_MS = 60_000;

/** gt's status of a town: the fast pass always, the full one (hooks, mail) when due. */
export interface StatusValue {
  status: TownStatus;
  /** When the gt call that read it began: what gt saw may be that old (the full pass takes seconds). */
  readAt: number;
  /** The full pass failed after the fast one worked: the running states are current, hooks and mail are not. */
  fullError?: string;
}

export type StatusFetcher = (townRoot: string, fast: boolean, signal: AbortSignal) => Promise<TownStatus>;
export type EscalationsFetcher = (townRoot: string, signal: AbortSignal) => Promise<EscalationList>;

/** One town's data, each piece a resource that fetches only while someone looks at it. */
export class TownModel extends Disposable {
  readonly status: Resource<StatusValue>;
  /** Open escalations; made stale only by `.events.jsonl` (gt logs escalation_sent/acked/closed there). */
  readonly escalations: Resource<EscalationList>;
  private lastFull = 0;

  constructor(
    readonly root: string,
    fetchStatus: StatusFetcher,
    fetchEscalations?: EscalationsFetcher,
  ) {
    super();
    this.escalations = this.register(
      new Resource<EscalationList>({
        // Only an escalation line of gt's event log triggers it (no bursts to absorb): a short wait keeps it fresh.
        throttleMs: 100,
        maxWaitMs: 2000,
        fetch: (ctx) => (fetchEscalations ? fetchEscalations(root, ctx.signal) : Promise.reject(new Error('no escalations reader'))),
      }),
    );
    this.status = this.register(
      new Resource<StatusValue>({
        throttleMs: 500,
        maxWaitMs: 3000,
        fetch: async (ctx) => {
          // Fast first so the tree shows who runs at once; the full status (about 8 s) follows when due.
          const fastAt = Date.now();
          const fast = await fetchStatus(root, true, ctx.signal);
          const full = ctx.forced || Date.now() - this.lastFull > FULL_EVERY_MS;
          if (!full) {
            // A fast status has no hooks or mail; old ones shown as current would lie. The full pass is due soon.
            return { status: fast, readAt: fastAt };
          }
          ctx.publish({ status: fast, readAt: fastAt });
          const fullAt = (this.lastFull = Date.now());
          try {
            return { status: await fetchStatus(root, false, ctx.signal), readAt: fullAt };
          } catch (err) {
            return { status: fast, readAt: fastAt, fullError: (err as Error).message };
          }
        },
      }),
    );
  }
}

/** Every town's model; the views, the status bar and the commands read from here. */
export class TownModels extends Disposable {
  private readonly models = new Map<string, TownModel>();
  private readonly changed = this.register(new Emitter<string>());
  /** Fires the town root whose status changed. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly fetchStatus: StatusFetcher,
    private readonly fetchEscalations?: EscalationsFetcher,
  ) {
    super();
    this.register({ dispose: () => this.models.forEach((m) => m.dispose()) });
  }

  /** Keeps the models of these towns (creating missing ones), drops the others. */
  sync(roots: readonly string[]): void {
    for (const [root, m] of this.models) {
      if (!roots.includes(root)) {
        m.dispose();
        this.models.delete(root);
      }
    }
    for (const root of roots) {
      this.of(root);
    }
  }

  of(root: string): TownModel {
    let m = this.models.get(root);
    if (!m) {
      m = new TownModel(root, this.fetchStatus, this.fetchEscalations);
      m.status.onDidChange(() => this.changed.fire(root));
      this.models.set(root, m);
    }
    return m;
  }

  get all(): TownModel[] {
    return [...this.models.values()];
  }

  statusState(root: string): ResourceState<StatusValue> {
    return this.models.get(root)?.status.state ?? { kind: 'idle' };
  }

  /** The last status gt gave (also while a newer call failed), for decisions like which tmux socket. */
  statusOf(root: string): TownStatus | undefined {
    return this.models.get(root)?.status.value?.status;
  }

  /** Every agent gt reports, town level and per rig. */
  agents(root: string): AgentRuntime[] {
    // Only a current status: an error replaces the figures it makes stale.
    const state = this.statusState(root);
    const s = state.kind === 'ok' ? state.value.status : undefined;
    return [...(s?.agents ?? []), ...(s?.rigs ?? []).flatMap((r) => r.agents ?? [])];
  }

  /** When the current status was read (0 when there is none): an agent of ours that changed since is newer. */
  statusReadAt(root: string): number {
    const state = this.statusState(root);
    return state.kind === 'ok' ? state.value.readAt : 0;
  }

  /** gt's record of the agent with this tmux session name or address. */
  agent(root: string, session: string, address: string): AgentRuntime | undefined {
    const norm = (a?: string) => (a ?? '').replace(/\/$/, '');
    return this.agents(root).find((a) => a.session === session || norm(a.address) === norm(address));
  }

  /** Something about agents may have changed (terminal, event log, our own action). */
  invalidateStatus(root?: string): void {
    for (const m of root ? [this.of(root)] : this.all) {
      m.status.invalidate();
    }
  }

  refreshStatus(root: string): Promise<void> {
    return this.of(root).status.refresh();
  }
}
