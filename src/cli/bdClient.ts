import { beadCommentListSchema, BeadDetails, beadDetailsListSchema, BeadSummary, beadSummaryListSchema } from './beadSchemas';
import { CliError, CliLogger, parseCliJson, runCli, RunResult } from './runner';

/** A beads database: bd finds it from its working directory (the town root for hq, a rig's folder for a rig). */
export interface BeadsDb {
  /** Stable key: the folder bd runs in. */
  cwd: string;
  /** What the view calls it: `hq`, the rig's name, or the folder's name in beads-only mode. */
  name: string;
  /** The id prefix without the dash, when known. */
  prefix?: string;
  /** The town it belongs to (its Dolt server's port is the town's); undefined in beads-only mode. */
  townRoot?: string;
}

export interface NewBead {
  title: string;
  type?: string;
  priority?: number;
  parent?: string;
  labels?: string[];
  description?: string;
  assignee?: string;
}

const WRITE_TIMEOUT_MS = 60_000;

/**
 * Typed calls to bd. Every value is one argv element (no shell), so a title full of `$(…)` is just text; flag
 * values use the `--flag=value` form and positionals follow `--`, so a value starting with `-` stays a value.
 * Reads that need the whole set pass `--limit 0` (bd's default is 50, or 20 for agents).
 */
export class BdClient {
  constructor(
    private readonly bin: () => string,
    private readonly env: () => Record<string, string>,
    private readonly log?: CliLogger,
    /** Reads give up after this long (a setting: a hung bd must end in an error, never a spinner). */
    private readonly readTimeoutMs: () => number = () => 60_000,
  ) {}

  private run(db: BeadsDb, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<RunResult> {
    return runCli(this.bin(), args, { cwd: db.cwd, env: this.env(), timeoutMs, signal }, this.log);
  }

  /** Every bead of the database, closed ones included (`--all`); bd leaves out agents, rigs, roles and mail itself. */
  async list(db: BeadsDb, signal?: AbortSignal): Promise<BeadSummary[]> {
    const r = await this.run(db, ['list', '--json', '--all', '--limit', '0'], this.readTimeoutMs(), signal);
    return parseCliJson(r.stdout, beadSummaryListSchema, 'bd list --json');
  }

  async ready(db: BeadsDb, signal?: AbortSignal): Promise<BeadSummary[]> {
    const r = await this.run(db, ['ready', '--json', '--limit', '0'], this.readTimeoutMs(), signal);
    return parseCliJson(r.stdout, beadSummaryListSchema, 'bd ready --json');
  }

  async blocked(db: BeadsDb, signal?: AbortSignal): Promise<BeadSummary[]> {
    const r = await this.run(db, ['blocked', '--json'], this.readTimeoutMs(), signal);
    return parseCliJson(r.stdout, beadSummaryListSchema, 'bd blocked --json');
  }

  /** One bead with its description, dependencies, dependents and comments; undefined when it does not exist. */
  async show(db: BeadsDb, id: string, signal?: AbortSignal): Promise<BeadDetails | undefined> {
    try {
      // bd ≥ 1.2 leaves comments out of `show --json` (only `comment_count`); `bd comments --json` has them in
      // every version, so both run side by side.
      const [r, comments] = await Promise.all([
        this.run(db, ['show', '--json', '--', id], this.readTimeoutMs(), signal),
        this.run(db, ['comments', '--json', '--', id], this.readTimeoutMs(), signal).then(
          (c) => parseCliJson(c.stdout, beadCommentListSchema, 'bd comments --json', { emptyText: /^No comments/im }),
          () => undefined,
        ),
      ]);
      const bead = parseCliJson(r.stdout, beadDetailsListSchema, 'bd show --json')[0];
      return bead && !bead.comments?.length && comments ? { ...bead, comments } : bead;
    } catch (err) {
      if (err instanceof CliError && err.kind === 'cli-error' && /not found|no issue/i.test(err.message)) {
        return undefined;
      }
      throw err;
    }
  }

  /** Creates a bead and returns its id. */
  async create(db: BeadsDb, bead: NewBead): Promise<string> {
    const args = ['create', '--silent'];
    if (bead.type) args.push(`--type=${bead.type}`);
    if (bead.priority !== undefined) args.push(`--priority=${bead.priority}`);
    if (bead.parent) args.push(`--parent=${bead.parent}`);
    if (bead.labels?.length) args.push(`--labels=${bead.labels.join(',')}`);
    if (bead.description) args.push(`--description=${bead.description}`);
    if (bead.assignee) args.push(`--assignee=${bead.assignee}`);
    // After `--` a title that starts with `-` is still the title, not a flag.
    args.push('--', bead.title);
    const r = await this.run(db, args, WRITE_TIMEOUT_MS);
    const id = r.stdout.trim().split('\n').pop()?.trim();
    if (!id) {
      throw new CliError('bad-output', 'bd create printed no id', 'bd create');
    }
    return id;
  }

  update(db: BeadsDb, ids: string[], change: { status?: string; priority?: number; assignee?: string; claim?: boolean }): Promise<RunResult> {
    const args = ['update', ...ids];
    if (change.status) args.push(`--status=${change.status}`);
    if (change.priority !== undefined) args.push(`--priority=${change.priority}`);
    if (change.assignee !== undefined) args.push(`--assignee=${change.assignee}`);
    if (change.claim) args.push('--claim');
    return this.run(db, args, WRITE_TIMEOUT_MS);
  }

  close(db: BeadsDb, ids: string[], reason?: string): Promise<RunResult> {
    return this.run(db, ['close', ...ids, ...(reason ? [`--reason=${reason}`] : [])], WRITE_TIMEOUT_MS);
  }

  reopen(db: BeadsDb, ids: string[]): Promise<RunResult> {
    return this.run(db, ['reopen', ...ids], WRITE_TIMEOUT_MS);
  }

  comment(db: BeadsDb, id: string, text: string): Promise<RunResult> {
    return this.run(db, ['comments', 'add', '--', id, text], WRITE_TIMEOUT_MS);
  }

  label(db: BeadsDb, verb: 'add' | 'remove', id: string, label: string): Promise<RunResult> {
    return this.run(db, ['label', verb, '--', id, label], WRITE_TIMEOUT_MS);
  }

  /** `bd dep add <issue> <depends-on>`: `issue` is blocked by `dependsOn`. */
  dependency(db: BeadsDb, verb: 'add' | 'remove', issue: string, dependsOn: string): Promise<RunResult> {
    return this.run(db, ['dep', verb, '--', issue, dependsOn], WRITE_TIMEOUT_MS);
  }

  version(cwd: string): Promise<RunResult> {
    return runCli(this.bin(), ['version'], { cwd, env: this.env(), timeoutMs: 10_000, logLevel: 'debug' }, this.log);
  }
}
