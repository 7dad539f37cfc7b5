import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BeadsNode } from '../../src/ui/views/beadsTree';
import type { ConvoysNode } from '../../src/ui/views/convoysTree';
import { COMMANDS } from '../../src/ui/ids';
import { api, screenshot, townRoot, waitFor } from './helpers';

// The Convoys view against the demo town, compared with what the real gt prints.

interface GtTracked {
  id: string;
  title?: string;
  status?: string;
  assignee?: string;
  worker?: string;
}
interface GtConvoy {
  id: string;
  title: string;
  status: string;
  tracked: GtTracked[] | null;
  completed: number;
  total: number;
}

/** gt as the overseer runs it in a shell at the town root. */
function gt(args: string[]): string {
  return execFileSync('gt', args, { cwd: townRoot(), encoding: 'utf8', timeout: 120_000 });
}
function gtList(all = false): GtConvoy[] {
  return (JSON.parse(gt(['convoy', 'list', '--json', ...(all ? ['--all'] : [])])) as GtConvoy[] | null) ?? [];
}
function gtStatus(id: string): GtConvoy & { owned: boolean } {
  return JSON.parse(gt(['convoy', 'status', id, '--json'])) as GtConvoy & { owned: boolean };
}
/** A town (hq) bead made with bd, as a user would. */
function hqBead(title: string): string {
  return execFileSync('bd', ['create', '--silent', '--', title], { cwd: townRoot(), encoding: 'utf8' }).trim();
}

async function feature() {
  return (await api()).convoys;
}

async function loaded() {
  const f = await feature();
  await vscode.commands.executeCommand('workbench.view.extension.gastown');
  await vscode.commands.executeCommand('gastown.convoys.focus');
  await waitFor('the convoys to load', () => f.model?.resource.state.kind === 'ok', 60_000);
  return f;
}

/** The tree as the user sees it: each convoy's item and its children's items. */
async function shown(): Promise<{ node: ConvoysNode; item: vscode.TreeItem; children: { node: ConvoysNode; item: vscode.TreeItem }[] }[]> {
  const tree = (await feature()).tree;
  return tree.getChildren().map((node) => ({
    node,
    item: tree.getTreeItem(node),
    children: tree.getChildren(node).map((c) => ({ node: c, item: tree.getTreeItem(c) })),
  }));
}

function assertSameAsGt(view: Awaited<ReturnType<typeof shown>>, cli: GtConvoy[]): void {
  assert.deepEqual(
    view.map((v) => (v.node.type === 'convoy' ? v.node.convoy.id : `<${v.node.type}>`)).sort(),
    cli.map((c) => c.id).sort(),
    'the convoys shown and gt convoy list differ',
  );
  for (const c of cli) {
    const v = view.find((x) => x.node.type === 'convoy' && x.node.convoy.id === c.id);
    assert.ok(v);
    assert.equal(v.item.label, c.title);
    assert.match(String(v.item.description), new RegExp(`^${c.completed}/${c.total} · ${c.id}`));
    const tracked = c.tracked ?? [];
    const kids = v.children.filter((k) => k.node.type === 'tracked');
    assert.deepEqual(kids.map((k) => (k.node.type === 'tracked' ? k.node.issue.id : '')).sort(), tracked.map((t) => t.id).sort(), `tracked issues of ${c.id}`);
    for (const t of tracked) {
      const k = kids.find((x) => x.node.type === 'tracked' && x.node.issue.id === t.id);
      assert.ok(k);
      assert.equal(k.item.label, t.title || t.id);
      const expected = [t.id, t.status, t.assignee ? `@${t.assignee}` : ''].filter((s) => s).join(' · ');
      assert.ok(String(k.item.description).startsWith(expected), `${t.id}: ${String(k.item.description)} vs ${expected}`);
      assert.deepEqual(k.item.command?.arguments, [t.id]);
    }
    if (tracked.length === 0) {
      assert.deepEqual(v.children.map((k) => k.node.type), ['untracked']);
    }
  }
}

describe('Convoys view', function () {
  this.timeout(240_000);

  after(async () => {
    await vscode.commands.executeCommand('gastown.convoys.hideClosed');
  });

  it('shows exactly what gt convoy list --json reports for the demo town, and a tracked issue opens its bead', async () => {
    const f = await loaded();
    const cli = gtList();
    // The demo town makes 2; a sling in an earlier suite adds its own convoy.
    assert.ok(cli.length >= 2, `the demo town has open convoys: ${cli.length}`);
    assertSameAsGt(await shown(), cli);
    // Progress in the description, a progress icon on each convoy.
    const ops = (await shown()).find((v) => v.item.label === 'Town ops week');
    assert.ok(ops && ops.item.iconPath instanceof vscode.ThemeIcon);
    assert.equal(f.view.description, `${cli.length} open`);
    await screenshot('convoys-view');

    const first = cli.flatMap((c) => c.tracked ?? [])[0];
    assert.ok(first, 'a demo convoy tracks a town bead');
    await vscode.commands.executeCommand(COMMANDS.beadsOpen, first.id);
    const details = (await api()).beads.details;
    await waitFor('the bead details tab', () => details.state({ cwd: townRoot(), id: first.id })?.shown === 'ok');
    assert.equal(details.state({ cwd: townRoot(), id: first.id })?.title, first.title);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('create, add, close and land through the extension change the real data', async () => {
    const f = await loaded();
    const a = hqBead('Convoy test A');
    const b = hqBead('Convoy test B');
    const name = `Made by the test ${Date.now()}`;
    const id = await vscode.commands.executeCommand<string>(COMMANDS.convoysCreate, undefined, undefined, { name, issues: [a], owned: false });
    assert.ok(id, 'create returned the new id');
    let st = gtStatus(id);
    assert.equal(st.title, name);
    assert.deepEqual((st.tracked ?? []).map((t) => t.id), [a]);
    // Our own write refreshes at once.
    assert.ok(f.tree.visibleConvoys().some((c) => c.id === id));

    assert.equal(await vscode.commands.executeCommand(COMMANDS.convoysAdd, id, undefined, { issues: [b] }), 1);
    st = gtStatus(id);
    assert.deepEqual((st.tracked ?? []).map((t) => t.id).sort(), [a, b].sort());
    assert.deepEqual(f.tree.visibleConvoys().find((c) => c.id === id)?.tracked.map((t) => t.id).sort(), [a, b].sort());

    // Two open issues: the extension closes with --force (the user answered "Close Anyway").
    assert.equal(await vscode.commands.executeCommand(COMMANDS.convoysClose, id, undefined, { confirmed: true, reason: 'closed by the test' }), true);
    assert.equal(gtStatus(id).status, 'closed');
    assert.ok(!f.tree.visibleConvoys().some((c) => c.id === id), 'a closed convoy leaves the default view');
    await vscode.commands.executeCommand(COMMANDS.convoysShowClosed);
    await waitFor('closed convoys shown', () => f.model?.resource.value?.all === true && f.model.resource.state.kind === 'ok');
    assertSameAsGt(await shown(), gtList(true));
    assert.ok((await shown()).some((v) => v.node.type === 'convoy' && v.node.convoy.id === id && /closed/.test(String(v.item.description))));
    await vscode.commands.executeCommand(COMMANDS.convoysHideClosed);
    await waitFor('closed convoys hidden', () => f.model?.resource.value?.all === false);

    // From the Beads view's multi-selection, owned; then landed.
    const beads = (await api()).beads;
    const hq = beads.view.all.find((d) => d.db.name === 'hq');
    assert.ok(hq);
    await hq.resource.refresh();
    const node = (bid: string): BeadsNode => ({ type: 'bead', db: hq, bead: hq.resource.value!.byId.get(bid)!, groupKey: 'status:open' });
    const owned = await vscode.commands.executeCommand<string>(COMMANDS.convoysCreate, node(a), [node(a), node(b)], { name: `${name} owned`, owned: true });
    assert.ok(owned);
    st = gtStatus(owned);
    assert.equal(st.owned, true);
    assert.deepEqual((st.tracked ?? []).map((t) => t.id).sort(), [a, b].sort());
    const item = (await shown()).find((v) => v.node.type === 'convoy' && v.node.convoy.id === owned);
    assert.equal(item?.item.contextValue, 'convoy:open:owned', 'Land is offered on owned convoys only');
    assert.equal(await vscode.commands.executeCommand(COMMANDS.convoysLand, owned, undefined, { confirmed: true }), true);
    assert.equal(gtStatus(owned).status, 'closed');
    assertSameAsGt(await shown(), gtList());
  });

  it('an outside change (bd close of a tracked issue) shows in the view with no user action', async () => {
    const f = await loaded();
    const convoy = gtList().find((c) => (c.tracked ?? []).some((t) => t.status === 'open') && c.completed + 1 < c.total);
    assert.ok(convoy, 'a demo convoy with an open tracked issue');
    const issue = (convoy.tracked ?? []).find((t) => t.status === 'open');
    assert.ok(issue);
    const before = f.tree.visibleConvoys().find((c) => c.id === convoy.id);
    assert.equal(before?.completed, convoy.completed);
    execFileSync('bd', ['close', issue.id, '--reason', 'outside'], { cwd: townRoot() });
    const t0 = Date.now();
    await waitFor('the view to count the closed issue', () => f.tree.visibleConvoys().find((c) => c.id === convoy.id)?.completed === convoy.completed + 1, 30_000);
    console.log(`outside bd close seen after ${Date.now() - t0} ms`);
    assertSameAsGt(await shown(), gtList());
  });

  it('hostile title text shows literally in the tree and tooltips', async () => {
    const f = await loaded();
    const title = 'Fix [link](http://example.com) ![img](http://example.com/i.png) $(alert) <script>alert(1)</script> `rm -rf /` $(touch /tmp/gt-pwned-convoy)';
    const bead = hqBead(title);
    const id = await vscode.commands.executeCommand<string>(COMMANDS.convoysCreate, undefined, undefined, { name: title, issues: [bead], owned: false });
    assert.ok(id);
    assert.equal(gtStatus(id).title, title, 'gt stored the title as typed');
    const v = (await shown()).find((x) => x.node.type === 'convoy' && x.node.convoy.id === id);
    assert.ok(v);
    const tracked = v.children.find((k) => k.node.type === 'tracked');
    assert.ok(tracked);
    for (const item of [v.item, tracked.item]) {
      assert.equal(item.label, title, 'the label is the title, as typed');
      const tip = item.tooltip as vscode.MarkdownString;
      assert.equal(tip.isTrusted, false);
      assert.ok(!tip.supportThemeIcons && !tip.supportHtml);
      assert.ok(!/(?<!\\)\[link\]/.test(tip.value) && !/(?<!\\)\$\(/.test(tip.value) && !/(?<!\\)<script/.test(tip.value), tip.value);
    }
    await f.view.reveal(v.node, { select: true, focus: false, expand: true });
    await screenshot('convoys-hostile');
    assert.ok(!fs.existsSync('/tmp/gt-pwned-convoy'), 'nothing ran');
  });

  describe('bad gt', () => {
    const config = () => vscode.workspace.getConfiguration('gastown');
    const fake = (script: string): string => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-fake-gt-'));
      const file = path.join(dir, 'gt');
      fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      return file;
    };
    /** No convoy row while the error shows: a stale figure must not pass for a current one. */
    const noStaleRows = async (): Promise<void> => assert.ok(!(await shown()).some((v) => v.node.type === 'convoy'), 'convoys shown next to an error');

    afterEach(async () => {
      await config().update('gtPath', undefined, vscode.ConfigurationTarget.Global);
      await config().update('convoys.readTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      const f = await feature();
      await f.refresh();
      await waitFor('the view to recover', () => f.model?.resource.state.kind === 'ok', 60_000);
    });

    it('gt missing: the welcome view with how to install, an empty tree, no spinner', async () => {
      const f = await loaded();
      await config().update('gtPath', '/nonexistent/gt', vscode.ConfigurationTarget.Global);
      await waitFor('gt reported missing', () => f.tree.blocked === 'gt-missing', 30_000);
      assert.deepEqual(f.tree.getChildren(), [], 'an empty tree lets the welcome view show');
      const manifest = vscode.extensions.getExtension('gastown-vscode.gastown-vscode')?.packageJSON as { contributes: { viewsWelcome: { view: string; contents: string; when?: string }[] } };
      const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === 'gastown.convoys' && /gt-missing/.test(w.when ?? ''));
      assert.ok(welcome && /Install it/.test(welcome.contents) && /gastown\.gtPath/.test(welcome.contents));
      await screenshot('convoys-gt-missing');
    });

    it('gt hanging past the timeout, then printing garbage: an error item with its fix, never the old list', async () => {
      const f = await loaded();
      assert.ok(f.tree.visibleConvoys().length > 0);
      await config().update('convoys.readTimeoutSeconds', 2, vscode.ConfigurationTarget.Global);
      await config().update('gtPath', fake('sleep 600'), vscode.ConfigurationTarget.Global);
      const err = await waitFor('a timeout error', () => {
        const s = f.model?.resource.state;
        return s?.kind === 'error' && s.error.message;
      }, 60_000);
      assert.match(err, /did not finish within 2 s/);
      const [first, fix] = f.tree.getChildren();
      assert.ok(first?.type === 'message' && first.kind === 'error', 'an error item, not a spinner');
      assert.ok(fix?.type === 'message' && fix.kind === 'fix' && /Dolt|timeout|retry/i.test(fix.text), 'the fix under it');
      await noStaleRows();
      await screenshot('convoys-gt-hanging');

      await config().update('gtPath', fake('echo "<<garbage>> not json"'), vscode.ConfigurationTarget.Global);
      const err2 = await waitFor('a bad-output error', () => {
        const s = f.model?.resource.state;
        return s?.kind === 'error' && /not JSON/.test(s.error.message) && s.error.message;
      }, 60_000);
      assert.match(err2, /garbage/);
      const [, fix2] = f.tree.getChildren();
      assert.ok(fix2?.type === 'message' && /gt version/.test(fix2.text));
      await noStaleRows();
    });
  });
});
