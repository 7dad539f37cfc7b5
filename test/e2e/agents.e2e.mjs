import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clickActivityBar, runCommand, screenshot, terminalText, waitForTreeItem } from '../harness/ui.mjs';

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
  open: () => ({ settings: { 'gastown.agents.host': 'native' } }),
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
          await runCommand(page, 'Gas Town: Start Agent');
          const widget = page.locator('.quick-input-widget');
          await widget.locator('.quick-input-box input').fill(`demo/crew/${member}`);
          await widget.locator('.quick-input-list .monaco-list-row', { hasText: `demo/crew/${member}` }).first().click();
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
  ],
};
