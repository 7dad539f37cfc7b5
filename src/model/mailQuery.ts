import type { MailMessage } from '../cli/mailClient';

// How the Mail view orders and groups an inbox. Pure.

export interface MailThread {
  /** gt's thread id, or the message id for a message alone. */
  key: string;
  /** Oldest first. */
  messages: MailMessage[];
  unread: number;
  latest: MailMessage;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3, backlog: 4 };

export function priorityRank(m: MailMessage): number {
  return PRIORITY_RANK[m.priority ?? 'normal'] ?? 2;
}

export const messageTime = (m: MailMessage): number => Date.parse(m.timestamp ?? '') || 0;

/** Threads with unread messages first, then by priority, then newest first. */
export function threads(inbox: readonly MailMessage[]): MailThread[] {
  const byKey = new Map<string, MailMessage[]>();
  for (const m of inbox) {
    const key = m.thread_id || m.id;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  const out = [...byKey].map(([key, list]): MailThread => {
    const messages = [...list].sort((a, b) => messageTime(a) - messageTime(b));
    return { key, messages, unread: messages.filter((m) => !m.read).length, latest: messages[messages.length - 1] };
  });
  const best = (t: MailThread): number => Math.min(...t.messages.filter((m) => !m.read).map(priorityRank), 9);
  return out.sort((a, b) => (b.unread > 0 ? 1 : 0) - (a.unread > 0 ? 1 : 0) || best(a) - best(b) || messageTime(b.latest) - messageTime(a.latest));
}

export function unreadCount(inbox: readonly MailMessage[]): number {
  return inbox.filter((m) => !m.read).length;
}

/** Unread urgent or high messages not seen before: each raises one notification. */
export function newAlarming(inbox: readonly MailMessage[], seen: ReadonlySet<string>): MailMessage[] {
  return inbox.filter((m) => !m.read && priorityRank(m) <= 1 && !seen.has(m.id));
}
