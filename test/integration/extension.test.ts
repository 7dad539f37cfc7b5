import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXT_ID, screenshot, sleep, townRoot, waitFor } from './helpers';

describe('Gas Town extension in a real VS Code', () => {
  it('activates in the demo town', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext);
    await api();
    assert.equal(ext.isActive, true);
  });

  it('the Town view data lists the demo rig and its role homes', async () => {
    const { store } = await api();
    const town = store.active;
    assert.ok(town, 'no town found');
    assert.equal(town.location.root, townRoot());
    const rigs = town.layout.rigs.map((r) => r.name);
    assert.ok(rigs.includes('demo'), `rigs: ${rigs.join(',')}`);
    const demo = town.layout.rigs.find((r) => r.name === 'demo');
    const kinds = new Set(demo?.roles.map((r) => r.kind));
    for (const k of ['witness', 'refinery', 'crew', 'polecat']) {
      assert.ok(kinds.has(k as never), `demo has no ${k} home: ${[...kinds].join(',')}`);
    }
    for (const r of demo?.roles ?? []) {
      assert.ok(fs.existsSync(r.dir) || r.kind === 'refinery' || r.kind === 'polecat', `${r.dir} missing`);
    }
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await screenshot('town-view');
  });

  it('a malformed rig agents.json gets a diagnostic at the right line, and resolution keeps working', async () => {
    const file = path.join(townRoot(), 'demo', 'settings', 'agents.json');
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{\n  "version": 1,\n  "agents": {\n    "testagent": { "args": "not-a-list" }\n  }\n}\n');
    try {
      const uri = vscode.Uri.file(file);
      const diag = await waitFor('a diagnostic on the file', () => vscode.languages.getDiagnostics(uri).find((d) => d.source === 'Gas Town'));
      assert.equal(diag.severity, vscode.DiagnosticSeverity.Error);
      assert.equal(diag.range.start.line, 3);
      assert.match(diag.message, /agents\.testagent\.args/);
      const { store } = await api();
      const crew = store.active?.layout.rigs.find((r) => r.name === 'demo')?.roles.find((r) => r.kind === 'crew');
      assert.ok(crew);
      await vscode.commands.executeCommand('gastown.showResolvedAgent', crew.dir);
      assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /→ testagent/);
    } finally {
      if (before === undefined) {
        fs.rmSync(file);
      } else {
        fs.writeFileSync(file, before);
      }
    }
    await waitFor('the diagnostic to clear', () => vscode.languages.getDiagnostics(vscode.Uri.file(file)).length === 0);
  });

  it('idle cost: with the Gas Town views hidden, terminal events spawn no process; showing the view refreshes once', async () => {
    const { processStats } = await api();
    await vscode.commands.executeCommand('workbench.view.explorer');
    await sleep(1500);
    const before = processStats.spawned;
    const t = vscode.window.createTerminal({ name: 'plain' });
    await sleep(500);
    t.dispose();
    await sleep(2500);
    assert.equal(processStats.spawned, before, 'a process was spawned while the views were hidden');
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await waitFor('the status refresh once the view shows', () => processStats.spawned > before);
  });

  it('every contributed command is registered, and every registered gastown command is contributed', async () => {
    const { commandIds } = await api();
    const manifest = vscode.extensions.getExtension(EXT_ID)?.packageJSON as { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> } };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    // VS Code adds <view id>.focus, .open and the like for every view: those are not ours to contribute (and
    // none of ours may take such an id: it would replace VS Code's own).
    const viewIds = Object.values(manifest.contributes.views).flat().map((v) => v.id);
    const viewCommand = { test: (c: string): boolean => viewIds.some((v) => ['focus', 'open', 'resetViewLocation', 'toggleVisibility', 'removeView'].some((verb) => c === `${v}.${verb}`)) };
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('gastown.') && !viewCommand.test(c));
    assert.deepEqual([...new Set(registered)].sort(), contributed);
    assert.deepEqual([...commandIds].sort(), contributed);
  });

  async function resolvedReport(roleDir: string): Promise<string> {
    await vscode.commands.executeCommand('gastown.showResolvedAgent', roleDir);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no editor opened');
    assert.equal(editor.document.uri.scheme, 'gastown');
    return editor.document.getText();
  }

  it('Show Resolved Agent: the test agent for the roles configured to use it', async () => {
    const { store } = await api();
    const demo = store.active?.layout.rigs.find((r) => r.name === 'demo');
    const crew = demo?.roles.find((r) => r.kind === 'crew');
    assert.ok(crew, 'no crew member in the demo rig');
    const text = await resolvedReport(crew.dir);
    assert.match(text, /→ testagent/);
    assert.match(text, /town's `role_agents` names an agent for this role \(`role_agents\.crew`\)/);
    assert.match(text, new RegExp(`GT_ROLE=demo/crew/${crew.name}`));
    assert.match(text, /test-agent\.mjs/);
    await screenshot('resolved-agent-crew');
  });

  it('Show Resolved Agent: claude for the roles left on the default', async () => {
    const text = await resolvedReport(path.join(townRoot(), 'deacon'));
    assert.match(text, /# deacon → claude/);
    assert.match(text, /"claude",\s+"--dangerously-skip-permissions"/);
  });
});
