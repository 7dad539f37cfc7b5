import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BeadsDatabase } from '../../src/model/beadsModel';
import type { BeadsNode } from '../../src/ui/views/beadsTree';
import { api, capturingMessages, CliBead, screenshot, sleep, townRoot, waitFor } from './helpers';

// The Beads view against the demo town's real databases, compared with what the real bd prints.

/** bd as a user would run it in a shell, in the database's folder. */
function bd<T = CliBead[]>(cwd: string, args: string[]): T {
  const out = execFileSync('bd', args, { cwd, encoding: 'utf8', env: { ...process.env, BD_AGENT_MODE: '', CLAUDE_CODE: '' }, timeout: 120_000 });
  return JSON.parse(out.slice(out.search(/[[{]/))) as T;
}

/** Work beads as the view defines them, spelled out here from bd's own fields (not with the extension's code). */
function work(list: CliBead[]): CliBead[] {
  const infraLabels = ['gt:message', 'gt:escalation', 'gt:agent', 'gt:rig', 'gt:role', 'gt:convoy', 'gt:molecule'];
  const infraTypes = ['agent', 'rig', 'role', 'message', 'convoy', 'molecule', 'gate', 'event', 'slot'];
  return list.filter((b) => !infraTypes.includes(b.issue_type ?? '') && !b.ephemeral && !/-wisp-/.test(b.id) && !(b.labels ?? []).some((l) => infraLabels.includes(l)));
}

const ids = (list: { id: string }[]): string[] => list.map((b) => b.id).sort();

async function feature() {
  return (await api()).beads;
}

async function showBeadsView(): Promise<void> {
  await vscode.commands.executeCommand('workbench.view.extension.gastown');
  await vscode.commands.executeCommand('gastown.beads.focus');
}

async function loaded(): Promise<BeadsDatabase[]> {
  const f = await feature();
  await showBeadsView();
  return waitFor(
    'every beads database to load',
    () => {
      const all = f.view.all;
      return all.length > 0 && all.every((d) => d.resource.state.kind === 'ok') && [...all];
    },
    90_000,
  );
}

async function db(name: string): Promise<BeadsDatabase> {
  const found = (await loaded()).find((d) => d.db.name === name);
  assert.ok(found, `no database ${name}`);
  return found;
}

/** The tree the user sees for a database, flattened: group labels and bead items. */
async function visible(d: BeadsDatabase): Promise<{ groups: string[]; beads: vscode.TreeItem[] }> {
  const tree = (await feature()).view.tree;
  const roots = tree.getChildren();
  const top = roots.length > 0 && roots[0].type === 'db' ? tree.getChildren(roots.find((n) => n.type === 'db' && n.db === d)) : roots;
  const groups: string[] = [];
  const beads: vscode.TreeItem[] = [];
  for (const g of top) {
    if (g.type !== 'group') continue;
    groups.push(tree.getTreeItem(g).label as string);
    if (g.group.epic) beads.push(tree.getTreeItem({ type: 'bead', db: d, bead: g.group.epic, groupKey: g.group.key }));
    for (const n of tree.getChildren(g)) {
      if (n.type === 'bead') beads.push(tree.getTreeItem(n));
    }
  }
  return { groups, beads };
}

const beadIdOf = (item: vscode.TreeItem): string => String(item.id).split('|').pop() ?? '';

async function setFilter(given: Record<string, string | boolean>): Promise<void> {
  await vscode.commands.executeCommand('gastown.beads.clearFilter');
  await vscode.commands.executeCommand('gastown.beads.filter', given);
  const f = await feature();
  await waitFor('the filter data', () => f.view.all.every((d) => d.resource.state.kind === 'ok' && (!given.ready || d.resource.value?.ready) && (!given.blocked || d.resource.value?.blocked)));
}

describe('Beads view', function () {
  this.timeout(240_000);

  after(async () => {
    await vscode.commands.executeCommand('gastown.beads.clearFilter');
    await vscode.workspace.getConfiguration('gastown').update('beads.defaultGrouping', undefined, vscode.ConfigurationTarget.Global);
  });

  it('one section per database of the town (hq and the rig), each listing exactly the open work beads bd lists', async () => {
    const dbs = await loaded();
    assert.deepEqual(dbs.map((d) => d.db.name).sort(), ['demo', 'hq']);
    // On a town's Dolt server the list is read with SQL (bd list takes tens of seconds at 10,000 beads); the
    // comparison below with the real bd is what proves the two agree.
    assert.deepEqual(dbs.map((d) => d.resource.value?.via), ['Dolt SQL', 'Dolt SQL']);
    await vscode.commands.executeCommand('gastown.beads.groupBy', 'status');
    for (const d of dbs) {
      const cli = work(bd(d.db.cwd, ['list', '--json', '--limit', '0']));
      // The view is live: a bead an earlier suite's agent made a moment ago may still be on its way.
      await waitFor(`${d.db.name}: the view to list what bd lists`, async () => JSON.stringify((await visible(d)).beads.map(beadIdOf).sort()) === JSON.stringify(ids(cli)), 15_000).catch(() => undefined);
      const shown = await visible(d);
      assert.deepEqual(shown.beads.map(beadIdOf).sort(), ids(cli), `${d.db.name}: the view and bd list differ`);
      // Grouped by status: one group per status bd reports, with its count.
      const statuses = [...new Set(cli.map((b) => b.status))];
      assert.equal(shown.groups.length, statuses.length, `${d.db.name} groups ${shown.groups.join(',')} vs ${statuses.join(',')}`);
    }
    const rig = await db('demo');
    const cli = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0']));
    // Each item: the title as label, the id, assignee and age as description, an icon.
    const one = cli.find((b) => b.assignee);
    assert.ok(one, 'the demo rig has an assigned bead');
    const item = (await visible(rig)).beads.find((i) => beadIdOf(i) === one.id);
    assert.ok(item);
    assert.equal(item.label, one.title);
    assert.match(String(item.description), new RegExp(`^${one.id} · @${one.assignee} · \\d+[smhd]`));
    assert.ok(item.iconPath instanceof vscode.ThemeIcon);
    await screenshot('beads-by-status');
  });

  it('epic grouping: each epic heads its children as bd show reports them; the rest by status', async () => {
    await vscode.commands.executeCommand('gastown.beads.groupBy', 'epic');
    const rig = await db('demo');
    const tree = (await feature()).view.tree;
    const epics = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--type', 'epic']));
    assert.ok(epics.length > 0, 'the demo rig has epics');
    const top = tree.getChildren(tree.getChildren().find((n) => n.type === 'db' && n.db === rig));
    for (const e of epics) {
      const group = top.find((n) => n.type === 'group' && n.group.epic?.id === e.id);
      assert.ok(group, `no group for epic ${e.id}`);
      const children = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--parent', e.id]));
      assert.deepEqual(ids(tree.getChildren(group).filter((n): n is Extract<BeadsNode, { type: 'bead' }> => n.type === 'bead').map((n) => n.bead)), ids(children), `children of ${e.id}`);
    }
    await screenshot('beads-by-epic');
  });

  it('filters: ready, blocked, assigned to me, label, text and closed show what bd says', async () => {
    const rig = await db('demo');
    await vscode.commands.executeCommand('gastown.beads.groupBy', 'status');

    await setFilter({ ready: true });
    assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['ready', '--json', '--limit', '0']))), 'ready');
    assert.match(String((await feature()).view.view.description), /ready/);

    await setFilter({ blocked: true });
    assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['blocked', '--json']))), 'blocked');

    const someone = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0'])).find((b) => b.assignee)?.assignee;
    assert.ok(someone);
    await vscode.workspace.getConfiguration('gastown').update('overseer', someone, vscode.ConfigurationTarget.Global);
    try {
      await setFilter({ mine: true });
      assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--assignee', someone]))), 'assigned to me');
    } finally {
      await vscode.workspace.getConfiguration('gastown').update('overseer', undefined, vscode.ConfigurationTarget.Global);
    }

    await setFilter({ label: 'ui' });
    assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--label', 'ui']))), 'label');

    await setFilter({ text: 'search' });
    assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--title-contains', 'search']))), 'text');

    await setFilter({ closed: true });
    assert.deepEqual(ids((await visible(rig)).beads.map((i) => ({ id: beadIdOf(i) }))), ids(work(bd(rig.db.cwd, ['list', '--json', '--limit', '0', '--all']))), 'closed shown');
    await setFilter({ label: 'ui' });
    await screenshot('beads-filtered');
    await vscode.commands.executeCommand('gastown.beads.clearFilter');
    assert.equal((await feature()).view.tree.filter.label, undefined);
  });

  it('create, update, claim, comment, dependency, close and reopen through the extension change the real data', async () => {
    const rig = await db('demo');
    const title = `Made by the test ${Date.now()}`;
    const id = (await vscode.commands.executeCommand<string>('gastown.beads.create', undefined, { db: rig.db.cwd, title, type: 'bug', priority: 1, parent: '', labels: ['test', 'ext'], description: 'Made **here**' }));
    assert.ok(id?.startsWith(`${rig.db.prefix}-`), `created ${id}`);
    let shown = bd(rig.db.cwd, ['show', id, '--json'])[0];
    assert.equal(shown.title, title);
    assert.equal(shown.issue_type, 'bug');
    assert.equal(shown.priority, 1);
    assert.deepEqual([...(shown.labels ?? [])].sort(), ['ext', 'test']);
    // The new bead is revealed: in the tree at once, selected.
    await waitFor('the new bead selected in the view', async () => (await feature()).view.view.selection.some((n) => n.type === 'bead' && n.bead.id === id));

    const ref = { cwd: rig.db.cwd, id };
    await vscode.commands.executeCommand('gastown.beads.setStatus', ref, undefined, 'blocked');
    await vscode.commands.executeCommand('gastown.beads.setPriority', ref, undefined, 3);
    await vscode.commands.executeCommand('gastown.beads.setAssignee', ref, undefined, 'carol');
    shown = bd(rig.db.cwd, ['show', id, '--json'])[0];
    assert.equal(shown.status, 'blocked');
    assert.equal(shown.priority, 3);
    assert.equal(shown.assignee, 'carol');
    // Our own write refreshes the list at once (no waiting for a file signal).
    assert.equal(rig.resource.value?.byId.get(id)?.assignee, 'carol');

    await vscode.commands.executeCommand('gastown.beads.setAssignee', ref, undefined, '');
    // bd >= 1.2 claims only open beads ("not claimable: status blocked").
    await vscode.commands.executeCommand('gastown.beads.setStatus', ref, undefined, 'open');
    await vscode.commands.executeCommand('gastown.beads.claim', ref);
    shown = bd(rig.db.cwd, ['show', id, '--json'])[0];
    assert.equal(shown.status, 'in_progress');
    assert.ok(shown.assignee, 'claimed beads have an assignee');

    await vscode.commands.executeCommand('gastown.beads.editLabels', ref, { add: ['later'], remove: ['ext'] });
    await vscode.commands.executeCommand('gastown.beads.comment', ref, '-- a comment with $(touch /tmp/gt-comment) and `code`');
    const other = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0'])).find((b) => b.id !== id)!.id;
    await vscode.commands.executeCommand('gastown.beads.addDependency', ref, other);
    // bd >= 1.2 prints comments only with --include-comments (comment_count otherwise).
    shown = bd(rig.db.cwd, ['show', id, '--json', '--include-comments'])[0];
    assert.deepEqual([...(shown.labels ?? [])].sort(), ['later', 'test']);
    assert.equal(shown.comments?.[0]?.text, '-- a comment with $(touch /tmp/gt-comment) and `code`');
    assert.ok(!fs.existsSync('/tmp/gt-comment'));
    // The details tab lists the comment (bd ≥ 1.2 needs `bd comments --json` for it).
    await vscode.commands.executeCommand('gastown.beads.openBead', ref);
    const panels = (await feature()).details;
    await waitFor('the details tab with its comment', () => panels.state(ref)?.comments === 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.ok((shown.dependencies ?? []).some((d) => d.id === other || d.depends_on_id === other), `dependency on ${other}: ${JSON.stringify(shown.dependencies)}`);
    await vscode.commands.executeCommand('gastown.beads.removeDependency', ref, other);
    shown = bd(rig.db.cwd, ['show', id, '--json'])[0];
    assert.ok(!(shown.dependencies ?? []).some((d) => d.id === other || d.depends_on_id === other));

    await vscode.commands.executeCommand('gastown.beads.close', ref, undefined, { reason: 'Done by the test', confirmed: true });
    shown = bd(rig.db.cwd, ['show', id, '--json'])[0];
    assert.equal(shown.status, 'closed');
    assert.equal(shown.close_reason, 'Done by the test');
    assert.ok(!(await visible(rig)).beads.some((i) => beadIdOf(i) === id), 'a closed bead leaves the default view');
    await vscode.commands.executeCommand('gastown.beads.reopen', ref);
    assert.equal(bd(rig.db.cwd, ['show', id, '--json'])[0].status, 'open');
  });

  it('multi-select: close and status change several beads at once', async () => {
    const rig = await db('demo');
    const a = execFileSync('bd', ['create', '--silent', '--', 'multi a'], { cwd: rig.db.cwd, encoding: 'utf8' }).trim();
    const b = execFileSync('bd', ['create', '--silent', '--', 'multi b'], { cwd: rig.db.cwd, encoding: 'utf8' }).trim();
    await rig.resource.refresh();
    const node = (id: string): BeadsNode => ({ type: 'bead', db: rig, bead: rig.resource.value!.byId.get(id)!, groupKey: 'status:open' });
    await vscode.commands.executeCommand('gastown.beads.setStatus', node(a), [node(a), node(b)], 'deferred');
    assert.deepEqual([a, b].map((id) => bd(rig.db.cwd, ['show', id, '--json'])[0].status), ['deferred', 'deferred']);
    await vscode.commands.executeCommand('gastown.beads.close', node(a), [node(a), node(b)], { reason: 'batch', confirmed: true });
    assert.deepEqual([a, b].map((id) => bd(rig.db.cwd, ['show', id, '--json'])[0].status), ['closed', 'closed']);
  });

  it('a write bd refuses shows bd’s own message', async () => {
    const rig = await db('demo');
    const errors = await capturingMessages('showErrorMessage', async () => {
      await vscode.commands.executeCommand('gastown.beads.addDependency', { cwd: rig.db.cwd, id: `${rig.db.prefix}-doesnotexist` }, `${rig.db.prefix}-neither`);
    });
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /bd said: .*(not found|no issue|does not exist)/i);
  });

  it('outside changes (bd create, bd close in a shell) show in the view with no user action', async () => {
    const rig = await db('demo');
    await vscode.commands.executeCommand('gastown.beads.clearFilter');
    const title = `Outside ${Date.now()}`;
    const id = execFileSync('bd', ['create', '--silent', '--', title], { cwd: rig.db.cwd, encoding: 'utf8' }).trim();
    const t0 = Date.now();
    await waitFor('the outside bead in the view', async () => (await visible(rig)).beads.some((i) => beadIdOf(i) === id), 30_000);
    const seenCreate = Date.now() - t0;
    execFileSync('bd', ['close', id, '--reason', 'outside'], { cwd: rig.db.cwd });
    const t1 = Date.now();
    await waitFor('the closed bead to leave the view', async () => !(await visible(rig)).beads.some((i) => beadIdOf(i) === id), 30_000);
    console.log(`outside create seen after ${seenCreate} ms, close after ${Date.now() - t1} ms`);
  });

  it('hostile text: the tree, tooltip and details tab show it literally and nothing runs', async () => {
    const rig = await db('demo');
    const title = 'Fix [link](http://example.com) ![img](http://example.com/i.png) $(alert) <script>alert(1)</script> `rm -rf /` $(touch /tmp/gt-pwned)';
    const hostile = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0'])).find((b) => b.title === title);
    assert.ok(hostile, 'the demo town has the hostile bead');
    await vscode.commands.executeCommand('gastown.beads.clearFilter');
    const item = (await visible(rig)).beads.find((i) => beadIdOf(i) === hostile.id);
    assert.ok(item);
    assert.equal(item.label, title, 'the label is the title, as typed');
    const tip = item.tooltip as vscode.MarkdownString;
    assert.equal(tip.isTrusted, false);
    assert.ok(!tip.supportThemeIcons && !tip.supportHtml);
    assert.ok(!/(?<!\\)\[link\]/.test(tip.value) && !/(?<!\\)\$\(/.test(tip.value) && !/(?<!\\)<script/.test(tip.value), tip.value);
    await vscode.commands.executeCommand('gastown.beads.openBead', { cwd: rig.db.cwd, id: hostile.id });
    const f = await feature();
    await waitFor('the details tab', () => f.details.state({ cwd: rig.db.cwd, id: hostile.id })?.shown === 'ok');
    assert.equal(f.details.state({ cwd: rig.db.cwd, id: hostile.id })?.title, title);
    await screenshot('bead-details-hostile');
    assert.ok(!fs.existsSync('/tmp/gt-pwned') && !fs.existsSync('/tmp/gt-pwned2'), 'nothing ran');
  });

  it('the details tab follows outside changes, and says so when the bead is gone', async () => {
    const rig = await db('demo');
    const id = execFileSync('bd', ['create', '--silent', '--', 'Details follow'], { cwd: rig.db.cwd, encoding: 'utf8' }).trim();
    const f = await feature();
    await vscode.commands.executeCommand('gastown.beads.openBead', { cwd: rig.db.cwd, id });
    await waitFor('the tab', () => f.details.state({ cwd: rig.db.cwd, id })?.shown === 'ok');
    execFileSync('bd', ['update', id, '--status', 'in_progress'], { cwd: rig.db.cwd });
    await waitFor('the tab to show the new status', () => f.details.state({ cwd: rig.db.cwd, id })?.status === 'in_progress', 30_000);
    execFileSync('bd', ['delete', id, '--force'], { cwd: rig.db.cwd });
    await waitFor('the tab to say the bead is gone', () => f.details.state({ cwd: rig.db.cwd, id })?.shown === 'missing', 30_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  describe('bad bd, no Dolt', () => {
    const config = () => vscode.workspace.getConfiguration('gastown');
    const fake = (name: string, script: string): string => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-fake-bd-'));
      const file = path.join(dir, name);
      fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
      return file;
    };
    afterEach(async () => {
      await config().update('bdPath', undefined, vscode.ConfigurationTarget.Global);
      await config().update('beads.readTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
      await config().update('beads.sqlReads', undefined, vscode.ConfigurationTarget.Global);
      const f = await feature();
      await waitFor('the view to recover', () => f.view.all.length > 0 && f.view.all.every((d) => d.resource.state.kind === 'ok'), 90_000);
    });

    it('bd missing: the capability probe says so (the welcome view with how to install), and nothing spins', async () => {
      const f = await feature();
      await showBeadsView();
      await config().update('bdPath', '/nonexistent/bd', vscode.ConfigurationTarget.Global);
      await waitFor('bd reported missing', () => {
        const s = f.capabilities.state;
        return s.kind === 'ok' && s.value.bd.state === 'missing';
      });
      assert.deepEqual(f.view.tree.getChildren(), [], 'an empty tree lets the welcome view show');
      await screenshot('beads-bd-missing');
    });

    it('bd hanging past the timeout, and bd printing garbage: an error item with the cause', async () => {
      const f = await feature();
      await showBeadsView();
      // The list is read with SQL on a town's Dolt server; bd's CLI is the path that can hang, so use it.
      await config().update('beads.sqlReads', 'off', vscode.ConfigurationTarget.Global);
      const hang = fake('bd', `case "$1" in version) echo "bd version 1.2.2";; *) sleep 600;; esac`);
      await config().update('beads.readTimeoutSeconds', 2, vscode.ConfigurationTarget.Global);
      await config().update('bdPath', hang, vscode.ConfigurationTarget.Global);
      const err = await waitFor('a timeout error', () => {
        const d = f.view.all[0];
        const s = d?.resource.state;
        return s?.kind === 'error' && s.error.message;
      }, 60_000);
      assert.match(err, /did not finish within 2 s/);
      const nodes = f.view.tree.getChildren();
      const msg = nodes.find((n) => n.type === 'message') ?? f.view.tree.getChildren(nodes[0]).find((n) => n.type === 'message');
      assert.ok(msg && msg.type === 'message' && msg.kind === 'error', 'an error item, not a spinner');
      const garbage = fake('bd', `case "$1" in version) echo "bd version 1.2.2";; *) echo "<<garbage>> not json";; esac`);
      await config().update('bdPath', garbage, vscode.ConfigurationTarget.Global);
      const err2 = await waitFor('a bad-output error', () => {
        const s = f.view.all[0]?.resource.state;
        return s?.kind === 'error' && /not JSON/.test(s.error.message) && s.error.message;
      }, 60_000);
      assert.match(err2, /garbage/);
    });

    it('Dolt stopped: the view says so with a Start button; Dolt restarted: it recovers by itself', async () => {
      const f = await feature();
      await showBeadsView();
      execFileSync('gt', ['dolt', 'stop'], { cwd: townRoot(), timeout: 60_000 });
      try {
        await waitFor('Dolt reported down', () => {
          void f.refresh();
          const s = f.capabilities.state;
          return s.kind === 'ok' && s.value.dolt.state === 'down';
        }, 60_000);
        await sleep(500);
        assert.deepEqual(f.view.tree.getChildren(), []);
        await screenshot('beads-dolt-down');
        // Waiting for Dolt to come back is a TCP connect every 2 s, not the version probe's processes.
        const { processStats } = await api();
        const spawned = processStats.spawned;
        await sleep(6500);
        assert.equal(processStats.spawned - spawned, 0, 'processes spawned while waiting for Dolt');
      } finally {
        execFileSync('gt', ['dolt', 'start'], { cwd: townRoot(), timeout: 120_000 });
      }
      // No refresh from here: the view must notice by itself.
      await waitFor('the view to recover by itself', () => f.view.all.length > 0 && f.view.all.every((d) => d.resource.state.kind === 'ok'), 90_000);
    });
  });

  it('reveal: a bead from the details tab is revealed in the tree (stable ids, getParent)', async () => {
    const rig = await db('demo');
    const target = work(bd(rig.db.cwd, ['list', '--json', '--limit', '0'])).find((b) => b.parent);
    assert.ok(target);
    await vscode.commands.executeCommand('gastown.beads.reveal', { cwd: rig.db.cwd, id: target.id });
    const f = await feature();
    await waitFor('the bead selected', () => f.view.view.selection.some((n) => n.type === 'bead' && n.bead.id === target.id));
  });
});
