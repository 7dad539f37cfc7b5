import * as assert from 'node:assert/strict';
import { identityVariants, mailIdentity, normalizeMailAddress, sortInbox, toMailMessage } from '../../src/cli/mailSql';

// Pure logic of the SQL inbox (gt's address and label rules); the mail suite compares the whole with gt itself.

describe('mail over SQL: gt rules', () => {
  it('normalizes addresses and identities as gt does', () => {
    assert.equal(normalizeMailAddress('mayor'), 'mayor/');
    assert.equal(normalizeMailAddress('demo/deacon'), 'deacon/');
    assert.equal(normalizeMailAddress('demo/crew/alice'), 'demo/alice');
    assert.equal(normalizeMailAddress('demo/polecats/rust'), 'demo/rust');
    assert.equal(normalizeMailAddress('deacon/boot'), 'deacon/boot');
    assert.equal(mailIdentity('demo/'), 'demo');
    assert.equal(mailIdentity('mayor/'), 'mayor/');
    assert.deepEqual(identityVariants('deacon/'), ['deacon/', 'deacon']);
    assert.deepEqual(identityVariants('demo/alice'), ['demo/alice']);
  });

  it('maps a message bead: sender, thread, type, priority, read, CC; the last label of a kind wins', () => {
    const m = toMailMessage(
      { id: 'hq-1', title: 'Hi', description: 'body', status: 'open', priority: '0', assignee: 'demo/crew/bob', created_at: '2026-11-22 07:20:05.120' },
      ['from:mayor', 'gt:message', 'msg-type:escalation', 'thread:t-1', 'reply-to:hq-0', 'cc:demo/crew/alice', 'read', 'thread:t-2'],
      true,
    );
    assert.deepEqual(m, {
      id: 'hq-1', from: 'mayor/', to: 'demo/bob', subject: 'Hi', body: 'body', timestamp: '2026-11-22T07:20:05.12Z', read: true,
      priority: 'urgent', type: 'escalation', thread_id: 't-2', reply_to: 'hq-0', wisp: true, cc: ['demo/alice'],
    });
    const plain = toMailMessage({ id: 'hq-2', status: 'hooked', priority: '4', assignee: 'overseer', created_at: null, title: null, description: null }, ['msg-type:bogus'], false);
    assert.equal(plain.priority, 'normal');
    assert.equal(plain.type, 'notification');
    assert.equal(plain.read, false);
    assert.equal('wisp' in plain || 'cc' in plain || 'thread_id' in plain, false);
  });

  it('orders by priority, then newest first', () => {
    const at = (id: string, priority: string, timestamp: string) => ({ id, priority, timestamp });
    const sorted = sortInbox([at('a', 'low', '2026-01-02T00:00:00Z'), at('b', 'normal', '2026-01-01T00:00:00Z'), at('c', 'normal', '2026-01-03T00:00:00Z'), at('d', 'urgent', '2026-01-01T00:00:00Z')]);
    assert.deepEqual(sorted.map((m) => m.id), ['d', 'c', 'b', 'a']);
  });
});
