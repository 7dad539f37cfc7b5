import * as assert from 'node:assert/strict';
import type { MailMessage } from '../../src/cli/mailClient';
import { newAlarming, threads, unreadCount } from '../../src/model/mailQuery';

const m = (id: string, extra: Partial<MailMessage>): MailMessage => ({ id, subject: id, read: false, priority: 'normal', timestamp: '2026-01-01T00:00:00Z', ...extra });

describe('mail ordering and threads', () => {
  const inbox = [
    m('a', { read: true, timestamp: '2026-01-03T00:00:00Z' }),
    m('b', { thread_id: 't1', timestamp: '2026-01-01T00:00:00Z', read: true }),
    m('c', { thread_id: 't1', timestamp: '2026-01-02T00:00:00Z', priority: 'high' }),
    m('d', { priority: 'urgent', timestamp: '2025-12-01T00:00:00Z' }),
    m('e', { timestamp: '2026-01-04T00:00:00Z' }),
  ];

  it('threads are one node, oldest message first; unread first, then priority, then newest', () => {
    const t = threads(inbox);
    assert.deepEqual(t.map((x) => x.key), ['d', 't1', 'e', 'a']);
    assert.deepEqual(t[1].messages.map((x) => x.id), ['b', 'c']);
    assert.equal(t[1].unread, 1);
  });

  it('counts unread, and alarms once per urgent or high unread message', () => {
    assert.equal(unreadCount(inbox), 3);
    assert.deepEqual(newAlarming(inbox, new Set()).map((x) => x.id), ['c', 'd']);
    assert.deepEqual(newAlarming(inbox, new Set(['c', 'd'])), []);
  });
});
