import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, demoRoles, EXT_ID, screenshot, sleep, townRoot } from '../integration/helpers';

/** Folders Dolt and the gt daemon rewrite by themselves, whatever VS Code does. */
const SKIP = new Set(['.dolt-data', 'daemon']);

/** Every file and folder under the town (path → mtime and size), without following symlinks. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed while we walked
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && SKIP.has(e.name)) {
        continue;
      }
      try {
        const st = fs.lstatSync(p);
        out.set(path.relative(root, p), e.isDirectory() ? 'dir' : `${st.mtimeMs} ${st.size}`);
      } catch {
        continue;
      }
      if (e.isDirectory()) {
        walk(p);
      }
    }
  };
  walk(root);
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [p, v] of after) {
    if (!before.has(p)) {
      out.push(`+ ${p}`);
    } else if (before.get(p) !== v) {
      out.push(`~ ${p}`);
    }
  }
  for (const p of before.keys()) {
    if (!after.has(p)) {
      out.push(`- ${p}`);
    }
  }
  return out.sort();
}

describe('Untrusted workspace: nothing is spawned or written; the welcome view says why', () => {
  let files: Map<string, string>;
  let terminals: number;

  before(async () => {
    await api();
    files = snapshot(townRoot());
    terminals = vscode.window.terminals.length;
  });

  it('the workspace is untrusted (Restricted Mode) and the extension is active', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the harness should have opened the town untrusted');
    const { processStats, store } = await api();
    assert.equal(vscode.extensions.getExtension(EXT_ID)?.isActive, true);
    assert.equal(store.active?.location.root, townRoot(), 'the town layout is still read');
    assert.equal(processStats.spawned, 0, 'activation spawned a process');
    // What activation may have written before this suite's snapshot: anything newer than this extension host.
    const hostStart = Date.now() - process.uptime() * 1000;
    const newer = [...files].filter(([, v]) => v !== 'dir' && Number(v.split(' ')[0]) >= hostStart).map(([p]) => p);
    assert.deepEqual(newer, [], 'files in the town were written since the extension host started');
  });

  it('showing the views, refreshing and trying writes spawns no process, opens no terminal and writes no file', async () => {
    const { processStats, store } = await api();
    const { crew } = await demoRoles();
    const rig = store.active?.layout.rigs.find((r) => r.name === 'demo')?.dir;
    assert.ok(rig, 'no demo rig');
    assert.ok(fs.existsSync(path.join(rig, '.beads')), `${rig} has no .beads`);
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await vscode.commands.executeCommand('gastown.town.focus');
    await vscode.commands.executeCommand('gastown.beads.focus');
    // The work views too: Mail, Convoys and Activity, and their refreshes and writes.
    for (const view of ['gastown.mail', 'gastown.convoys', 'gastown.activity']) {
      await vscode.commands.executeCommand(`${view}.focus`);
    }
    await vscode.commands.executeCommand('gastown.mail.refresh');
    await vscode.commands.executeCommand('gastown.mail.newMessage', { to: 'mayor/', subject: 'x', body: 'y', priority: 2 });
    await vscode.commands.executeCommand('gastown.convoys.refresh');
    await vscode.commands.executeCommand('gastown.escalations.refresh');
    await sleep(1500);
    await vscode.commands.executeCommand('gastown.refresh');
    await vscode.commands.executeCommand('gastown.beads.refresh');
    const created = await vscode.commands.executeCommand('gastown.beads.create', undefined, { db: rig, title: 'x', type: 'task', priority: 2, parent: '', labels: [], description: '' });
    assert.equal(created, undefined, 'a bead was created');
    await vscode.commands.executeCommand('gastown.startAgent', crew.dir);
    await vscode.commands.executeCommand('gastown.stopAgent', crew.dir, { confirm: false });
    await vscode.commands.executeCommand('gastown.restartAgent', crew.dir, { confirm: false });
    // Agent hooks: no install, for the folder or the town, and no wrapper scripts.
    await vscode.commands.executeCommand('gastown.installAgentHooks', { scope: 'folder', folder: townRoot(), agents: ['claude', 'opencode', 'codex'], confirm: false });
    await vscode.commands.executeCommand('gastown.installAgentHooks', { scope: 'town', confirm: false });
    await vscode.commands.executeCommand('gastown.writeAgentWrappers', path.join(townRoot(), 'settings'), ['claude']);
    await sleep(4000);
    assert.equal(processStats.spawned, 0, 'a process was spawned');
    assert.equal(vscode.window.terminals.length, terminals, `a terminal was opened: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
    assert.deepEqual(changes(files, snapshot(townRoot())), [], 'files in the town changed');
  });

  it('the Beads view is empty, so its welcome view shows and says the workspace is not trusted', async () => {
    const { beads } = await api();
    await vscode.commands.executeCommand('gastown.beads.focus');
    assert.ok(beads.view.all.length > 0, 'no beads database found (gastown.beadsFound would be false)');
    assert.equal(beads.view.view.visible, true, 'the Beads view is not showing');
    assert.deepEqual(beads.view.tree.getChildren(), []);
    assert.equal(beads.view.tree.blockedReason, 'untrusted');
    const manifest = vscode.extensions.getExtension(EXT_ID)?.packageJSON as { contributes: { viewsWelcome: { view: string; contents: string; when?: string }[] } };
    const welcome = manifest.contributes.viewsWelcome.find((w) => w.view === 'gastown.beads' && /!isWorkspaceTrusted/.test(w.when ?? ''));
    assert.ok(welcome, 'no welcome view for gastown.beads when the workspace is not trusted');
    assert.match(welcome.when ?? '', /gastown\.beadsFound/);
    assert.match(welcome.contents, /not trusted/);
    assert.match(welcome.contents, /command:workbench\.trust\.manage/);
    await screenshot('beads-untrusted');
    const { processStats } = await api();
    assert.equal(processStats.spawned, 0, 'a process was spawned');
  });
});
