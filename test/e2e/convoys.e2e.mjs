import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { clickActivityBar, resolvePane, screenshot, treeItems, waitForTreeItem } from '../harness/ui.mjs';

/** gt as the overseer runs it at the town root, with the demo town's PATH and HOME. */
function gtList(ctx) {
  return JSON.parse(execFileSync('gt', ['convoy', 'list', '--json'], { cwd: ctx.town, encoding: 'utf8', env: { ...process.env, ...ctx.env } })) ?? [];
}

async function setExpanded(page, view, expanded) {
  const pane = await resolvePane(page, view, { timeoutMs: 15000 });
  const header = pane.locator(':scope > .pane-header');
  if (((await header.getAttribute('aria-expanded')) === 'true') !== expanded) await header.click();
  return pane;
}

export const suite = {
  name: 'Convoys view (UI)',
  tests: [
    {
      name: 'the Convoys view lists the town’s open convoys with progress and their tracked issues',
      async run(page, ctx) {
        await clickActivityBar(page, 'Gas Town');
        // Room for the convoys: the Town view folded.
        await setExpanded(page, 'Town', false);
        await setExpanded(page, 'Convoys', true);
        const cli = gtList(ctx);
        assert.ok(cli.length > 0, 'the demo town has convoys');
        // The list renders only the rows that fit (earlier suites add convoys): every convoy row on screen is
        // one gt lists, with gt's progress and id, and its tracked issues under it when expanded.
        await waitForTreeItem(page, 'Convoys', (label) => cli.some((c) => c.title === label), { timeoutMs: 60000 });
        const rows = await treeItems(page, 'Convoys');
        const convoyRows = rows.filter((r) => r.level === 1);
        assert.ok(convoyRows.length > 0);
        for (const row of convoyRows) {
          const c = cli.find((x) => row.description.includes(x.id));
          assert.ok(c, `a row gt does not list: ${row.label} (${row.description})`);
          assert.equal(row.label, c.title);
          assert.match(row.description, new RegExp(`^${c.completed}/${c.total} · ${c.id}`));
        }
        await screenshot(page, 'ui-convoys-view');
      },
    },
  ],
};
