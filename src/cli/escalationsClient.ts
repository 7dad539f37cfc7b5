import * as z from 'zod';
import { Escalation, EscalationBead, toEscalation } from '../model/escalations';
import { CliLogger, parseCliJson, runCli } from './runner';

const escalationBeadSchema = z.looseObject({
  id: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  status: z.string().optional(),
  created_at: z.string().optional(),
  created_by: z.string().optional(),
  labels: z.array(z.string()).nullable().optional(),
});
// gt prints `null` when there are none.
const listSchema = z.array(escalationBeadSchema).nullable();

export interface EscalationList {
  escalations: Escalation[];
  /** How many of them `gt escalate list --json` itself printed (the rest came from bd, see below). */
  fromGt: number;
}

const TIMEOUT_MS = 20_000;

/** gt's escalation verbs, run in the town root as the overseer. */
export class EscalationsClient {
  constructor(
    private readonly bins: () => { gt: string; bd: string },
    private readonly log?: CliLogger,
  ) {}

  /**
   * The open escalations: `gt escalate list --json`, plus what gt v1.2.1 misses. Its query (`bd list
   * --label=gt:escalation --status=open`) hides ephemeral beads on bd ≥ 1.2, and escalations are wisps, so it
   * prints `null` for a town with open escalations. The same query with `--include-infra` finds them; mail
   * copies (`gt:message`) are dropped as gt drops them.
   */
  async list(townRoot: string, signal?: AbortSignal): Promise<EscalationList> {
    const opts = { cwd: townRoot, timeoutMs: TIMEOUT_MS, signal, logLevel: 'debug' as const };
    // Both at once: each is a process start and a Dolt query (about half a second on 2 cores), and neither needs the other.
    const [g, b] = await Promise.all([
      runCli(this.bins().gt, ['escalate', 'list', '--json'], opts, this.log),
      runCli(this.bins().bd, ['list', '--label=gt:escalation', '--status=open', '--include-infra', '--limit', '0', '--json'], opts, this.log),
    ]);
    const fromGt = (parseCliJson(g.stdout, listSchema, 'gt escalate list --json') ?? []) as EscalationBead[];
    const fromBd = parseCliJson(b.stdout, z.array(escalationBeadSchema), 'bd list --label=gt:escalation --include-infra --json', { emptyText: /^No issues found\.?$/m }) as EscalationBead[];
    const byId = new Map<string, EscalationBead>();
    for (const bead of [...fromGt, ...fromBd]) {
      if (!(bead.labels ?? []).includes('gt:message') && (bead.status ?? 'open') === 'open' && !byId.has(bead.id)) {
        byId.set(bead.id, bead);
      }
    }
    return { escalations: [...byId.values()].map(toEscalation), fromGt: fromGt.length };
  }

  async ack(townRoot: string, id: string): Promise<void> {
    await runCli(this.bins().gt, ['escalate', 'ack', id], { cwd: townRoot, timeoutMs: 60_000 }, this.log);
  }

  async close(townRoot: string, id: string, reason: string): Promise<void> {
    // The `=` form keeps a reason that starts with `-` from reading as a flag.
    await runCli(this.bins().gt, ['escalate', 'close', id, `--reason=${reason}`], { cwd: townRoot, timeoutMs: 60_000 }, this.log);
  }
}
