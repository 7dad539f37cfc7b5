import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { clickActivityBar, runCommand, screenshot, treeItems } from '../harness/ui.mjs';

/** The Town view's row of the witness, as the user sees it. */
async function witnessRow(page) {
  return (await treeItems(page, 'Town')).find((r) => r.label === 'witness');
}

async function waitForRow(page, what, test, timeoutMs = 20000) {
  const t0 = Date.now();
  let row;
  for (;;) {
    row = await witnessRow(page);
    if (row && test(row)) return row;
    if (Date.now() - t0 > timeoutMs) throw new Error(`the witness row never showed ${what}: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const suite = {
  name: 'Agent hooks (UI)',
  tests: [
    {
      name: 'Install Agent Hooks from the palette for one role: the Town view shows the hooks missing, then installed',
      async run(page, ctx) {
        const town = ctx.town ?? ctx.env.GASTOWN_TEST_TOWN;
        // The witness runs the test agent (no hooks): its AGENTS.md carries the prime section. Removed outside VS Code,
        // the Town view notices by itself.
        const agents = path.join(town, 'demo', 'witness', 'AGENTS.md');
        fs.rmSync(agents, { force: true });
        await clickActivityBar(page, 'Gas Town');
        await waitForRow(page, '"hooks missing"', (r) => r.description.includes('hooks missing'));
        await screenshot(page, 'ui-hooks-missing');
        await runCommand(page, 'Gas Town: Install Agent Hooks…');
        const widget = page.locator('.quick-input-widget');
        // Typed and accepted with Enter, as a user would: a click can miss a list that re-renders on a busy machine.
        for (const choice of ['One role', 'demo/witness']) {
          await widget.locator('.quick-input-box input').fill(choice);
          await widget.locator('.quick-input-list .monaco-list-row.focused', { hasText: choice }).first().waitFor({ timeout: 30000 });
          await widget.locator('.quick-input-box input').press('Enter');
          if (choice === 'One role') await widget.locator('.quick-input-list .monaco-list-row', { hasText: 'demo/witness' }).first().waitFor({ timeout: 30000 });
        }
        // The modal that lists what will be written.
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible', timeout: 10000 });
        assert.match(await dialog.innerText(), /install agent hooks: 1 new file\b/);
        await screenshot(page, 'ui-hooks-confirm');
        await dialog.locator('.monaco-button', { hasText: 'Install' }).first().click();
        await waitForRow(page, 'no hooks note', (r) => !r.description.includes('hooks'));
        assert.ok(fs.readFileSync(agents, 'utf8').includes('BEGIN GAS TOWN PRIME'), 'AGENTS.md has the section');
        await screenshot(page, 'ui-hooks-installed');
      },
    },
  ],
};
