import assert from 'node:assert/strict';
import { clickActivityBar, screenshot, terminalText, waitForTreeItem } from '../harness/ui.mjs';

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
  ],
};
