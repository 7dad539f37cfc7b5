import type { ConvoyJson, ConvoysClient, TrackedIssue } from '../cli/convoysClient';
import { Disposable } from '../common/lifecycle';
import { Resource } from './resource';

/** A convoy as the view shows it: gt's fields plus whether it is caller-managed (only those can be landed). */
export interface Convoy {
  id: string;
  title: string;
  status: string;
  createdAt?: string;
  tracked: TrackedIssue[];
  completed: number;
  total: number;
  owned: boolean;
}

export interface ConvoysSnapshot {
  convoys: Convoy[];
  /** Whether closed convoys were asked for (`--all`). */
  all: boolean;
  ms: number;
}

export function isClosedStatus(status: string | null | undefined): boolean {
  return status === 'closed' || status === 'tombstone';
}

/** done / total as gt counts them; 0 of 0 is "nothing tracked", not "done". */
export function progressOf(c: Pick<Convoy, 'completed' | 'total'>): { done: number; total: number; ratio: number | undefined } {
  return { done: c.completed, total: c.total, ratio: c.total > 0 ? c.completed / c.total : undefined };
}

export function toConvoy(json: ConvoyJson, owned: ReadonlySet<string>): Convoy {
  const tracked = json.tracked;
  return {
    id: json.id,
    title: json.title ?? '',
    status: json.status ?? 'open',
    createdAt: json.created_at ?? undefined,
    tracked,
    // gt computes both; fall back to counting when a build leaves them out.
    completed: json.completed ?? tracked.filter((t) => isClosedStatus(t.status)).length,
    total: json.total ?? tracked.length,
    owned: owned.has(json.id),
  };
}

export interface ConvoysModelOptions {
  client: ConvoysClient;
  townRoot: string;
  timeoutMs: () => number;
}

/**
 * One town's convoys as a resource: `gt convoy list --json` (plus `gt convoy status --json` for which are
 * owned), fetched only while a Convoys view shows them; file signals only mark it stale.
 */
export class ConvoysModel extends Disposable {
  readonly resource: Resource<ConvoysSnapshot>;
  /** Closed convoys too (`--all`); changing it refetches. */
  private all = false;

  constructor(private readonly opts: ConvoysModelOptions) {
    super();
    this.resource = this.register(
      new Resource<ConvoysSnapshot>({
        throttleMs: 400,
        maxWaitMs: 3000,
        fetch: async ({ signal }) => {
          const started = Date.now();
          const all = this.all;
          const read = { signal, timeoutMs: opts.timeoutMs() };
          const [list, owned] = await Promise.all([opts.client.list(opts.townRoot, all, read), opts.client.ownedIds(opts.townRoot, read)]);
          return { convoys: list.map((c) => toConvoy(c, owned)), all, ms: Date.now() - started };
        },
      }),
    );
  }

  get townRoot(): string {
    return this.opts.townRoot;
  }

  get showClosed(): boolean {
    return this.all;
  }

  /** Re-reads at once while someone looks; otherwise the next subscriber reads with the new choice. */
  setShowClosed(all: boolean): Promise<void> {
    if (all === this.all) {
      return Promise.resolve();
    }
    this.all = all;
    if (this.resource.subscribed) {
      return this.resource.refresh();
    }
    this.resource.invalidate();
    return Promise.resolve();
  }
}
