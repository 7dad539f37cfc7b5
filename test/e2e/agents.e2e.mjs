import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clickActivityBar, runCommand, screenshot, terminalText, treeItems, waitForTreeItem } from '../harness/ui.mjs';

/** Process ids of the test agents running in a role home (Linux /proc: cwd and command line). */
function agentProcesses(home) {
  const pids = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('test-agent.mjs') && fs.realpathSync(`/proc/${pid}/cwd`) === fs.realpathSync(home)) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Polls `get` until it returns a value; fails naming `what` after `timeoutMs`. */
async function waitForValue(get, timeoutMs, what) {
  const t0 = Date.now();
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs a Gas Town command from the palette and picks the role `address` (e.g. demo/crew/alice) in its picker. */
async function onRole(page, command, address) {
  await runCommand(page, command);
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-box input').fill(address);
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: address }).first().click();
}

/** Waits until the description of the agent row under the Town view's row of role `name` matches `re` (null: no agent row). */
async function agentRowIs(page, name, re, timeoutMs = 60000) {
  await waitForValue(async () => {
    const rows = await treeItems(page, 'Town');
    const i = rows.findIndex((r) => r.label === name);
    if (i < 0) return undefined;
    const child = rows[i + 1] && rows[i + 1].level > rows[i].level ? rows[i + 1] : undefined;
    return (re === null ? !child : child && re.test(child.description)) ? true : undefined;
  }, timeoutMs, `the agent row of ${name} to be ${re ?? 'gone'}`);
}

/** Edits a JSON file of the town and returns a function that puts it back. */
function editJson(file, edit) {
  const before = fs.readFileSync(file, 'utf8');
  const doc = JSON.parse(before);
  edit(doc);
  fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return () => fs.writeFileSync(file, before);
}

export const suite = {
  name: 'Agents (UI)',
  // Persistent terminal sessions as VS Code ships them (the harness turns them off elsewhere): a reload keeps agents.
  open: () => ({ settings: { 'gastown.agents.host': 'native', 'terminal.integrated.enablePersistentSessions': true } }),
  tests: [
    {
      name: "start an agent from the tree's inline button and see its output in the terminal panel",
      async run(page, ctx) {
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const crew = summary.crew?.[0];
        assert.ok(crew, 'the demo town has no crew member');
        await clickActivityBar(page, 'Gas Town');
        const row = await waitForTreeItem(page, 'Town', crew);
        // Rows shift when agents started by earlier suites appear above this one, which moves the row out from under
        // the pointer and hides its hover-only button: hover again and retry rather than wait on a hidden button.
        const item = page.locator('.monaco-list-row', { hasText: crew }).first();
        const start = item.locator('.action-label[aria-label^="Start Agent"], .action-label[title^="Start Agent"]').first();
        let clicked = false;
        for (let attempt = 0; attempt < 10 && !clicked; attempt++) {
          await item.hover();
          clicked = await start.click({ timeout: 3000 }).then(() => true, () => false);
        }
        assert.ok(clicked, `the Start Agent button of ${crew} could not be clicked in 10 tries`);
        // Known race (see the closing note): when the tree redraws under the click (agents slung by earlier suites
        // appear), VS Code drops the row's argument and Start Agent asks for the role instead; answer it as a user would.
        const picker = page.locator('.quick-input-widget');
        if (await picker.waitFor({ state: 'visible', timeout: 2000 }).then(() => true, () => false)) {
          await picker.locator('.quick-input-box input').fill(`crew/${crew}`);
          await picker.locator('.quick-input-list .monaco-list-row', { hasText: `crew/${crew}` }).first().click();
        }
        await page.waitForFunction(
          () => document.querySelector('.xterm-rows')?.textContent?.includes('test-agent>'),
          null,
          { timeout: 45000 },
        );
        const text = await terminalText(page);
        assert.ok(text.includes('test-agent>'), text);
        // The tree row of the agent says what the user needs: native host, ready.
        await page.locator('.monaco-list-row', { hasText: 'native · ready' }).first().waitFor({ timeout: 20000 });
        await screenshot(page, 'ui-agent-started-from-tree');
        void row;
      },
    },
      {
      name: 'Nudge with several lines: the input box’s editor button opens an editor, Send types it into the agent as one message',
      async run(page, ctx) {
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const crew = summary.crew?.[0];
        await runCommand(page, 'Gas Town: Nudge Agent');
        const widget = page.locator('.quick-input-widget');
        const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: `demo/crew/${crew}` }).first();
        const longer = widget.locator('.action-label[aria-label^="Write a longer message"], .action-label[title^="Write a longer message"]').first();
        // One agent running: no picker; else pick ours. Whichever shows first, however slow the picker is.
        const first = await Promise.any([
          row.waitFor({ state: 'visible', timeout: 30000 }).then(() => 'picker'),
          longer.waitFor({ state: 'visible', timeout: 30000 }).then(() => 'input'),
        ]);
        if (first === 'picker') await row.click();
        await longer.click();
        const editor = page.locator('.editor-instance .monaco-editor').first();
        await editor.waitFor({ state: 'visible', timeout: 10000 });
        await editor.click();
        await page.keyboard.type('first line of the nudge');
        await page.keyboard.press('Enter');
        await page.keyboard.type('second line, $(not run)');
        await screenshot(page, 'ui-nudge-editor');
        await page.locator('.statusbar-item', { hasText: 'Send to' }).first().click();
        await page.waitForFunction(
          () => (document.querySelector('.xterm-rows')?.textContent ?? '').includes('INPUT:"first line of the nudge'),
          null,
          { timeout: 20000 },
        );
        const text = (await terminalText(page)).replace(/\s+/g, ' ');
        assert.ok(text.includes('INPUT:"first line of the nudge\\nsecond line, $(not run)"'), text.slice(-600));
      },
    },
    {
      name: 'a window reload keeps the running agent: its row still says running, and Start shows it instead of starting a second one',
      async run(page, ctx) {
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const crew = summary.crew?.[0];
        const home = path.join(ctx.town ?? ctx.env.GASTOWN_TEST_TOWN, summary.rig, 'crew', crew);
        const startCrew = () => onRole(page, 'Gas Town: Start Agent', `demo/crew/${crew}`);
        const runningRow = async () => {
          await clickActivityBar(page, 'Gas Town');
          await waitForTreeItem(page, 'Town', crew, { timeoutMs: 60000 });
          // The agent is the row under the crew member's: "testagent native · ready" (no other native agent runs here).
          await page.locator('.monaco-list-row').filter({ hasText: /native · (ready|busy)/ }).first().waitFor({ timeout: 60000 });
        };
        // The palette lists Start Agent once the extension has found the town (the Town rows say so).
        await clickActivityBar(page, 'Gas Town');
        await waitForTreeItem(page, 'Town', crew, { timeoutMs: 60000 });
        await startCrew();
        await runningRow();
        const before = agentProcesses(home);
        assert.equal(before.length, 1, `agent processes in ${home} before the reload: ${before.length}`);
        const primes = async () => (await terminalText(page)).split('INPUT:"gt prime"').length - 1;
        // The startup gt prime follows "ready" (the test agent has no hooks); it may have scrolled away since.
        await page.waitForFunction(() => (document.querySelector('.xterm-rows')?.textContent ?? '').includes('INPUT:"gt prime"'), null, { timeout: 10000 }).catch(() => {});
        const primedBefore = await primes();
        console.log(`      (agent ${before[0]} running; reloading the window)`);
        await runCommand(page, 'Developer: Reload Window');
        await page.waitForTimeout(2000);
        await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: 90000 });
        await runningRow();
        assert.deepEqual(agentProcesses(home), before, 'the agent did not live through the reload');
        await startCrew();
        await page.waitForTimeout(5000);
        assert.deepEqual(agentProcesses(home), before, 'Start launched a second agent after the reload');
        // Start showed the agent's terminal: the agent found again is not sent its startup message a second time.
        assert.equal(await primes(), primedBefore, 'the agent was sent gt prime again after the reload');
        await screenshot(page, 'ui-agent-after-reload');
      },
    },
    {
      name: 'Restart asks first: Cancel keeps the running agent, Restart replaces it with a new one',
      async run(page, ctx) {
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const crew = summary.crew?.[0];
        const home = path.join(ctx.town ?? ctx.env.GASTOWN_TEST_TOWN, summary.rig, 'crew', crew);
        const restart = async () => {
          await onRole(page, 'Gas Town: Restart Agent', `demo/crew/${crew}`);
          const dialog = page.locator('.monaco-dialog-box', { hasText: 'Restart the agent' });
          await dialog.waitFor({ state: 'visible', timeout: 15000 }).catch(async (e) => {
            await screenshot(page, 'debug-restart-no-dialog');
            const seen = await page.locator('.monaco-dialog-box, .notification-toast, .quick-input-widget').evaluateAll((els) => els.map((el) => `${el.className}: ${el.textContent}`));
            throw new Error(`${e.message}\nseen: ${JSON.stringify(seen).slice(0, 1500)}`);
          });
          return dialog;
        };
        if (agentProcesses(home).length === 0) {
          await clickActivityBar(page, 'Gas Town');
          await waitForTreeItem(page, 'Town', crew, { timeoutMs: 60000 });
          await onRole(page, 'Gas Town: Start Agent', `demo/crew/${crew}`);
        }
        const running = await waitForValue(() => { const p = agentProcesses(home); return p.length === 1 ? p : undefined; }, 60000, 'one agent running in the crew home');
        const asked = await restart();
        await screenshot(page, 'ui-restart-confirm');
        await asked.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
        await page.waitForTimeout(3000);
        assert.deepEqual(agentProcesses(home), running, 'Cancel did not keep the agent');
        const again = await restart();
        await again.locator('.monaco-button', { hasText: /^Restart$/ }).first().click();
        const after = await waitForValue(() => { const p = agentProcesses(home); return p.length === 1 && p[0] !== running[0] ? p : undefined; }, 60000, 'a new agent after Restart');
        assert.notDeepEqual(after, running);
        await page.locator('.monaco-list-row').filter({ hasText: /native · (starting|ready|busy)/ }).first().waitFor({ timeout: 30000 });
      },
    },
    {
      name: 'an agent that exits at once says why: its last lines in the warning, and no Restart for a failure that would repeat',
      async run(page, ctx) {
        const town = ctx.town ?? ctx.env.GASTOWN_TEST_TOWN;
        const restoreAgents = editJson(path.join(town, 'settings', 'agents.json'), (doc) => {
          doc.agents.failagent = { command: 'node', args: ['-e', "console.error('--dangerously-skip-permissions cannot be used with root/sudo privileges'); process.exit(1)"] };
        });
        // A crew member nobody runs (gt's daemon may run the witness by now): the second one, given the failing agent.
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const member = summary.crew?.[1];
        assert.ok(member, 'the demo town has no second crew member');
        const restoreConfig = editJson(path.join(town, 'settings', 'config.json'), (doc) => {
          doc.crew_agents = { ...doc.crew_agents, [member]: 'failagent' };
        });
        try {
          await onRole(page, 'Gas Town: Start Agent', `demo/crew/${member}`);
          // Toasts may be folded away; the Notifications list holds every notification.
          await page.locator('.monaco-list-row', { hasText: `demo/crew/${member}` }).first().waitFor({ timeout: 30000 }).catch(() => {});
          await page.waitForTimeout(3000);
          await runCommand(page, 'Notifications: Show Notifications');
          const toast = page.locator('.notifications-center .notification-list-item', { hasText: 'exited with code 1' }).first();
          await toast.waitFor({ state: 'visible', timeout: 30000 });
          const text = await toast.innerText();
          assert.match(text, /cannot be used with root\/sudo privileges/, text);
          assert.match(text, /right after it started/, text);
          const buttons = await toast.locator('.monaco-button').allInnerTexts();
          assert.ok(buttons.includes('Show Resolved Agent') && buttons.includes('Show Terminal'), buttons.join(', '));
          assert.ok(!buttons.includes('Restart'), `Restart offered: ${buttons.join(', ')}`);
          await screenshot(page, 'ui-agent-exit-reason');
          await page.keyboard.press('Escape');
        } finally {
          restoreConfig();
          restoreAgents();
        }
      },
    },
    {
      name: 'a stop gt refuses shows gt’s reason with Force Stop; clicking it ends gt’s tmux session',
      async run(page, ctx) {
        const town = ctx.town ?? ctx.env.GASTOWN_TEST_TOWN;
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const member = summary.crew?.[1];
        const session = `${summary.prefix}-crew-${member}`;
        const env = { ...process.env, ...ctx.env };
        const tmux = (...args) => execFileSync('tmux', ['-L', summary.tmuxSocket, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        const alive = () => { try { tmux('has-session', '-t', `=${session}`); return true; } catch { return false; } };
        // gt runs the crew member in tmux, started outside VS Code; the tree shows it.
        if (!alive()) execFileSync('gt', ['crew', 'start', summary.rig, member], { cwd: town, env, stdio: 'ignore', timeout: 180000 });
        await clickActivityBar(page, 'Gas Town');
        await agentRowIs(page, member, /^tmux · (detached|ready)/);
        await onRole(page, 'Gas Town: Stop Agent', `demo/crew/${member}`);
        const dialog = page.locator('.monaco-dialog-box', { hasText: 'Stop the agent' });
        await dialog.waitFor({ state: 'visible', timeout: 15000 });
        // A real refusal: gt cannot read the town's rig registry. Broken only now: the Town view drops the rig's
        // roles while the file cannot be read, so the role is picked before.
        const rigs = path.join(town, 'mayor', 'rigs.json');
        const saved = fs.readFileSync(rigs, 'utf8');
        fs.writeFileSync(rigs, '{ this is not json');
        try {
          await dialog.locator('.monaco-button', { hasText: /^Stop$/ }).first().click();
          // Toasts may be folded away; the Notifications list holds every notification.
          await page.waitForTimeout(3000);
          await runCommand(page, 'Notifications: Show Notifications');
          const toast = page.locator('.notifications-center .notification-list-item', { hasText: 'gt did not stop' }).first();
          await toast.waitFor({ state: 'visible', timeout: 60000 });
          assert.match(await toast.innerText(), /Error: /);
          assert.ok(alive(), 'the tmux session ended although gt refused');
          await screenshot(page, 'ui-stop-refused');
          await toast.locator('.monaco-button', { hasText: 'Force Stop' }).first().click();
          await waitForValue(() => (alive() ? undefined : true), 30000, 'Force Stop to end the tmux session');
        } finally {
          fs.writeFileSync(rigs, saved);
        }
      },
    },
    {
      name: 'Cancel on a tmux start’s notification ends gt’s wait: no gt left running, no row left "starting"',
      async run(page, ctx) {
        const town = ctx.town ?? ctx.env.GASTOWN_TEST_TOWN;
        const summary = JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
        const member = summary.crew?.[1];
        // An agent that draws its prompt only after 2 minutes, started in gt's tmux (the workspace's setting).
        const restoreAgents = editJson(path.join(town, 'settings', 'agents.json'), (doc) => {
          doc.agents.slowagent = { ...doc.agents.testagent, env: { ...doc.agents.testagent.env, TEST_AGENT_READY_DELAY_MS: '120000' } };
        });
        const restoreConfig = editJson(path.join(town, 'settings', 'config.json'), (doc) => {
          doc.crew_agents = { ...doc.crew_agents, [member]: 'slowagent' };
        });
        const workspaceSettings = path.join(town, '.vscode', 'settings.json');
        fs.mkdirSync(path.dirname(workspaceSettings), { recursive: true });
        fs.writeFileSync(workspaceSettings, JSON.stringify({ 'gastown.agents.host': 'tmux' }));
        // From a stopped crew member (an earlier test may have left gt's session).
        try {
          execFileSync('tmux', ['-L', summary.tmuxSocket, 'kill-session', '-t', `=${summary.prefix}-crew-${member}`], { env: { ...process.env, ...ctx.env }, stdio: 'ignore' });
        } catch {
          // no session
        }
        await clickActivityBar(page, 'Gas Town');
        await runCommand(page, 'Gas Town: Refresh');
        await agentRowIs(page, member, null);
        const gtStarts = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
          try {
            return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(`crew start ${summary.rig} ${member}`);
          } catch {
            return false;
          }
        });
        try {
          // VS Code picks the new workspace settings file up from its file watcher.
          await page.waitForTimeout(5000);
          await onRole(page, 'Gas Town: Start Agent', `demo/crew/${member}`);
          await waitForValue(() => (gtStarts().length > 0 ? true : undefined), 30000, 'gt crew start to run');
          // Toasts may be folded away; the Notifications list holds every notification.
          await runCommand(page, 'Notifications: Show Notifications');
          const toast = page.locator('.notifications-center .notification-list-item', { hasText: `Starting demo/crew/${member}` }).first();
          await toast.waitFor({ state: 'visible', timeout: 30000 });
          await screenshot(page, 'ui-start-cancel');
          await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
          await waitForValue(() => (gtStarts().length === 0 ? true : undefined), 30000, 'gt crew start to end after Cancel');
          await toast.waitFor({ state: 'hidden', timeout: 30000 });
          await page.keyboard.press('Escape');
          await clickActivityBar(page, 'Gas Town');
          await waitForTreeItem(page, 'Town', member, { timeoutMs: 30000 });
          await page.waitForTimeout(3000);
          const starting = await page.locator('.monaco-list-row').filter({ hasText: /starting/ }).count();
          assert.equal(starting, 0, 'a row still says "starting"');
        } finally {
          fs.rmSync(path.dirname(workspaceSettings), { recursive: true, force: true });
          restoreConfig();
          restoreAgents();
          // What gt made before the Cancel goes, so later suites start from a stopped crew member.
          try {
            execFileSync('tmux', ['-L', summary.tmuxSocket, 'kill-session', '-t', `=${summary.prefix}-crew-${member}`], { env: { ...process.env, ...ctx.env }, stdio: 'ignore' });
          } catch {
            // no session
          }
        }
      },
    },
  ],
};
