import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RoleHome } from '../../src/town/roles';
import { api, roleItems, screenshot, townRoot, waitFor } from './helpers';

// Literal text with quotes, substitutions and separators; one line (gt keeps only the first line of args).
const ARGS = `use "quotes"; $(echo no) \`echo no\` & keep it 'literal'`;

/** bd in the demo rig's folder: its database (<town>/demo/.beads) holds the rig's beads. */
function bd(args: string[]): string {
  return execFileSync('bd', args, { cwd: path.join(townRoot(), 'demo'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('Sling, and agents in gt tmux sessions', function () {
  this.timeout(300_000);
  let polecat: RoleHome | undefined;
  let bead = '';

  before(async () => {
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'auto', vscode.ConfigurationTarget.Global);
    // A bead of the rig's own database: gt slings a rig's beads to that rig (it refuses hq beads there).
    const prefix = (JSON.parse(process.env.GASTOWN_DEMO_SUMMARY ?? '{}') as { prefix?: string }).prefix;
    assert.ok(prefix, 'no rig prefix in GASTOWN_DEMO_SUMMARY');
    bead = bd(['create', 'Sling from VS Code', '-t', 'task', '-p', '2', '--silent']).trim();
    assert.ok(bead.startsWith(`${prefix}-`), `${bead} is not a bead of the demo rig (prefix ${prefix}-)`);
  });

  it('sling a rig bead to the rig with args: gt spawns a polecat, the bead shows the attachment, and Prime shows the args', async () => {
    const out = await vscode.commands.executeCommand<string>('gastown.slingWork', undefined, { bead, target: 'demo', args: ARGS });
    assert.ok(out, 'gt sling printed nothing');
    const name = /Slinging \S+ to demo\/polecats\/(\S+?)\.\.\./.exec(out)?.[1];
    assert.ok(name, `no polecat named in: ${out}`);
    const shown = JSON.parse(bd(['show', bead, '--json'])) as { status: string; assignee?: string; description?: string }[];
    assert.equal(shown[0].status, 'hooked');
    assert.equal(shown[0].assignee, `demo/polecats/${name}`);
    assert.ok(shown[0].description?.includes(`attached_args: ${ARGS}`), shown[0].description);

    const { store } = await api();
    polecat = await waitFor('the new polecat in the Town view', () => {
      store.reloadLayout(townRoot());
      return store.active?.layout.rigs.find((r) => r.name === 'demo')?.roles.find((r) => r.kind === 'polecat' && r.name === name);
    });
    await vscode.commands.executeCommand('gastown.primeRole', polecat.dir);
    const prime = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(prime, /ARGS/);
    assert.ok(prime.includes(ARGS), 'gt prime does not show the args');
    await screenshot('prime-with-args');
  });

  it('a sling to a target that does not exist is refused before gt runs', async () => {
    const out = await vscode.commands.executeCommand<string | undefined>('gastown.slingWork', undefined, { bead, target: 'nosuchrig', args: '' });
    assert.equal(out, undefined);
    const shown = JSON.parse(bd(['show', bead, '--json'])) as { status: string }[];
    assert.equal(shown[0].status, 'hooked', 'the bead changed');
  });

  it('lists the tmux session gt started, attaches a terminal to it, and gt nudge reaches the agent', async () => {
    assert.ok(polecat, 'the sling test did not run');
    const home = polecat;
    const { sessions } = await api();
    // No explicit refresh: the view is visible, and gt's start of the session (its event log, the new
    // polecat home) is what makes the tree ask gt for the status.
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    const item = await waitFor('the tmux agent in the tree', async () => {
      const items = await roleItems(home);
      return items.agent && /^tmux · detached/.test(String(items.agent.description)) ? items.agent : undefined;
    }, 60_000);
    assert.equal(item.label, 'testagent');
    await vscode.commands.executeCommand('gastown.attachAgent', home.dir);
    const session = sessions.get(home);
    assert.ok(session?.terminal, 'no terminal attached');
    assert.equal(session.host, 'tmux');
    assert.match(String((await roleItems(home)).agent?.description), /^tmux · ready/);
    const socket = sessions.socket(townRoot());
    // The terminal's process is a tmux client attached to gt's session: what the pane shows, the terminal shows.
    const pid = await session.terminal.processId;
    const clients = await waitFor('a tmux client on the session', () => {
      const out = execFileSync('tmux', ['-L', socket, 'list-clients', '-t', `=${session.plan.sessionName}`, '-F', '#{client_pid}'], { encoding: 'utf8' });
      return out.trim() ? out : undefined;
    });
    assert.ok(clients.split('\n').includes(String(pid)), `tmux clients ${clients} do not include the terminal's process ${pid}`);
    session.terminal.show();
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await new Promise((r) => setTimeout(r, 2500));
    await screenshot('tmux-attached');

    const capture = () => execFileSync('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-S', '-200', '-t', `=${session.plan.sessionName}:`], { encoding: 'utf8' });
    const text = `hello from VS Code "q" $(echo no)`;
    await vscode.commands.executeCommand('gastown.nudgeAgent', home.dir, text);
    // gt wraps a nudge in a notice ("QUEUED NUDGE … [from …] <text>"); the agent echoes each line it reads.
    await waitFor('the nudge in the tmux pane', () => capture().split('\n').some((l) => l.includes('echo: ') && l.includes(text)), 60_000);

    session.terminal.dispose();
    await waitFor('detach to leave the session running', async () => /^tmux · detached/.test(String((await roleItems(home)).agent?.description)));
    assert.equal(await session.isAlive(), true);
  });
});
