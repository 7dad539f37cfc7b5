import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, screenshot, townRoot, waitFor } from './helpers';

// The escalations status bar item and the Activity view against the demo town, compared with the real gt/bd
// and the real .events.jsonl.

interface CliEsc {
  id: string;
  title?: string;
  status?: string;
  labels?: string[];
}

function cli(bin: string, args: string[]): string {
  // As a user runs it in a shell at the town root (the overseer: no agent identity).
  const env = { ...process.env, GT_ROLE: '', BD_ACTOR: '', BD_AGENT_MODE: '', CLAUDE_CODE: '' };
  return execFileSync(bin, args, { cwd: townRoot(), encoding: 'utf8', env, timeout: 120_000 });
}

/** What the item must count: gt's list, plus the wisp escalations gt v1.2.1's query misses; no mail copies. */
function cliOpen(): { gt: CliEsc[]; all: string[] } {
  const gtOut = cli('gt', ['escalate', 'list', '--json']).trim();
  const gt = (JSON.parse(gtOut.slice(gtOut.search(/null|\[/))) as CliEsc[] | null) ?? [];
  const bdOut = cli('bd', ['list', '--label=gt:escalation', '--status=open', '--include-infra', '--limit', '0', '--json']);
  const bd = JSON.parse(bdOut.slice(bdOut.search(/\[/))) as CliEsc[];
  const ids = new Set([...gt, ...bd].filter((e) => !(e.labels ?? []).includes('gt:message')).map((e) => e.id));
  return { gt, all: [...ids].sort() };
}

async function feature() {
  return (await api()).escalations;
}

async function shownIds(): Promise<string[]> {
  const f = await feature();
  return (f.current ?? []).map((e) => e.id).sort();
}

async function setGt(p: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('gastown').update('gtPath', p, vscode.ConfigurationTarget.Global);
}

describe('Escalations and Activity', function () {
  this.timeout(240_000);

  it('the status bar counts exactly the open escalations the CLIs report, with the highest severity', async () => {
    const f = await feature();
    const want = cliOpen();
    await waitFor('escalations read', () => f.current !== undefined, 60_000);
    assert.deepEqual(await shownIds(), want.all);
    assert.ok(want.all.length >= 4, `the demo town has an escalation per severity: ${want.all.join(',')}`);
    // gt's own list: everything it prints is shown (on gt v1.2.1 it prints null: see the README).
    for (const e of want.gt.filter((x) => !(x.labels ?? []).includes('gt:message'))) assert.ok(want.all.includes(e.id));
    assert.equal(f.item.text, `$(bell-dot) ${want.all.length} · critical`);
    assert.deepEqual(f.item.backgroundColor, new vscode.ThemeColor('statusBarItem.errorBackground'));
    const md = (f.item.tooltip as vscode.MarkdownString).value;
    assert.match(md, /\| Severity \| Age \| Title \|/);
    assert.match(md, /Dolt server refuses writes/);
    assert.match(md, /command:gastown\.escalations\.ack\?/);
    // The high one is acknowledged in the demo town: marked, and offers no Acknowledge link.
    assert.match(md, /high \(acked\)/);
  });

  it('the Activity view shows the newest events of .events.jsonl, newest first', async () => {
    const f = await feature();
    await vscode.commands.executeCommand('gastown.activity.focus');
    const lines = fs.readFileSync(path.join(townRoot(), '.events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ts: string; type: string; actor: string });
    await waitFor('activity read', () => f.activity.events.length >= Math.min(lines.length, 300));
    const shown = f.activity.events.map((e) => `${e.ts}|${e.type}|${e.actor}`);
    assert.deepEqual(shown, lines.slice(-300).reverse().map((e) => `${e.ts}|${e.type}|${e.actor}`));
    const items = f.activity.tree.getChildren().map((n) => f.activity.tree.getTreeItem(n));
    const sent = items.find((i) => (i.label as string).startsWith('escalation sent'));
    assert.ok(sent?.command, 'an escalation event opens its bead');
    assert.match(String(sent.description), /overseer · \d+[smhd]/);
    await screenshot('activity-view');
  });

  it('a session death that gt logs raises one warning, not again when the log is read again', async () => {
    const f = await feature();
    await vscode.commands.executeCommand('gastown.activity.focus');
    const before = f.activity.warnings.length;
    const line = JSON.stringify({ ts: new Date().toISOString(), source: 'gt', type: 'session_death', actor: 'demo/polecats/rust', payload: { session: 'de-rust', reason: 'test' }, visibility: 'feed' });
    fs.appendFileSync(path.join(townRoot(), '.events.jsonl'), `${line}\n`);
    await waitFor('the death warning', () => f.activity.warnings.length > before, 30_000);
    assert.equal(f.activity.warnings.length, before + 1);
    assert.match(f.activity.warnings[before], /rust/);
    await vscode.commands.executeCommand('gastown.activity.refresh');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(f.activity.warnings.length, before + 1, 'warned once');
  });

  it('an event that names an agent opens it (gt role or mail address)', async () => {
    const f = await feature();
    for (const target of ['demo/crew/alice', 'demo/alice']) {
      const node = { type: 'event', event: { ts: new Date().toISOString(), source: 'gt', type: 'nudge', actor: 'overseer', payload: { target }, visibility: 'feed' } };
      await vscode.commands.executeCommand('gastown.activity.openEvent', node);
      const text = vscode.window.activeTextEditor?.document.getText() ?? '';
      assert.match(text, /demo\/crew\/alice/, `${target}: ${text.slice(0, 200)}`);
    }
    void f;
  });

  it('an outside `gt escalate -s critical` shows with no user action and notifies exactly once; ack and close change the real data', async () => {
    const f = await feature();
    const before = f.notifications.length;
    const hostile = 'Hostile [x](command:workbench.action.quit) $(alert) <b>bold</b> | pipe';
    const out = cli('gt', ['escalate', hostile, '-s', 'critical', '-r', 'made by the test', '--json']);
    const id = (JSON.parse(out.slice(out.indexOf('{'))) as { id: string }).id;
    await waitFor('the new escalation in the status bar', async () => (await shownIds()).includes(id), 30_000);
    assert.deepEqual(await shownIds(), cliOpen().all);
    assert.equal(f.item.text, `$(bell-dot) ${cliOpen().all.length} · critical`);
    // The title is shown literally: no link, no icon, no HTML, no broken table row.
    const md = (f.item.tooltip as vscode.MarkdownString).value;
    // (`\\$(` is the codicon escape that survives Markdown; the UI suite checks the rendered hover shows it as typed.)
    assert.ok(md.includes('Hostile \\[x\\]\\(command\\:workbench\\.action\\.quit\\) \\\\$(alert\\) \\<b\\>bold\\</b\\> \\| pipe'), md);
    await screenshot('escalations-tooltip');
    await f.refresh();
    await f.refresh();
    assert.deepEqual(f.notifications.slice(before).filter((n) => n.id === id).length, 1);

    await vscode.commands.executeCommand('gastown.escalations.ack', id);
    const acked = JSON.parse(cli('bd', ['show', id, '--json']).replace(/^[^[]*/, '')) as CliEsc[];
    assert.ok(acked[0].labels?.includes('acked'), 'gt escalate ack labelled it');
    assert.equal(f.current?.find((e) => e.id === id)?.acked, true);
    await vscode.commands.executeCommand('gastown.escalations.close', id, 'fixed by the test');
    const closed = JSON.parse(cli('bd', ['show', id, '--json']).replace(/^[^[]*/, '')) as CliEsc[];
    assert.equal(closed[0].status, 'closed');
    assert.ok(!(await shownIds()).includes(id));
    assert.deepEqual(await shownIds(), cliOpen().all);
    // The Activity view got gt's lines for all three, live.
    await waitFor('escalation events in Activity', () => ['escalation_sent', 'escalation_acked', 'escalation_closed'].every((t) => f.activity.events.some((e) => e.type === t && JSON.stringify(e.payload).includes(id))));
  });

  it('gt missing, printing garbage, or hanging: an error with its fix, never the old count', async () => {
    const f = await feature();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-gt-'));
    const garbage = path.join(dir, 'garbage');
    fs.writeFileSync(garbage, '#!/bin/sh\necho "<html>proxy error</html>"\n', { mode: 0o755 });
    const hang = path.join(dir, 'hang');
    fs.writeFileSync(hang, '#!/bin/sh\nsleep 600\n', { mode: 0o755 });
    try {
      await setGt(path.join(dir, 'missing'));
      await f.refresh();
      assert.equal(f.item.text, '$(bell-slash) Escalations: error');
      assert.equal(f.current, undefined);
      assert.match((f.item.tooltip as vscode.MarkdownString).value, /Install gt, or set \*\*gastown\.gtPath\*\*/);
      await setGt(garbage);
      await f.refresh();
      assert.equal(f.item.text, '$(bell-slash) Escalations: error');
      assert.match((f.item.tooltip as vscode.MarkdownString).value, /not the JSON expected/);
      await setGt(hang);
      await f.refresh();
      assert.equal(f.item.text, '$(bell-slash) Escalations: error');
      assert.match((f.item.tooltip as vscode.MarkdownString).value, /did not answer/);
    } finally {
      await setGt(undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    await f.refresh();
    assert.deepEqual(await shownIds(), cliOpen().all);
  });
});
