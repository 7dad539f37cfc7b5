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
        const item = page.locator('.monaco-list-row', { hasText: crew }).first();
        await item.hover();
        await item.locator('.action-label[aria-label^="Start Agent"], .action-label[title^="Start Agent"]').first().click();
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
