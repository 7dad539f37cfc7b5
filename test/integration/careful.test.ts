import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RoleHome } from '../../src/town/roles';
import { api, capturingMessages, crewAgentVariant, demoRoles, roleItems, sleep, waitFor } from './helpers';

/** Careful actions on agents gt runs in tmux: Resume keeps the host, a refused stop keeps the agent, Cancel ends gt's wait. */
describe('Careful agent actions (gt tmux)', function () {
  this.timeout(300_000);
  let home: RoleHome;
  let socket = '';

  const hasSession = (): boolean => {
    try {
      execFileSync('tmux', ['-L', socket, 'has-session', '-t', `=${sessionName()}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  let sessionName = (): string => '';
  const pane = (): string => execFileSync('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-S', '-200', '-t', `=${sessionName()}:`], { encoding: 'utf8' });

  before(async () => {
    const roles = await demoRoles();
    // The second crew member: the native suite runs the first.
    home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const { sessions } = await api();
    await sessions.stop(home, { force: true }).catch(() => undefined);
    socket = sessions.socket(home.townRoot);
    sessionName = () => sessions.plan(home).sessionName;
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'tmux', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    const { sessions } = await api();
    await sessions.stop(home, { force: true }).catch(() => undefined);
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'auto', vscode.ConfigurationTarget.Global);
  });

  async function startInTmux(): Promise<void> {
    const { sessions } = await api();
    // Through the manager, so a failure of gt's start fails here with gt's words (gt waits for the agent: minutes on a busy machine).
    await sessions.start(home, { host: 'tmux' });
    await waitFor('gt to run the agent in tmux', () => sessions.get(home)?.host === 'tmux' && sessions.get(home)?.state.kind === 'ready' && hasSession(), 60_000);
  }

  it('Resume of an agent in gt’s tmux keeps it there: gt crew start --resume with the stored session id, no native terminal', async () => {
    const { sessions } = await api();
    await startInTmux();
    fs.mkdirSync(path.join(home.dir, '.runtime'), { recursive: true });
    fs.writeFileSync(path.join(home.dir, '.runtime', 'session_id'), 'sess-tmux-7\n');
    const terminals = vscode.window.terminals.length;
    await vscode.commands.executeCommand('gastown.resumeAgent', home.dir, { confirm: false });
    await waitFor('the resumed agent in the tmux pane', () => (hasSession() && pane().includes('RESUMED:sess-tmux-7') ? true : undefined), 120_000);
    assert.equal(sessions.get(home)?.host, 'tmux');
    assert.match(String((await roleItems(home)).agent?.description), /^tmux · /);
    assert.ok(vscode.window.terminals.length <= terminals, 'Resume opened another terminal');
  });

  it('a stop gt refuses keeps the agent and carries gt’s reason; Force Stop ends it', async () => {
    const { sessions } = await api();
    if (!hasSession()) {
      await startInTmux();
    }
    // A real refusal: gt cannot read the town's rig registry, so it will not stop a crew member of that rig.
    const rigs = path.join(home.townRoot, 'mayor', 'rigs.json');
    const saved = fs.readFileSync(rigs, 'utf8');
    fs.writeFileSync(rigs, '{ this is not json');
    try {
      const refused = await sessions.stop(home).then(() => undefined, (err: unknown) => err as Error);
      // gt's own words, not its usage text (the extension's bundle has its own StopRefused class: match the message).
      assert.match(String(refused?.message), /^gt did not stop .*: gt crew stop .* failed \(exit 1\): Error: .+/);
      assert.doesNotMatch(String(refused?.message), /help for stop/);
      assert.ok(hasSession(), 'the agent’s tmux session is gone after a refused stop');
      assert.ok(sessions.get(home) && ['ready', 'detached', 'busy'].includes(sessions.get(home)?.state.kind ?? ''), `state ${sessions.get(home)?.state.kind}`);
      await sessions.stop(home, { force: true });
      assert.equal(hasSession(), false, 'Force Stop left the tmux session');
      assert.equal(sessions.get(home)?.state.kind, 'stopped');
    } finally {
      fs.writeFileSync(rigs, saved);
    }
    await waitFor('the row to say stopped', async () => !/^tmux · (ready|busy|detached|starting)/.test(String((await roleItems(home)).agent?.description ?? '')));
  });

  it('a stopped native session does not hide the agent gt then runs in tmux for the same role', async () => {
    const { sessions } = await api();
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'native', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('gastown.startAgent', home.dir, { host: 'native' });
      const native = await waitFor('the native agent', () => (sessions.get(home)?.host === 'native' && sessions.get(home)?.state.kind === 'ready' ? sessions.get(home) : undefined), 60_000, 200, () => `${sessions.get(home)?.host} ${sessions.get(home)?.state.kind}, tmux session ${hasSession() ? 'present' : 'absent'}`);
      await native?.stop();
      await waitFor('the native agent to stop', () => sessions.get(home)?.state.kind === 'stopped');
    } finally {
      await vscode.workspace.getConfiguration('gastown').update('agents.host', 'tmux', vscode.ConfigurationTarget.Global);
    }
    // gt starts the role in tmux from outside VS Code (a user's shell).
    execFileSync('gt', ['crew', 'start', home.rig ?? '', home.name ?? ''], { cwd: home.townRoot, stdio: 'ignore', timeout: 180_000 });
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await waitFor('the tree to show gt’s tmux agent', async () => /^tmux · (detached|ready)/.test(String((await roleItems(home)).agent?.description ?? '')), 90_000);
    assert.equal(sessions.get(home)?.host, 'tmux');
    await sessions.stop(home, { force: true });
  });

  it('a status gt read before a Force Stop does not bring the stopped agent back as "detached"', async () => {
    const { sessions, status } = await api();
    // Town view hidden: nothing refreshes the status behind the test's back, so the read below stays the one before the stop.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor('the status to have no subscriber', () => !status.of(home.townRoot).status.subscribed);
    if (!hasSession()) {
      await startInTmux();
    }
    await status.refreshStatus(home.townRoot);
    const reportsRunning = (): boolean => status.agents(home.townRoot).some((a) => a.session === sessionName() && a.running === true);
    assert.ok(reportsRunning(), 'gt’s status does not report the running agent');
    await sessions.stop(home, { force: true });
    assert.equal(hasSession(), false);
    // What the Town view does with every status change: the old read (agent running) meets our newer stop.
    assert.ok(reportsRunning() && status.statusReadAt(home.townRoot) < (sessions.get(home)?.changedAt ?? 0), 'the status was read again');
    sessions.adoptFromStatus(home.townRoot, (await demoRoles()).all);
    assert.equal(sessions.get(home)?.state.kind, 'stopped');
    // A read after the stop is believed.
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await status.refreshStatus(home.townRoot);
    assert.equal(reportsRunning(), false);
    assert.doesNotMatch(String((await roleItems(home)).agent?.description ?? ''), /^tmux · (ready|busy|detached|starting)/);
  });

  it('Start on an agent gt ran in tmux whose session has since ended starts a new one instead of failing to attach', async () => {
    const { sessions, status } = await api();
    // Town view hidden, as before: no status read sees the session end before Start does.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor('the status to have no subscriber', () => !status.of(home.townRoot).status.subscribed);
    if (!hasSession()) {
      execFileSync('gt', ['crew', 'start', home.rig ?? '', home.name ?? ''], { cwd: home.townRoot, stdio: 'ignore', timeout: 180_000 });
    }
    await status.refreshStatus(home.townRoot);
    await waitFor('the agent gt runs, as detached', () => sessions.get(home)?.host === 'tmux' && sessions.get(home)?.state.kind === 'detached');
    // The session ends outside VS Code; no status read has seen it yet.
    execFileSync('tmux', ['-L', socket, 'kill-session', '-t', `=${sessionName()}`]);
    await sleep(1000);
    assert.equal(sessions.get(home)?.state.kind, 'detached', 'a status read saw the session end');
    await vscode.workspace.getConfiguration('gastown').update('agents.host', 'native', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('gastown.startAgent', home.dir, { host: 'native' });
      const seen = () => `${sessions.get(home)?.host} ${sessions.get(home)?.state.kind}`;
      await waitFor('a new native agent', () => sessions.get(home)?.host === 'native' && sessions.get(home)?.state.kind === 'ready', 60_000, 200, seen);
      await sessions.stop(home);
    } finally {
      await vscode.workspace.getConfiguration('gastown').update('agents.host', 'tmux', vscode.ConfigurationTarget.Global);
    }
  });

  it('Sling to a crew member is offered while gt runs it in tmux; otherwise it is refused before gt runs, with a Start in tmux button', async () => {
    const { sessions } = await api();
    const roles = await demoRoles();
    const rigBd = (args: string[]): string => execFileSync('bd', args, { cwd: path.join(home.townRoot, 'demo'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const bead = rigBd(['create', 'Sling to a crew member', '-t', 'task', '-p', '2', '--silent']).trim();
    const target = `demo/crew/${home.name ?? ''}`;
    const beadNow = (): { status: string; assignee?: string } => (JSON.parse(rigBd(['show', bead, '--json'])) as { status: string; assignee?: string }[])[0];
    if (hasSession()) {
      await sessions.stop(home, { force: true });
    }
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await waitFor('no Sling on the stopped crew member', async () => /^role:crew:[^:]*:nosling:/.test(String((await roleItems(home)).role.contextValue)));
    assert.match(String((await roleItems(roles.polecat)).role.contextValue), /^role:polecat:[^:]*:sling:/, 'a polecat takes work whether it runs or not');
    const errors = await capturingMessages('showErrorMessage', async () => {
      const refused = await vscode.commands.executeCommand<string | undefined>('gastown.slingWork', undefined, { bead, target, args: '' });
      assert.equal(refused, undefined);
    });
    assert.ok(errors.some((e) => e.includes(`${target} is not running in gt's tmux`)), errors.join('\n'));
    const untouched = beadNow();
    assert.deepEqual([untouched.status, untouched.assignee ?? ''], ['open', ''], 'gt ran: the bead changed');
    await startInTmux();
    await waitFor('Sling on the crew member gt runs', async () => /^role:crew:active:sling:/.test(String((await roleItems(home)).role.contextValue)));
    const out = await vscode.commands.executeCommand<string | undefined>('gastown.slingWork', undefined, { bead, target, args: 'now' });
    assert.ok(out, 'gt sling printed nothing');
    assert.deepEqual([beadNow().status, beadNow().assignee], ['hooked', target]);
  });

  it('a tmux start says "ready" only once the agent’s prompt is on gt’s pane, not when gt returns', async () => {
    const { sessions } = await api();
    if (hasSession()) {
      await sessions.stop(home, { force: true });
    }
    // An agent that draws its prompt 4 s after it starts (gt's start returns well before that).
    const restore = crewAgentVariant(home, 'slowagent', { env: { TEST_AGENT_READY_DELAY_MS: '4000' } });
    try {
      await sessions.start(home, { host: 'tmux' });
      const screen = pane();
      assert.equal(sessions.get(home)?.state.kind, 'ready');
      assert.ok(screen.includes('test-agent> '), `"ready" before the agent's prompt; the pane:\n${screen.trim().slice(-400)}`);
    } finally {
      await sessions.stop(home, { force: true }).catch(() => undefined);
      restore();
    }
  });

  it('Cancel during a start ends gt’s wait: the row is not left "starting", and nothing runs that the tree does not show', async () => {
    const { sessions } = await api();
    assert.equal(hasSession(), false);
    const abort = new AbortController();
    const started = sessions.start(home, { host: 'tmux', signal: abort.signal });
    await waitFor('the start to be under way', () => sessions.get(home)?.state.kind === 'starting', 30_000);
    abort.abort();
    const outcome = await started.then(() => 'started', (err: unknown) => `failed: ${(err as Error).message}`);
    assert.match(outcome, /^failed: /);
    assert.equal(sessions.get(home)?.state.kind, 'stopped');
    // What gt made before the cancel (a session) is shown by the next status read; nothing stays "starting".
    await waitFor('the tree to agree with tmux', async () => {
      const desc = String((await roleItems(home)).agent?.description ?? '');
      return !/starting/.test(desc) && (hasSession() ? /^tmux · /.test(desc) : !/^tmux · (ready|busy|detached)/.test(desc)) ? true : undefined;
    }, 60_000);
  });
});
