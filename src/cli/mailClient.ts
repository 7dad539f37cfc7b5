import * as z from 'zod';
import { CliLogger, parseCliJson, runCli, RunResult } from './runner';

// gt's mail: messages are beads labelled gt:message in the town's database. Reads use `gt mail inbox --json`,
// which on the stack's gt changes nothing (tested: labels and status are compared before and after);
// `gt mail read` marks read, so it is never used to show a message: the inbox JSON carries the body.

const str = z.string().nullable().optional();

export const mailMessageSchema = z.looseObject({
  id: z.string(),
  from: str,
  to: str,
  subject: str,
  body: str,
  timestamp: str,
  read: z.boolean().nullable().optional(),
  priority: str,
  type: str,
  thread_id: str,
  reply_to: str,
  wisp: z.boolean().nullable().optional(),
});
export type MailMessage = z.infer<typeof mailMessageSchema>;
const inboxSchema = z.array(mailMessageSchema).nullable();

export interface NewMail {
  to: string;
  subject: string;
  body: string;
  /** 0 urgent … 4 backlog, as gt takes it. */
  priority?: number;
}

/** Typed gt mail calls; `cwd` decides who acts (gt reads the identity from the directory when no GT_ROLE is set). */
export class MailClient {
  constructor(
    private readonly gt: () => string,
    private readonly log?: CliLogger,
  ) {}

  private run(cwd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
    return runCli(this.gt(), args, { cwd, timeoutMs }, this.log);
  }

  /** Every message (read and unread) of an address; the overseer's when `address` is undefined. */
  async inbox(townRoot: string, address: string | undefined, signal?: AbortSignal): Promise<MailMessage[]> {
    const args = ['mail', 'inbox', ...(address ? [address] : []), '--all', '--json'];
    const r = await runCli(this.gt(), args, { cwd: townRoot, timeoutMs: 30_000, signal, logLevel: 'debug' }, this.log);
    return parseCliJson(r.stdout, inboxSchema, 'gt mail inbox --json', { emptyText: /^(No messages|Inbox is empty|📭)/im }) ?? [];
  }

  markRead(cwd: string, ids: string[], read: boolean): Promise<RunResult> {
    return this.run(cwd, ['mail', read ? 'mark-read' : 'mark-unread', '--', ...ids]);
  }

  archive(cwd: string, ids: string[]): Promise<RunResult> {
    return this.run(cwd, ['mail', 'archive', '--', ...ids]);
  }

  /** `--from` names the sender on purpose, so a leaked or cwd-derived identity never decides it. */
  send(cwd: string, from: string, m: NewMail): Promise<RunResult> {
    const args = ['mail', 'send', `--from=${from}`, `--subject=${m.subject}`, `--message=${m.body}`];
    if (m.priority !== undefined) args.push(`--priority=${m.priority}`);
    args.push('--', m.to);
    return this.run(cwd, args, 60_000);
  }

  reply(cwd: string, id: string, body: string): Promise<RunResult> {
    return this.run(cwd, ['mail', 'reply', `--message=${body}`, '--', id], 60_000);
  }
}
