import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BeadsDatabase } from '../../src/model/beadsModel';
import type { BeadsNode } from '../../src/ui/views/beadsTree';
import { CliBead, api, screenshot, sleep, waitFor } from '../integration/helpers';

// A folder with `.beads/` and no Gas Town (test/beadsonly/project.mjs made it with the real bd on a Dolt server
// of its own): the Beads view works with bd alone, compared with what the real bd prints.

interface Project {
  folder: string;
  port: number;
  beads: { epic: string; children: string[]; bug: string; closed: string };
}

function project(): Project {
  const raw = process.env.GASTOWN_BEADSONLY;
  assert.ok(raw, 'GASTOWN_BEADSONLY is not set: run this suite through `node scripts/test.mjs beadsonly`');
  return JSON.parse(raw) as Project;
}

/** The workspace folder VS Code opened: the beads-only project. */
function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(f, 'no workspace folder');
  assert.equal(f, project().folder, 'the workspace is not the beads-only project');
  return f;
}

/** bd as a user would run it in a shell, in the project folder. */
function bd<T = CliBead[]>(args: string[]): T {
  const out = execFileSync('bd', args, { cwd: folder(), encoding: 'utf8', env: { ...process.env, BD_AGENT_MODE: '', CLAUDE_CODE: '' }, timeout: 120_000 });
  return JSON.parse(out.slice(out.search(/[[{]/))) as T;
}

const sorted = (ids: string[]): string[] => [...ids].sort();

async function feature() {
  return (await api()).beads;
}

async function loaded(): Promise<BeadsDatabase[]> {
  const f = await feature();
  await vscode.commands.executeCommand('workbench.view.extension.gastown');
  await vscode.commands.executeCommand('gastown.beads.focus');
  return waitFor('the beads database to load', () => f.view.all.length > 0 && f.view.all.every((d) => d.resource.state.kind === 'ok') && [...f.view.all], 90_000);
}

/** Every bead item of the tree as the user sees it (epic groups are headed by their epic), by id. */
async function visible(): Promise<Map<string, vscode.TreeItem>> {
  const tree = (await feature()).view.tree;
  const out = new Map<string, vscode.TreeItem>();
  const walk = (nodes: BeadsNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'group') {
        if (n.group.epic) {
          out.set(n.group.epic.id, tree.getTreeItem({ type: 'bead', db: n.db, bead: n.group.epic, groupKey: n.group.key }));
        }
        walk(tree.getChildren(n));
      } else if (n.type === 'bead') {
        out.set(n.bead.id, tree.getTreeItem(n));
      } else if (n.type === 'db') {
        walk(tree.getChildren(n));
      }
    }
  };
  walk(tree.getChildren());
  return out;
}

describe('Beads-only mode: a folder with .beads/ and no town; the Beads view works with bd alone', function () {
  this.timeout(180_000);

  it('no town: no GT_ROOT/GT_TOWN_ROOT, no town setting, no town above the folder, and no gt on PATH', async () => {
    const dir = folder();
    assert.ok(fs.existsSync(path.join(dir, '.beads', 'metadata.json')), `${dir} has no .beads`);
    assert.ok(!process.env.GT_ROOT && !process.env.GT_TOWN_ROOT, `the extension host names a town: GT_ROOT=${process.env.GT_ROOT} GT_TOWN_ROOT=${process.env.GT_TOWN_ROOT}`);
    assert.ok(!vscode.workspace.getConfiguration('gastown').get<string>('townRoot'), 'gastown.townRoot is set');
    for (let d = dir; ; d = path.dirname(d)) {
      assert.ok(!fs.existsSync(path.join(d, 'mayor')), `${d} has a mayor/ folder: the project is inside a town`);
      if (path.dirname(d) === d) break;
    }
    const onPath = (name: string): string | undefined => (process.env.PATH ?? '').split(path.delimiter).filter((p) => p).map((p) => path.join(p, name)).find((p) => fs.existsSync(p));
    assert.ok(onPath('bd'), 'bd is not on PATH');
    assert.equal(onPath('gt'), undefined, 'gt is on PATH: this suite proves bd alone is enough');
    assert.equal(onPath('dolt'), undefined, 'dolt is on PATH: this suite proves bd alone is enough');
    const { store } = await api();
    assert.equal(store.towns.length, 0, `a town was found: ${store.towns.map((t) => `${t.location.root} (${t.location.foundBy})`).join(', ')}`);
    assert.equal(store.active, undefined);
  });

  it('the Beads view has one database named after the folder, listing exactly the open beads bd list prints', async () => {
    const dir = folder();
    const dbs = await loaded();
    assert.deepEqual(dbs.map((d) => [d.db.name, d.db.cwd]), [[path.basename(dir), dir]]);
    assert.equal(dbs[0].db.townRoot, undefined);
    // Read with SQL on the folder's own Dolt server, found from its .beads/ alone (no town to give the port).
    assert.equal(dbs[0].resource.value?.via, 'Dolt SQL');
    const cli = bd(['list', '--json', '--limit', '0']);
    const shown = await visible();
    assert.deepEqual(sorted([...shown.keys()]), sorted(cli.map((b) => b.id)), 'the view and bd list differ');
    const { beads } = project();
    assert.deepEqual(sorted(cli.map((b) => b.id)), sorted([beads.epic, ...beads.children, beads.bug]), 'bd list: the project as made');
    assert.ok(!shown.has(beads.closed), 'the closed bead is hidden by default, as bd list hides it');
    for (const b of cli) {
      assert.equal(shown.get(b.id)?.label, b.title, `${b.id}: the label is the title`);
    }
    // Grouped by epic (the default): the epic heads its children.
    const tree = (await feature()).view.tree;
    const group = tree.getChildren().find((n) => n.type === 'group' && n.group.epic?.id === beads.epic);
    assert.ok(group, `no group for the epic ${beads.epic}`);
    assert.deepEqual(sorted(tree.getChildren(group).flatMap((n) => (n.type === 'bead' ? [n.bead.id] : []))), sorted(beads.children));
  });

  it('the capability probe: gt not needed (beads-only), bd ok, Dolt ok on the folder’s server; nothing blocks the view', async () => {
    const f = await feature();
    await loaded();
    const caps = await waitFor('the capability probe', () => f.capabilities.state.kind === 'ok' && f.capabilities.state.value, 60_000);
    assert.equal(caps.gt.state, 'missing');
    assert.match(caps.gt.state === 'missing' ? caps.gt.reason : '', /beads-only/);
    assert.deepEqual(caps.bd, { state: 'ok', version: '1.2.2' });
    assert.deepEqual(caps.dolt, { state: 'ok', host: '127.0.0.1', port: project().port });
    assert.equal(f.view.tree.blockedReason, undefined);
    assert.ok(f.view.tree.getChildren().length > 0);
  });

  it('a write through the extension: gastown.beads.create makes a bead bd shows, and the view shows it', async () => {
    const dir = folder();
    await loaded();
    const title = `Made in beads-only mode ${Date.now()}`;
    const id = await vscode.commands.executeCommand<string | undefined>('gastown.beads.create', undefined, { db: dir, title, type: 'task', priority: 2, parent: '', labels: [], description: '' });
    assert.ok(id && id.startsWith('solo-'), `created ${id}`);
    const shown = bd(['show', id, '--json'])[0];
    assert.equal(shown.id, id);
    assert.equal(shown.title, title);
    assert.equal(shown.issue_type, 'task');
    assert.equal(shown.priority, 2);
    assert.equal(shown.status, 'open');
    assert.ok((await visible()).has(id), 'our own write is in the view at once');
    const f = await feature();
    await waitFor('the new bead selected in the view', () => f.view.view.selection.some((n) => n.type === 'bead' && n.bead.id === id));
    // The workbench draws the revealed row a moment after the extension host knows it is selected.
    await sleep(2500);
    await screenshot('beads-only');
  });

  it('outside changes (bd create, bd close in a shell) show in the view with no user action', async () => {
    const dir = folder();
    await loaded();
    const id = execFileSync('bd', ['create', '--silent', '--', `Outside ${Date.now()}`], { cwd: dir, encoding: 'utf8' }).trim();
    assert.match(id, /^solo-/);
    const t0 = Date.now();
    await waitFor('the outside bead in the view', async () => (await visible()).has(id), 30_000);
    const seenCreate = Date.now() - t0;
    execFileSync('bd', ['close', id, '--reason', 'outside'], { cwd: dir });
    const t1 = Date.now();
    await waitFor('the closed bead to leave the view', async () => !(await visible()).has(id), 30_000);
    console.log(`outside create seen after ${seenCreate} ms, close after ${Date.now() - t1} ms`);
    assert.deepEqual(sorted([...(await visible()).keys()]), sorted(bd(['list', '--json', '--limit', '0']).map((b) => b.id)), 'the view and bd list differ');
  });
});
