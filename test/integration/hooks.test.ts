import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BEGIN_MARK } from '../../src/town/hooks/instructionsSection';
import { api, demoRoles, roleItems, screenshot, townRoot, waitFor } from './helpers';

type Settings = { hooks: Record<string, Array<{ matcher: string; hooks: Array<{ type: string; command: string }> }>> } & Record<string, unknown>;

// Boot is no role home of the Town view (gt starts it itself), so gt's boot target is not compared.
const TARGETS = ['mayor', 'deacon', 'demo/crew', 'demo/polecats', 'demo/witness', 'demo/refinery'];
const settingsFile = (target: string): string => path.join(townRoot(), target, '.claude', 'settings.json');
const read = (file: string): Settings => JSON.parse(fs.readFileSync(file, 'utf8')) as Settings;

describe('Self-priming agents: hook files', function () {
  this.timeout(120_000);

  it('Claude: for every role target, the hook set we write is the one gt writes (gt hooks sync), event by event and command by command', async () => {
    const root = townRoot();
    // gt's own writer, run now on this town: its output is the reference.
    const sync = execFileSync('gt', ['hooks', 'sync'], { cwd: root, encoding: 'utf8' });
    const reference = new Map(TARGETS.filter((t) => fs.existsSync(settingsFile(t))).map((t) => [t, read(settingsFile(t)).hooks]));
    assert.ok(reference.size >= 6, `gt hooks sync wrote too few targets:\n${sync}`);
    for (const t of reference.keys()) {
      fs.rmSync(settingsFile(t));
    }
    const result = await vscode.commands.executeCommand<Array<{ realPath: string; state: string }>>('gastown.installAgentHooks', { scope: 'town', agent: 'claude', confirm: false });
    assert.ok(result.length > 0 && result.every((f) => f.state === 'installed'), JSON.stringify(result.map((f) => [f.realPath, f.state])));
    for (const [t, hooks] of reference) {
      const ours = read(settingsFile(t));
      assert.deepEqual(ours.hooks, hooks, `${t}: our hooks differ from gt's`);
      assert.equal(fs.statSync(settingsFile(t)).mode & 0o777, 0o600, `${t} is written 0600 as gt writes it`);
    }
    // And gt agrees: a second sync finds nothing to change in the hooks it manages.
    const again = execFileSync('gt', ['hooks', 'sync', '--dry-run'], { cwd: root, encoding: 'utf8' });
    assert.doesNotMatch(again, /would update|updated/i, again);
  });

  for (const which of ['crew', 'polecat'] as const) {
    it(`the SessionStart command we wrote, run in the ${which}'s home with its environment, prints that role's gt prime context`, async () => {
      const roles = await demoRoles();
      const home = roles[which];
      const { sessions } = await api();
      const plan = sessions.plan(home, { override: 'claude' });
      const settings = path.join(townRoot(), 'demo', which === 'crew' ? 'crew' : 'polecats', '.claude', 'settings.json');
      const command = read(settings).hooks.SessionStart[0].hooks[0].command;
      // As Claude Code runs a hook: through a shell, with the hook's JSON on stdin.
      const out = execFileSync('/bin/sh', ['-c', command], {
        cwd: home.dir,
        env: { ...process.env, ...plan.env },
        input: JSON.stringify({ session_id: `hooks-test-${which}`, source: 'startup', hook_event_name: 'SessionStart' }),
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.match(out, new RegExp(`role:${plan.env.GT_ROLE.replace(/[/]/g, '\\/')}\\b`), out.slice(0, 400));
      assert.match(out, which === 'crew' ? /Crew Worker Context/ : /Polecat/i, out.slice(0, 400));
    });
  }

  it('before a native agent starts, its instructions file gets the prime section, and the clone stays clean', async () => {
    const roles = await demoRoles();
    const home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const agents = path.join(home.dir, 'AGENTS.md');
    fs.rmSync(agents, { force: true });
    const before = execFileSync('git', ['-C', home.dir, 'status', '--porcelain'], { encoding: 'utf8' });
    const { sessions, hooks } = await api();
    hooks.invalidate();
    const row = await roleItems(home);
    assert.match(String(row.role.description), /hooks missing/, 'the Town view says the hooks are missing');
    assert.match(String(row.role.contextValue), /:hooks-missing$/);
    await vscode.commands.executeCommand('gastown.startAgent', home.dir, { host: 'native' });
    const session = await waitFor('the session', () => sessions.get(home));
    assert.ok(fs.readFileSync(agents, 'utf8').includes(BEGIN_MARK), 'AGENTS.md has the prime section');
    assert.equal(execFileSync('git', ['-C', home.dir, 'status', '--porcelain'], { encoding: 'utf8' }), before, 'git status is as before');
    const after = await waitFor('the row to drop "hooks missing"', async () => {
      const r = await roleItems(home);
      return /hooks/.test(String(r.role.description ?? '')) ? undefined : r;
    });
    assert.match(String(after.role.contextValue), /:hooks-installed$/);
    await session.stop();
    // The resolved-agent document names the file and its state.
    await vscode.commands.executeCommand('gastown.showResolvedAgent', home.dir);
    const doc = await waitFor('the resolved-agent document', () => vscode.window.activeTextEditor?.document.getText().includes('## Self-priming') && vscode.window.activeTextEditor.document.getText());
    assert.ok(doc.includes(`- \`${agents}\`: installed`), doc.slice(doc.indexOf('## Self-priming'), doc.indexOf('## Self-priming') + 400));
  });

  it('Install Agent Hooks on the workspace folder writes each agent’s file, merged, and a second run changes nothing', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    const local = path.join(folder, '.claude', 'settings.local.json');
    fs.mkdirSync(path.dirname(local), { recursive: true });
    fs.writeFileSync(local, JSON.stringify({ permissions: { allow: ['Bash(ls)'] }, hooks: { Stop: [{ matcher: '', hooks: [{ type: 'command', command: 'echo mine' }] }] } }));
    const args = { scope: 'folder', folder, agents: ['claude', 'opencode', 'codex'], confirm: false };
    const first = await vscode.commands.executeCommand<Array<{ file: { path: string }; realPath: string; state: string }>>('gastown.installAgentHooks', args);
    // gt makes the town's AGENTS.md a symlink to CLAUDE.md: the section goes into the file it points at.
    const paths = first.map((f) => path.relative(folder, f.file.path)).sort();
    assert.deepEqual(paths, ['.claude/settings.local.json', '.opencode/plugins/gastown.js', 'AGENTS.md']);
    const merged = read(local);
    assert.deepEqual(merged.permissions, { allow: ['Bash(ls)'], defaultMode: 'bypassPermissions' });
    assert.ok(merged.hooks.Stop[0].hooks.some((h) => h.command === 'echo mine'), 'the user’s Stop hook is kept');
    assert.ok(merged.hooks.SessionStart[0].hooks[0].command.endsWith(' prime --hook'));
    const bytes = first.map((f) => fs.readFileSync(f.realPath, 'utf8'));
    await vscode.commands.executeCommand('gastown.installAgentHooks', args);
    assert.deepEqual(first.map((f) => fs.readFileSync(f.realPath, 'utf8')), bytes, 'byte-identical after a second install');
    const exclude = fs.readFileSync(path.join(folder, '.git', 'info', 'exclude'), 'utf8');
    assert.match(exclude, /^\/\.opencode\/$/m);
    await screenshot('hooks-folder-installed');
  });

  it('a malformed settings file is left as it is and the user is told which file and why', async () => {
    const roles = await demoRoles();
    const file = settingsFile('demo/witness');
    fs.writeFileSync(file, '{ "hooks": [ broken');
    const result = await vscode.commands.executeCommand<Array<{ state: string; reason?: string }>>('gastown.installAgentHooks', { scope: 'role', role: 'demo/witness', agent: 'claude', confirm: false });
    assert.equal(fs.readFileSync(file, 'utf8'), '{ "hooks": [ broken');
    assert.equal(result[0].state, 'blocked');
    assert.match(result[0].reason ?? '', /not valid JSON/);
    void roles;
    fs.rmSync(file);
  });

  it('Write Agent Wrapper Scripts writes an executable gt-<agent> that primes the role and then runs the agent', async () => {
    const dir = fs.mkdtempSync(path.join(townRoot(), '..', 'wrappers-'));
    const written = await vscode.commands.executeCommand<string[]>('gastown.writeAgentWrappers', dir, ['testagent']);
    assert.deepEqual(written, [path.join(dir, 'gt-testagent')]);
    assert.equal(fs.statSync(written[0]).mode & 0o777, 0o755);
    const text = fs.readFileSync(written[0], 'utf8');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.match(text, / prime 2>\/dev\/null \|\| true\n/);
    assert.match(text, /\nexec 'node' "\$@"\n$/, 'the preset’s command, with the arguments passed on');
  });
});
