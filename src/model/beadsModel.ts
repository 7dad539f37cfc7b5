import { Disposable } from '../common/lifecycle';
import type { BeadsDb } from '../cli/bdClient';
import type { BeadSummary } from '../cli/beadSchemas';
import { Resource } from './resource';

/** One database's beads as last read, with the id sets the active filter needs. */
export interface BeadsSnapshot {
  beads: BeadSummary[];
  byId: Map<string, BeadSummary>;
  ready?: ReadonlySet<string>;
  blocked?: ReadonlySet<string>;
  /** Which interface served the read (the README says why each is used). */
  via: string;
  ms: number;
}

/** Where beads are read from: bd's CLI, or a read-only SQL path that must agree with it. */
export interface BeadsReader {
  list(db: BeadsDb, signal: AbortSignal): Promise<{ beads: BeadSummary[]; via: string }>;
  readyIds(db: BeadsDb, signal: AbortSignal): Promise<Set<string>>;
  blockedIds(db: BeadsDb, signal: AbortSignal): Promise<Set<string>>;
  /** A value that changes on every write to the database; undefined when there is no cheap way to tell. */
  changeToken?(db: BeadsDb): Promise<string | undefined>;
  /** Whether asking for the change token costs no process right now (a poll is only worth that). */
  canProbe?(): boolean;
  dispose?(): void;
}

/** A beads database of the town, as a resource: read only while a Beads view shows it. */
export class BeadsDatabase extends Disposable {
  private readonly canProbeNow: () => boolean;
  /** True when a poll costs no process (the reader has a cheap change token that works now). */
  get canProbe(): boolean {
    return this.canProbeNow();
  }

  readonly resource: Resource<BeadsSnapshot>;
  /** Which id sets the current filter needs (the view sets them before it subscribes or refreshes). */
  needs = { ready: false, blocked: false };


  constructor(
    readonly db: BeadsDb,
    reader: BeadsReader,
  ) {
    super();
    this.register({ dispose: () => reader.dispose?.() });
    this.canProbeNow = () => (reader.canProbe ? reader.canProbe() : false);
    this.resource = this.register(
      new Resource<BeadsSnapshot>({
        throttleMs: 150,
        maxWaitMs: 1000,
        probe: reader.changeToken ? () => reader.changeToken!(db) : undefined,
        fetch: async ({ signal }) => {
          const started = Date.now();
          const [list, ready, blocked] = await Promise.all([
            reader.list(db, signal),
            this.needs.ready ? reader.readyIds(db, signal) : undefined,
            this.needs.blocked ? reader.blockedIds(db, signal) : undefined,
          ]);
          return { beads: list.beads, byId: new Map(list.beads.map((b) => [b.id, b])), ready, blocked, via: list.via, ms: Date.now() - started };
        },
      }),
    );
  }
}
