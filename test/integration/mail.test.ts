import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MailMessage } from '../../src/cli/mailClient';
import type { MailNode } from '../../src/ui/views/mailTree';
import { api, capturingMessages, screenshot, townRoot, waitFor } from './helpers';

// The Mail view against the demo town's real mail, compared with what the real gt and bd print.

function gt<T>(args: string[]): T {
  const out = execFileSync('gt', args, { cwd: townRoot(), encoding: 'utf8', env: { ...process.env, GT_ROLE: '', BD_ACTOR: '' }, timeout: 120_000 });
  return JSON.parse(out.slice(out.search(/[[{]|null/))) as T;
}

/** Every message bead's labels and status, as bd stores them: what "reading changed nothing" is checked on. */
function mailState(): string {
  const list = JSON.parse(execFileSync('bd', ['list', '--label', 'gt:message', '--include-infra', '--all', '--limit', '0', '--json'], { cwd: townRoot(), encoding: 'utf8' })) as { id: string; status?: string; labels?: string[] }[];
  return JSON.stringify(list.map((b) => [b.id, b.status, [...(b.labels ?? [])].sort()]).sort());
}

async function mailFeature() {
  return (await api()).mail;
}

async function shown(): Promise<MailMessage[]> {
  const f = await mailFeature();
  const out: MailMessage[] = [];
  const walk = (nodes: MailNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'message') out.push(n.message);
      if (n.type === 'thread') walk(f.tree.getChildren(n));
    }
  };
  walk(f.tree.getChildren());
  return out;
}

async function loaded(identity = 'overseer'): Promise<void> {
  const f = await mailFeature();
  if (f.identity !== identity) await vscode.commands.executeCommand('gastown.mail.pickIdentity', identity);
  await vscode.commands.executeCommand('workbench.view.extension.gastown');
  await vscode.commands.executeCommand('gastown.mail.focus');
  await waitFor(`${identity}'s inbox`, () => f.resourceState?.kind === 'ok', 60_000);
}

describe('Mail view', function () {
  this.timeout(240_000);
  const config = () => vscode.workspace.getConfiguration('gastown');

  before(async () => {
    // Opening must change nothing for the "reading is read-only" test; marking on open is tested on its own.
    await config().update('mail.markReadOnOpen', false, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await config().update('mail.markReadOnOpen', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('gastown.mail.pickIdentity', 'overseer');
  });

  it('shows exactly the overseer inbox gt reports: unread first, threads grouped, the unread count as badge', async () => {
    await loaded();
    const cli = gt<MailMessage[] | null>(['mail', 'inbox', '--all', '--json']) ?? [];
    assert.deepEqual((await shown()).map((m) => m.id).sort(), cli.map((m) => m.id).sort());
    const f = await mailFeature();
    const unread = gt<{ unread: number }>(['mail', 'check', '--json']).unread;
    assert.equal(f.view.badge?.value ?? 0, unread, 'badge = gt mail check');
    const top = f.tree.getChildren();
    const firstUnread = top.findIndex((n) => (n.type === 'message' ? !n.message.read : n.type === 'thread' && n.thread.unread > 0));
    const lastUnread = top.map((n) => (n.type === 'message' ? !n.message.read : n.type === 'thread' && n.thread.unread > 0)).lastIndexOf(true);
    assert.equal(firstUnread, 0);
    assert.ok(top.slice(lastUnread + 1).every((n) => n.type === 'message' && n.message.read), 'read mail after all unread');
    const threaded = cli.filter((m) => cli.filter((o) => o.thread_id && o.thread_id === m.thread_id).length > 1);
    if (threaded.length > 0) {
      assert.ok(top.some((n) => n.type === 'thread' && n.thread.messages.length > 1), 'a thread is one node');
    }
    await screenshot('mail-view');
  });

  it('listing and opening every message changes nothing (labels and status compared)', async () => {
    const before = mailState();
    const f = await mailFeature();
    await f.handlers['gastown.mail.refresh']();
    for (const m of await shown()) {
      await vscode.commands.executeCommand('gastown.mail.openMessage', m.id);
    }
    await vscode.commands.executeCommand('gastown.mail.pickIdentity', 'mayor/');
    await loaded('mayor/');
    for (const m of await shown()) {
      await vscode.commands.executeCommand('gastown.mail.openMessage', m.id);
    }
    assert.equal(mailState(), before);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await loaded('overseer');
  });

  it('Mark Read / Unread, New Message (hostile subject), Reply and Archive change the real mail', async () => {
    await loaded();
    const f = await mailFeature();
    const target = (await shown()).find((m) => !m.read);
    assert.ok(target, 'an unread message');
    await vscode.commands.executeCommand('gastown.mail.markRead', target.id);
    assert.equal((gt<MailMessage[]>(['mail', 'inbox', '--all', '--json'])).find((m) => m.id === target.id)?.read, true);
    await vscode.commands.executeCommand('gastown.mail.markUnread', target.id);
    assert.equal((gt<MailMessage[]>(['mail', 'inbox', '--all', '--json'])).find((m) => m.id === target.id)?.read, false);

    const subject = `Hi [x](http://e.com) $(bell) <b>bold</b> \`$(touch /tmp/gt-mail-pwned)\` ${Date.now()}`;
    await vscode.commands.executeCommand('gastown.mail.newMessage', { to: 'mayor/', subject, body: '<script>alert(1)</script> **body**', priority: 1 });
    const sent = gt<MailMessage[]>(['mail', 'inbox', 'mayor/', '--all', '--json']).find((m) => m.subject === subject);
    assert.ok(sent, 'the mayor got it');
    assert.equal(sent.from, 'overseer');
    assert.equal(sent.priority, 'high');

    await loaded('mayor/');
    const item = f.tree.getTreeItem({ type: 'message', message: (await shown()).find((m) => m.id === sent.id)! });
    assert.equal(item.label, subject, 'the subject shows as typed');
    const tip = (item.tooltip as vscode.MarkdownString).value;
    assert.ok(!/(?<!\\)\[x\]/.test(tip) && !/(?<!\\)<b>/.test(tip) && !/(?<!\\)\$\(/.test(tip), tip);
    await vscode.commands.executeCommand('gastown.mail.openMessage', sent.id);
    assert.equal(f.shown.get(sent.id)?.subject, subject);
    await screenshot('mail-message-hostile');
    await loaded('overseer');

    const original = (await shown()).find((m) => m.from === 'mayor/');
    assert.ok(original, 'a message from the mayor');
    await vscode.commands.executeCommand('gastown.mail.reply', original.id, 'Replying from the extension');
    const reply = gt<MailMessage[]>(['mail', 'inbox', 'mayor/', '--all', '--json']).find((m) => m.body === 'Replying from the extension');
    assert.ok(reply, 'the reply reached the mayor');
    assert.equal(reply.from, 'overseer');

    await vscode.commands.executeCommand('gastown.mail.archive', target.id, undefined, true);
    const archived = JSON.parse(execFileSync('bd', ['show', target.id, '--json'], { cwd: townRoot(), encoding: 'utf8' })) as { status?: string }[];
    assert.equal(archived[0]?.status, 'closed');
    await waitFor('the archived message to leave the view', async () => !(await shown()).some((m) => m.id === target.id));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('as another identity, a reply comes from that identity (gt reads it from the working folder, no GT_ROLE)', async () => {
    await loaded('mayor/');
    const fromOverseer = (await shown()).find((m) => m.from === 'overseer');
    assert.ok(fromOverseer, 'the mayor has mail from the overseer');
    const body = `Mayor replies ${Date.now()}`;
    await vscode.commands.executeCommand('gastown.mail.reply', fromOverseer.id, body);
    const reply = (gt<MailMessage[] | null>(['mail', 'inbox', '--all', '--json']) ?? []).find((m) => m.body === body);
    assert.ok(reply, 'the overseer got the reply');
    assert.equal(reply.from, 'mayor/');
    await loaded('overseer');
  });

  it('outside mail (gt mail send) shows with no user action; urgent mail to the overseer raises one notification', async () => {
    await loaded();
    const f = await mailFeature();
    await capturingMessages('showWarningMessage', async (warnings) => {
      const subject = `Outside urgent ${Date.now()}`;
      execFileSync('gt', ['mail', 'send', 'overseer', '--from', 'mayor/', '--urgent', '-s', subject, '-m', 'now'], { cwd: townRoot(), env: { ...process.env, GT_ROLE: '' } });
      await waitFor('the outside message in the view', async () => (await shown()).some((m) => m.subject === subject), 30_000);
      await f.handlers['gastown.mail.refresh']();
      await f.handlers['gastown.mail.refresh']();
      assert.equal(warnings.filter((w) => w.includes(subject)).length, 1, warnings.join('\n'));
    });
  });

  it('gt missing, printing garbage or hanging: an error item with the cause, never a stale inbox', async () => {
    // The inbox is read by SQL when it can; this is the gt path (SQL off, or no Dolt server to read).
    await config().update('beads.sqlReads', 'off', vscode.ConfigurationTarget.Global);
    await loaded();
    const f = await mailFeature();
    await config().update('gtPath', '/nonexistent/gt', vscode.ConfigurationTarget.Global);
    try {
      await f.handlers['gastown.mail.refresh']();
      await waitFor('an error', () => f.resourceState?.kind === 'error');
      const nodes = f.tree.getChildren();
      assert.equal(nodes.length, 1);
      assert.ok(nodes[0].type === 'info' && nodes[0].kind === 'error' && /not found/.test(nodes[0].text), JSON.stringify(nodes[0]));
      // Garbage, then a hang past the inbox's 30 s timeout: each an error with its cause, the old inbox gone.
      for (const [script, cause, wait] of [
        ['echo "<<not json>>"', /not JSON/, 20_000],
        ['sleep 600', /did not finish within 30 s/, 60_000],
      ] as const) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-fake-'));
        fs.writeFileSync(path.join(dir, 'gt'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
        await config().update('gtPath', path.join(dir, 'gt'), vscode.ConfigurationTarget.Global);
        void f.handlers['gastown.mail.refresh']();
        const text = await waitFor(`an error for ${script}`, () => {
          const n = f.tree.getChildren();
          return n.length === 1 && n[0].type === 'info' && n[0].kind === 'error' && cause.test(n[0].text) && n[0].text;
        }, wait);
        assert.ok(text);
      }
    } finally {
      await config().update('gtPath', undefined, vscode.ConfigurationTarget.Global);
      await config().update('beads.sqlReads', undefined, vscode.ConfigurationTarget.Global);
    }
    await f.handlers['gastown.mail.refresh']();
    await waitFor('the inbox back', () => f.resourceState?.kind === 'ok');
  });

  it('Dolt stopped: an error item, never the old inbox; Dolt started again: the inbox comes back with no user action', async () => {
    await loaded();
    const f = await mailFeature();
    const before = (await shown()).map((m) => m.id).sort();
    assert.ok(before.length > 0);
    execFileSync('gt', ['dolt', 'stop'], { cwd: townRoot(), timeout: 60_000 });
    try {
      await f.handlers['gastown.mail.refresh']();
      await waitFor('an error item', () => {
        const n = f.tree.getChildren();
        return f.resourceState?.kind === 'error' && n.length === 1 && n[0].type === 'info' && n[0].kind === 'error';
      }, 90_000);
      await screenshot('mail-dolt-down');
    } finally {
      execFileSync('gt', ['dolt', 'start'], { cwd: townRoot(), timeout: 120_000 });
    }
    // No Refresh from here: the view notices Dolt back by itself.
    await waitFor('the inbox back by itself', () => f.resourceState?.kind === 'ok', 60_000);
    assert.deepEqual((await shown()).map((m) => m.id).sort(), before);
    assert.equal(f.via, 'Dolt SQL');
  });

  it('reads by SQL exactly what gt mail inbox --all --json prints, for every identity and kind of message; sqlReads off reads through gt', async () => {
    const town = townRoot();
    const env = { ...process.env, GT_ROLE: '', BD_ACTOR: '' };
    const run = (bin: string, args: string[]): string => execFileSync(bin, args, { cwd: town, encoding: 'utf8', env, timeout: 120_000 });
    const send = (to: string, subject: string, ...more: string[]): string => {
      run('gt', ['mail', 'send', to, '--from', 'mayor/', '--no-notify', '-s', subject, '-m', `body of ${subject}`, ...more]);
      const all = JSON.parse(run('bd', ['sql', '--json', `SELECT id FROM issues WHERE title = '${subject}' UNION SELECT id FROM wisps WHERE title = '${subject}'`])) as { id: string }[];
      return all[0]?.id ?? '';
    };
    const t = Date.now();
    // Every rule gt applies: CC (open only), priorities 0–4, message types, wisps and permanent beads, pinned
    // (status), hooked, read, archived, a legacy slashless `mayor` assignee, hostile text.
    send('overseer', `sql cc ${t}`, '--cc', 'demo/crew/alice', '--cc', 'mayor');
    for (const p of ['0', '1', '3', '4']) send('overseer', `sql p${p} ${t}`, '--priority', p);
    send('demo/bob', `sql task ${t}`, '--type', 'task');
    send('demo/bob', `sql scavenge ${t}`, '--type', 'scavenge', '--permanent');
    send('overseer', `sql permanent ${t}`, '--permanent');
    run('bd', ['update', send('overseer', `sql pinned ${t}`, '--permanent'), '--status', 'pinned']);
    const hooked = send('demo/alice', `sql hooked ${t}`, '--permanent');
    run('bd', ['update', hooked, '--status', 'hooked']);
    const ccHooked = send('demo/bob', `sql cc hooked ${t}`, '--permanent', '--cc', 'demo/alice');
    run('bd', ['update', ccHooked, '--status', 'hooked']);
    run('gt', ['mail', 'mark-read', send('overseer', `sql read ${t}`)]);
    run('gt', ['mail', 'archive', send('overseer', `sql archived ${t}`)]);
    run('gt', ['mail', 'send', 'overseer', '--from', 'mayor/', '--no-notify', '-s', `sql hostile ${t} "$(rm -rf ~)" ; | & ü 🚀`, '-m', 'line one\nline "two" `three` $HOME\n']);
    run('bd', ['create', `sql legacy mayor ${t}`, '--assignee', 'mayor', '--labels', 'gt:message,from:overseer', '--description', 'legacy address']);

    const f = await mailFeature();
    const keys = ['id', 'from', 'to', 'subject', 'body', 'timestamp', 'read', 'priority', 'type', 'thread_id', 'reply_to', 'wisp', 'cc'] as const;
    const pick = (m: MailMessage): string => JSON.stringify(Object.fromEntries(keys.filter((k) => m[k as keyof MailMessage] !== undefined).map((k) => [k, m[k as keyof MailMessage]])));
    const compare = async (identity: string, via: string): Promise<number> => {
      await loaded(identity);
      await f.handlers['gastown.mail.refresh']();
      await waitFor(`${identity}'s inbox read through ${via}`, () => f.via === via && f.resourceState?.kind === 'ok');
      const cli = gt<MailMessage[] | null>(['mail', 'inbox', ...(identity === 'overseer' ? [] : [identity]), '--all', '--json']) ?? [];
      const mine = f.messages ?? [];
      assert.deepEqual(mine.map(pick).sort(), cli.map(pick).sort(), `${identity}: the same messages, field for field`);
      // gt's order (priority, newest first); equal keys may come in either order, in gt too.
      const order = (l: MailMessage[]) => l.map((m) => `${m.priority}|${m.timestamp}`);
      assert.deepEqual(order(mine), order(cli), `${identity}: gt's order`);
      return cli.length;
    };
    const identities = ['overseer', 'mayor/', 'deacon/', 'demo/crew/alice', 'demo/bob', 'demo/polecats/chrome', 'demo/witness'];
    const counts: Record<string, number> = {};
    for (const id of identities) counts[id] = await compare(id, 'Dolt SQL');
    const subjects = (l: MailMessage[] | undefined) => (l ?? []).map((m) => m.subject ?? '');
    assert.ok(counts.overseer >= 8 && counts['mayor/'] >= 2 && counts['demo/crew/alice'] >= 2 && counts['demo/bob'] >= 2, JSON.stringify(counts));
    await loaded('mayor/');
    assert.ok(subjects(f.messages).includes(`sql legacy mayor ${t}`) && subjects(f.messages).includes(`sql cc ${t}`), 'legacy address and CC reach the mayor');
    await loaded('overseer');
    assert.ok(!subjects(f.messages).includes(`sql pinned ${t}`) && !subjects(f.messages).includes(`sql archived ${t}`), 'pinned and archived are not in the inbox, as in gt');

    await config().update('beads.sqlReads', 'off', vscode.ConfigurationTarget.Global);
    try {
      for (const id of ['overseer', 'demo/crew/alice']) await compare(id, 'gt');
    } finally {
      await config().update('beads.sqlReads', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
