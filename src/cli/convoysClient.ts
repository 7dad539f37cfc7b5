import * as z from 'zod';
import { CliLogger, parseCliJson, runCli, RunResult } from './runner';

// What the extension reads of gt's convoy JSON (checked against gt v1.2.1). Everything but the id is optional
// and unknown keys are kept, because gt drifts; `null` lists (gt prints `"tracked": null`) read as empty.

const nullableList = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((v) => v ?? []);

export const trackedIssueSchema = z.looseObject({
  id: z.string(),
  title: z.string().nullish(),
  status: z.string().nullish(),
  dependency_type: z.string().nullish(),
  issue_type: z.string().nullish(),
  blocked: z.boolean().nullish(),
  assignee: z.string().nullish(),
  labels: z.array(z.string()).nullish(),
  worker: z.string().nullish(),
  worker_age: z.string().nullish(),
});
export type TrackedIssue = z.infer<typeof trackedIssueSchema>;

/** One element of `gt convoy list --json [--all]`. */
export const convoySchema = z.looseObject({
  id: z.string(),
  title: z.string().nullish(),
  status: z.string().nullish(),
  created_at: z.string().nullish(),
  tracked: nullableList(trackedIssueSchema),
  completed: z.number().nullish(),
  total: z.number().nullish(),
});
export type ConvoyJson = z.infer<typeof convoySchema>;
export const convoyListSchema = nullableList(convoySchema);

/** One element of `gt convoy status --json` without an id: the active convoys with their labels. */
export const activeConvoySchema = z.looseObject({
  id: z.string(),
  labels: z.array(z.string()).nullish(),
});
export const activeConvoyListSchema = nullableList(activeConvoySchema);

/**
 * `gt convoy status --json` with no id prints this plain text (exit 0) instead of `[]` when no convoy is open.
 * `gt convoy list --json` prints `[]`; older builds are reported to print text there too.
 */
export const NO_CONVOYS = /^No (active |open )?convoys/i;

/** gt's label for a caller-managed convoy: the only kind `gt convoy land` accepts. */
export const OWNED_LABEL = 'gt:owned';

export interface ConvoyReadOptions {
  signal?: AbortSignal;
  timeoutMs: number;
}

/** gt's convoy verbs, run in the town root (gt finds the town's hq beads from there) as the overseer. */
export class ConvoysClient {
  constructor(
    private readonly gtBin: () => string,
    private readonly log?: CliLogger,
  ) {}

  private gt(args: string[], townRoot: string, timeoutMs: number, signal?: AbortSignal, logLevel: 'info' | 'debug' = 'info'): Promise<RunResult> {
    return runCli(this.gtBin(), args, { cwd: townRoot, timeoutMs, signal, logLevel }, this.log);
  }

  /** Open convoys (or all with `all`), each with its tracked issues and progress. */
  async list(townRoot: string, all: boolean, opts: ConvoyReadOptions): Promise<ConvoyJson[]> {
    const args = ['convoy', 'list', '--json', ...(all ? ['--all'] : [])];
    const r = await this.gt(args, townRoot, opts.timeoutMs, opts.signal, 'debug');
    return parseCliJson(r.stdout, convoyListSchema, `gt ${args.join(' ')}`, { emptyText: NO_CONVOYS });
  }

  /** The ids of the open convoys that are caller-managed (`gt convoy list` has no labels; this call has). */
  async ownedIds(townRoot: string, opts: ConvoyReadOptions): Promise<Set<string>> {
    const r = await this.gt(['convoy', 'status', '--json'], townRoot, opts.timeoutMs, opts.signal, 'debug');
    const active = parseCliJson(r.stdout, activeConvoyListSchema, 'gt convoy status --json', { emptyText: NO_CONVOYS });
    return new Set(active.filter((c) => (c.labels ?? []).includes(OWNED_LABEL)).map((c) => c.id));
  }

  /** `gt convoy create -- <name> <issues…>`: returns the new convoy's id (gt prints it only as text). */
  async create(townRoot: string, name: string, issues: readonly string[], owned = false): Promise<string | undefined> {
    // `--` ends the flags, so a name that starts with "-" is a name.
    const r = await this.gt(['convoy', 'create', ...(owned ? ['--owned'] : []), '--', name, ...issues], townRoot, 60_000);
    return /Created convoy\s+\S*\s*([A-Za-z0-9]+-cv-[A-Za-z0-9]+)/.exec(r.stdout)?.[1] ?? /\b([A-Za-z0-9]+-cv-[A-Za-z0-9]+)\b/.exec(r.stdout)?.[1];
  }

  /**
   * `gt convoy add <id> -- <issues…>` (reopens a closed convoy). gt exits 0 even when it could not add an issue
   * (it warns on stderr and says "Added 0 issue(s)"): the warnings are returned so the caller can show them.
   */
  async add(townRoot: string, convoyId: string, issues: readonly string[]): Promise<{ added: number | undefined; warnings: string[] }> {
    const r = await this.gt(['convoy', 'add', '--', convoyId, ...issues], townRoot, 60_000);
    const added = /Added (\d+) issue/.exec(r.stdout)?.[1];
    const warnings = r.stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /warning|couldn't|failed/i.test(l));
    return { added: added === undefined ? undefined : Number(added), warnings };
  }

  /** `gt convoy close`: gt refuses (exit 1) while tracked issues are open unless forced. */
  close(townRoot: string, convoyId: string, opts: { force?: boolean; reason?: string } = {}): Promise<RunResult> {
    const args = ['convoy', 'close', ...(opts.force ? ['--force'] : []), ...(opts.reason ? [`--reason=${opts.reason}`] : []), '--', convoyId];
    return this.gt(args, townRoot, 60_000);
  }

  /** `gt convoy land`: owned convoys only; cleans up polecat worktrees, closes, notifies. */
  land(townRoot: string, convoyId: string, opts: { force?: boolean } = {}): Promise<RunResult> {
    return this.gt(['convoy', 'land', ...(opts.force ? ['--force'] : []), '--', convoyId], townRoot, 300_000);
  }
}
