import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clickActivityBar, resolvePane, runCommand, screenshot, treeItems, waitForTreeItem } from '../harness/ui.mjs';

const HOSTILE_TITLE = 'Fix [link](http://example.com) ![img](http://example.com/i.png) $(alert) <script>alert(1)</script> `rm -rf /` $(touch /tmp/gt-pwned)';

/** bd as a user runs it, with the demo town's PATH. */
function bd(ctx, cwd, args) {
  return JSON.parse(execFileSync('bd', args, { cwd, encoding: 'utf8', env: { ...process.env, ...ctx.env } }));
}

function summary(ctx) {
  return JSON.parse(ctx.env.GASTOWN_DEMO_SUMMARY || '{}');
}

async function openBeadsView(page) {
  await clickActivityBar(page, 'Gas Town');
  const pane = await resolvePane(page, 'Beads', { timeoutMs: 15000 });
  const header = pane.locator(':scope > .pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  return pane;
}

/** The bead details page: the webview's inner document (VS Code nests it in two iframes). */
function detailsFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

export const suite = {
  name: 'Beads view (UI)',
  tests: [
    {
      name: 'the Beads view lists the town’s databases with their beads',
      async run(page, ctx) {
        await openBeadsView(page);
        await waitForTreeItem(page, 'Beads', 'hq', { timeoutMs: 60000 });
        const rig = summary(ctx);
        const cli = bd(ctx, path.join(rig.town, rig.rig), ['list', '--json', '--limit', '0', '--type', 'epic']);
        assert.ok(cli.length > 0);
        // Collapse hq so the rig's rows are on screen (the list renders only what fits), then: epics head
        // their children by default.
        const pane = await resolvePane(page, 'Beads');
        await pane.locator('.monaco-list-row', { hasText: /^hq/ }).first().click();
        await page.keyboard.press('ArrowLeft');
        await waitForTreeItem(page, 'Beads', 'demo', { timeoutMs: 30000 });
        await waitForTreeItem(page, 'Beads', cli[0].title, { timeoutMs: 30000 });
        const rows = await treeItems(page, 'Beads');
        const epicRow = rows.find((r) => r.label === cli[0].title);
        assert.match(epicRow.description, new RegExp(`^${cli[0].id} · \\d+$`));
        await screenshot(page, 'ui-beads-view');
      },
    },
    {
      name: 'the details tab of a hostile bead shows its text literally: no script, no remote image, no link to javascript',
      async run(page, ctx) {
        const id = summary(ctx).hostileBead;
        assert.ok(id, 'the demo town names its hostile bead');
        await runCommand(page, 'Gas Town: Find Bead…');
        const input = page.locator('.quick-input-widget .quick-input-box input');
        await input.waitFor({ state: 'visible', timeout: 10000 });
        await input.fill(id);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: id }).first().waitFor({ timeout: 30000 });
        await page.keyboard.press('Enter');
        // The tab re-renders when the bead changes (other suites write to the town): a frame can be replaced under
        // the read, so it is read again from the new frame.
        const read = async () => {
          const frame = detailsFrame(page);
          const title = frame.locator('#bead-title');
          await title.waitFor({ state: 'visible', timeout: 30000 });
          assert.equal(await title.textContent(), HOSTILE_TITLE);
          return frame.locator('body').evaluate(inspect);
        };
        const inspect = (body) => ({
          // VS Code injects its own host script into every webview; none may carry text from the bead.
          scripts: [...document.scripts].map((s) => s.textContent),
          imgs: document.images.length,
          handlers: [...body.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
          jsLinks: [...document.links].filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length,
          description: document.getElementById('description').innerText,
          csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'),
          pwned: typeof window.pwned,
        });
        let dom;
        for (let attempt = 1; !dom; attempt++) {
          try {
            dom = await read();
          } catch (e) {
            if (attempt >= 3 || !/detached/i.test(String(e.message))) throw e;
          }
        }
        assert.ok(dom.scripts.some((t) => t.includes("postMessage({ action: t.dataset.action })")), 'the page’s own script runs');
        assert.deepEqual(dom.scripts.filter((t) => /alert\(|touch \/tmp/.test(t)), [], 'no script from the bead');
        assert.equal(dom.imgs, 0);
        assert.equal(dom.handlers, 0);
        assert.equal(dom.jsLinks, 0);
        assert.match(dom.description, /<script>alert\(2\)<\/script>/, 'the script tag shows as text');
        assert.match(dom.description, /<img src=x onerror=alert\(1\)>/);
        assert.match(dom.csp, /default-src 'none'/);
        assert.ok(!fs.existsSync('/tmp/gt-pwned') && !fs.existsSync('/tmp/gt-pwned2'), 'nothing ran');
        await screenshot(page, 'ui-bead-details');
      },
    },
    {
      name: 'a button of the details tab acts on the bead (Copy ID, then Claim changes the real bead)',
      async run(page, ctx) {
        const s = summary(ctx);
        const id = s.hostileBead;
        const frame = detailsFrame(page);
        await frame.locator('button[data-action="claim"]').click();
        const cwd = path.join(s.town, s.rig);
        const until = Date.now() + 30000;
        let status = '';
        while (Date.now() < until) {
          status = bd(ctx, cwd, ['show', id, '--json'])[0].status;
          if (status === 'in_progress') break;
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.equal(status, 'in_progress');
        // The tab follows: its status field updates.
        await frame.locator('dd', { hasText: 'in_progress' }).first().waitFor({ timeout: 30000 });
        await screenshot(page, 'ui-bead-details-claimed');
      },
    },
  ],
};
