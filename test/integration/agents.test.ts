import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RoleHome } from '../../src/town/roles';
import { api, crewAgentVariant, demoRoles, roleItems, screenshot, tagged, waitFor } from './helpers';

async function useHost(host: 'native' | 'tmux' | 'auto'): Promise<void> {
  await vscode.workspace.getConfiguration('gastown').update('agents.host', host, vscode.ConfigurationTarget.Global);
}

async function startNative(home: RoleHome) {
  const { sessions } = await api();
  await vscode.commands.executeCommand('gastown.startAgent', home.dir);
  const session = await waitFor('the session', () => sessions.get(home));
  await waitFor(`${session.name} to be ready (state ${session.state.kind})`, () => session.state.kind === 'ready', 30_000);
  return session;
}

/** Sends a line and waits for the agent's echo of it. */
async function say(home: RoleHome, text: string, expectTag?: string): Promise<string> {
  const { sessions } = await api();
  const session = sessions.get(home);
  assert.ok(session);
  const before = session.output.length;
  await vscode.commands.executeCommand('gastown.nudgeAgent', home.dir, text);
  try {
    return await waitFor(`the agent's reply to ${JSON.stringify(text)}`, () => {
      const fresh = session.output.slice(before);
      return fresh.includes(`echo: ${text.split('\n')[0]}`) && (!expectTag || fresh.includes(expectTag)) && session.state.kind === 'ready' ? session.output : undefined;
    });
  } catch (err) {
    const screen = (session as unknown as { screenLines?: () => string[] }).screenLines?.() ?? [];
    throw new Error(`${(err as Error).message}; state ${session.state.kind}; output since:\n${session.output.slice(before).slice(-800)}\nscreen:\n${screen.filter((l) => l.trim()).slice(-12).join('\n')}`);
  }
}

const AGENT_VARS = /^(GT_|BD_|BEADS_)/;

/** `gt role env` run in a role's home with no role in the environment: gt's own answer for that home. */
function gtRoleEnv(dir: string): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GT_ROLE|GT_RIG|GT_CREW|GT_POLECAT|BD_ACTOR)$/.test(k)));
  const out = execFileSync('gt', ['role', 'env'], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) {
    vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

const isRunningState = (kind: string | undefined): boolean => kind === 'starting' || kind === 'ready' || kind === 'busy';

describe('Agents in native terminals', function () {
  this.timeout(120_000);
  // A user's ~/.bashrc that moves and re-identifies every new shell: the agents below must not be moved by it.
  const bashrc = path.join(process.env.HOME ?? '', '.bashrc');
  let savedRc: string | undefined;
  before(async () => {
    savedRc = fs.existsSync(bashrc) ? fs.readFileSync(bashrc, 'utf8') : undefined;
    fs.writeFileSync(bashrc, `${savedRc ?? ''}\ncd /tmp\nexport GIT_AUTHOR_NAME=rc-user GT_ROLE=rc-role BD_ACTOR=rc-actor\n`);
    await useHost('native');
  });
  after(async () => {
    const { sessions } = await api();
    for (const s of sessions.all()) {
      await s.stop();
    }
    await useHost('auto');
    if (savedRc === undefined) {
      fs.rmSync(bashrc, { force: true });
    } else {
      fs.writeFileSync(bashrc, savedRc);
    }
  });

  for (const which of ['crew', 'polecat'] as const) {
    it(`starts a ${which} agent: terminal name, cwd, argv and every GT_/BD_ variable exactly right (a ~/.bashrc that cds and exports changes nothing); ready from its prompt`, async () => {
      const roles = await demoRoles();
      const home = roles[which];
      const session = await startNative(home);
      assert.equal(session.terminal?.name, `${session.plan.env.GT_ROLE} · testagent`);
      assert.equal(session.host, 'native');
      const argvOut = await say(home, '/argv', 'ARGV:');
      assert.deepEqual(tagged<string[]>(argvOut, 'ARGV:'), session.plan.start.argv.slice(2));
      const cwdOut = await say(home, '/cwd', 'CWD:');
      assert.equal(fs.realpathSync(tagged<string>(cwdOut, 'CWD:') ?? ''), fs.realpathSync(home.dir));
      const envOut = await say(home, '/env', 'ENV:');
      const seen = tagged<Record<string, string>>(envOut, 'ENV:') ?? {};
      const expected = Object.fromEntries(Object.entries(session.plan.env).filter(([k]) => AGENT_VARS.test(k)));
      const got = Object.fromEntries(Object.entries(seen).filter(([k]) => AGENT_VARS.test(k)));
      assert.deepEqual(got, expected);
      assert.equal(seen.NODE_OPTIONS, '');
      assert.equal(seen.CLAUDECODE, '');
      assert.equal(seen.GIT_AUTHOR_NAME, session.plan.env.GIT_AUTHOR_NAME, 'the rc file’s GIT_AUTHOR_NAME did not reach the agent');
      assert.equal(got.GT_AGENT, 'testagent');
      // Compared with gt itself: what `gt role env` exports for this home (GT_ROLE_HOME is that command's own
      // addition for shells; gt's AgentEnv does not set it).
      const gtEnv = gtRoleEnv(home.dir);
      const compared = Object.keys(gtEnv).filter((k) => k !== 'GT_ROLE_HOME' && (AGENT_VARS.test(k) || k === 'GIT_AUTHOR_NAME' || k === 'NODE_OPTIONS' || k === 'CLAUDECODE'));
      assert.ok(compared.length >= 8, `gt role env printed too little: ${JSON.stringify(gtEnv)}`);
      for (const k of compared) {
        assert.equal(seen[k], gtEnv[k], `${k}: the agent has ${JSON.stringify(seen[k])}, gt role env says ${JSON.stringify(gtEnv[k])}`);
      }
      assert.equal(got.GT_ROLE, which === 'crew' ? `demo/crew/${home.name}` : `demo/polecats/${home.name}`);
      assert.equal(await session.isAlive(), true, 'the agent process (node) is not seen under the terminal');
      const items = await roleItems(home);
      assert.match(String(items.agent?.description), /^native · ready/);
      await screenshot(`native-${which}-started`);
    });
  }

  it('a nudge with hostile characters arrives verbatim and nothing is run by a shell', async () => {
    const { crew } = await demoRoles();
    const marker = path.join(crew.townRoot, '..', 'pwned-by-nudge');
    fs.rmSync(marker, { force: true });
    const hostile = `it's "quoted" $(touch ${marker}) \`touch ${marker}\` ; touch ${marker} | & > < * ~ $HOME \\ end`;
    const out = await say(crew, hostile);
    assert.ok(out.includes(`echo: ${hostile}`), 'the echo differs from what was sent');
    assert.equal(fs.existsSync(marker), false, 'a shell ran part of the nudge');
  });

  it('a single-line, a 1,000-character and a three-line nudge each arrive as exactly one message with the exact text', async () => {
    const { crew } = await demoRoles();
    const { sessions } = await api();
    const session = sessions.get(crew);
    assert.ok(session);
    const long = Array.from({ length: 200 }, (_, i) => `word${String(i).padStart(4, '0')}`).join(' ').slice(0, 1000);
    assert.equal(long.length, 1000);
    for (const text of ['short nudge', long, 'first line\nsecond line with `code`\nthird line']) {
      const before = session.output.length;
      await vscode.commands.executeCommand('gastown.nudgeAgent', crew.dir, text);
      const inputs = await waitFor(`the agent to take ${JSON.stringify(text.slice(0, 30))}`, (): string[] | undefined => {
        const got: string[] = session.output
          .slice(before)
          .split('\n')
          .filter((l) => l.startsWith('INPUT:'))
          .map((l) => JSON.parse(l.slice('INPUT:'.length)) as string);
        return got.length > 0 && session.state.kind === 'ready' ? got : undefined;
      });
      assert.deepEqual(inputs, [text], 'one message, exactly the text sent');
    }
    // A paste end marker inside the text cannot end the paste: control characters are not sent.
    const before = session.output.length;
    await vscode.commands.executeCommand('gastown.nudgeAgent', crew.dir, 'a\x1b[201~b\x07c');
    const got = await waitFor('the cleaned message', () => /INPUT:(".*")/.exec(session.output.slice(before))?.[1]);
    assert.equal(JSON.parse(got), 'a[201~bc');
  });

  it('stop and restart update the Town view', async () => {
    const { sessions } = await api();
    const { crew } = await demoRoles();
    await sessions.stop(crew);
    await waitFor('the role to show stopped', async () => {
      const items = await roleItems(crew);
      return items.agent === undefined && items.role.description === 'stopped';
    });
    await vscode.commands.executeCommand('gastown.restartAgent', crew.dir, { confirm: false });
    await waitFor('the agent to be back and ready', async () => /^native · ready/.test(String((await roleItems(crew)).agent?.description)));
  });

  it('an agent crash (exit 3) ends in state exited (3), shown in the tree', async () => {
    const { sessions } = await api();
    const { polecat } = await demoRoles();
    const session = sessions.get(polecat) ?? (await startNative(polecat));
    await vscode.commands.executeCommand('gastown.nudgeAgent', polecat.dir, '/crash');
    await waitFor('exit code 3', () => session.state.kind === 'exited' && session.state.code === 3);
    assert.match(String((await roleItems(polecat)).agent?.description), /exited \(3\)/);
    assert.equal(await session.isAlive(), false);
    await screenshot('native-crash-warning');
  });

  it('Ctrl-C in the agent (exit 130) is the user ending it, not a crash: no failure icon', async () => {
    const roles = await demoRoles();
    const home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const { sessions } = await api();
    const session = sessions.get(home) && isRunningState(sessions.get(home)?.state.kind) ? sessions.get(home) : await startNative(home);
    assert.ok(session?.terminal);
    session.terminal.sendText('\x03', false);
    await waitFor('exit code 130', () => session.state.kind === 'exited' && session.state.code === 130);
    const item = (await roleItems(home)).agent;
    assert.match(String(item?.description), /exited \(130\)/);
    assert.equal((item?.iconPath as vscode.ThemeIcon | undefined)?.id, 'circle-slash', 'shown as ended, not as failed');
    await session.stop();
  });

  it('an agent terminal the extension did not open (the Gas Town Agent profile, or ours from before a restart) is tracked: Start shows it instead of starting another', async () => {
    const roles = await demoRoles();
    const home = roles.all.filter((r) => r.kind === 'polecat').pop() ?? roles.polecat;
    const { sessions } = await api();
    await sessions.stop(home);
    const plan = sessions.plan(home);
    // What the profile gives VS Code: the agent as the terminal's process, with the role's environment.
    const terminal = vscode.window.createTerminal({ name: 'profile agent', shellPath: plan.start.argv[0], shellArgs: plan.start.argv.slice(1), cwd: home.dir, env: plan.env });
    const session = await waitFor('the terminal to be tracked as the role’s agent', () => (sessions.get(home)?.terminal === terminal ? sessions.get(home) : undefined));
    await waitFor('the tree to list it', async () => /^native · (starting|ready)/.test(String((await roleItems(home)).agent?.description)));
    const count = vscode.window.terminals.length;
    await vscode.commands.executeCommand('gastown.startAgent', home.dir);
    assert.equal(vscode.window.terminals.length, count, 'Start opened a second agent terminal');
    assert.equal(sessions.get(home), session);
    terminal.dispose();
    await waitFor('the agent to end with its terminal', () => !isRunningState(session.state.kind));
  });

  it('an agent with hooks that takes no prompt argument gets gt’s beacon typed once ready (gt’s startup fallback matrix)', async () => {
    const roles = await demoRoles();
    const home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const { sessions } = await api();
    await sessions.stop(home);
    const restore = crewAgentVariant(home, 'hookedagent', { hooks_provider: 'claude', prompt_mode: 'none' });
    const hooks = vscode.workspace.getConfiguration('gastown');
    // The role's hook files are not the point here; the demo town's other tests read them.
    await hooks.update('hooks.installOnStart', false, vscode.ConfigurationTarget.Global);
    try {
      const session = await startNative(home);
      assert.equal(session.plan.resolved.name, 'hookedagent');
      const typed = await waitFor('the beacon typed into the agent', () => /INPUT:"(\[GAS TOWN\][^\n]*)/.exec(session.output)?.[1]);
      assert.match(typed, new RegExp(`^\\[GAS TOWN\\] crew ${home.name} \\(rig: ${home.rig}\\) <- overseer • .* • cold-start\\\\n\\\\nRun \`gt prime\``));
      const argv = tagged<string[]>(await say(home, '/argv', 'ARGV:'), 'ARGV:');
      assert.ok(!argv?.some((a) => a.includes('[GAS TOWN]')), `the beacon was also an argument: ${JSON.stringify(argv)}`);
    } finally {
      await sessions.stop(home);
      await hooks.update('hooks.installOnStart', undefined, vscode.ConfigurationTarget.Global);
      restore();
    }
  });

  it('a tmux start that gt fails leaves the row stopped, not "starting" for ever', async () => {
    const roles = await demoRoles();
    const home = roles.all.find((r) => r.kind === 'crew' && r.name !== roles.crew.name) ?? roles.crew;
    const { sessions } = await api();
    await sessions.stop(home);
    const gtConfig = vscode.workspace.getConfiguration('gastown');
    const failing = path.join(home.townRoot, '..', 'failing-gt.sh');
    fs.writeFileSync(failing, '#!/bin/sh\necho "gt: cannot start: tmux server refused" >&2\nexit 1\n', { mode: 0o755 });
    await gtConfig.update('gtPath', failing, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('gastown.startAgent', home.dir, { host: 'tmux' });
      const session = sessions.get(home);
      assert.ok(session, 'no session was tracked');
      assert.equal(session.state.kind, 'stopped');
      const row = await roleItems(home);
      assert.doesNotMatch(String(row.agent?.description ?? ''), /starting/);
    } finally {
      await gtConfig.update('gtPath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('resume passes the preset resume flag with the stored session id', async () => {
    const { sessions } = await api();
    const { crew } = await demoRoles();
    fs.mkdirSync(path.join(crew.dir, '.runtime'), { recursive: true });
    fs.writeFileSync(path.join(crew.dir, '.runtime', 'session_id'), 'sess-42.a_b\n');
    await vscode.commands.executeCommand('gastown.resumeAgent', crew.dir, { confirm: false });
    const session = await waitFor('the resumed session', () => {
      const s = sessions.get(crew);
      return s && s.output.includes('RESUMED:') ? s : undefined;
    });
    assert.match(session.output, /RESUMED:sess-42\.a_b/);
    const argv = tagged<string[]>(await say(crew, '/argv', 'ARGV:'), 'ARGV:');
    assert.deepEqual(argv?.slice(-2), ['--resume', 'sess-42.a_b']);
  });

  it('an agent whose command is not on PATH (claude here) is not started, and no terminal opens', async () => {
    const { sessions } = await api();
    const deacon = { townRoot: (await demoRoles()).crew.townRoot, kind: 'deacon' as const, dir: path.join((await demoRoles()).crew.townRoot, 'deacon') };
    const terminalsBefore = vscode.window.terminals.length;
    await vscode.commands.executeCommand('gastown.startAgent', deacon.dir);
    assert.equal(sessions.get(deacon), undefined);
    assert.equal(vscode.window.terminals.length, terminalsBefore);
  });

  it('Show Agent Environment lists what the agent gets', async () => {
    const { crew } = await demoRoles();
    await vscode.commands.executeCommand('gastown.showAgentEnv', crew.dir);
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(text, new RegExp(`^GT_ROLE=demo/crew/${crew.name}$`, 'm'));
    assert.match(text, /^NODE_OPTIONS=$/m);
    assert.match(text, /^GT_AGENT=testagent$/m);
  });

  it('runs the preset non-interactively with a hostile prompt as one argument', async () => {
    const { crew } = await demoRoles();
    const prompt = `do "this"; $(nothing) \`x\``;
    const result = await vscode.commands.executeCommand<{ code: number; output: string }>('gastown.runNonInteractive', crew.dir, prompt);
    assert.equal(result?.code, 0);
    assert.ok(result?.output.includes(`EXEC:${JSON.stringify(prompt)}`), result?.output);
  });
});
