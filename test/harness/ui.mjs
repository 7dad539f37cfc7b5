// UI tests driven by Playwright like a user, against a real VS Code (code-server) in headless Chromium.
// The extension is loaded from its folder (extensionDevelopmentPath in the URL payload), no vsix.
//
//   import { openWorkbench, runCommand, clickActivityBar, treeItemLabels, terminalText,
//            statusBarText, screenshot } from './ui.mjs';
//   const wb = await openWorkbench({ workspace, extDir });
//   try {
//     await clickActivityBar(wb.page, 'Gas Town');
//     console.log(await treeItemLabels(wb.page, 'Town'));
//     await runCommand(wb.page, 'Gas Town: Refresh');
//     await screenshot(wb.page, 'town');
//   } finally { await wb.close(); }
//
// Notes: lists are virtual (only rendered rows are in the DOM); terminal text is readable because the
// server's settings turn GPU acceleration off.

import fs from 'node:fs';
import path from 'node:path';
import { startCodeServer } from './server.mjs';
import { closeBrowser, launchChromium, workbenchUrl } from './run-ext-tests.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function findExtHostLogs(udd) {
  const out = [];
  const walk = (d) => {
    let ents = [];
    try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/exthost\.log$/i.test(e.name)) out.push(p);
    }
  };
  walk(path.join(udd, 'logs'));
  return out;
}

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

/** Waits until the remote extension host logs that it activated `extId` (or that activation failed). */
async function waitForActivation(server, extId, timeoutMs) {
  const ok = new RegExp(`_doActivateExtension ${escapeRe(extId)},`, 'i');
  const bad = new RegExp(`Activating extension ${escapeRe(extId)} failed[^\\n]*`, 'i');
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    for (const f of findExtHostLogs(server.udd)) {
      let text = '';
      try { text = fs.readFileSync(f, 'utf8'); } catch { continue; }
      const m = bad.exec(text);
      if (m) {
        const after = text.slice(m.index).split('\n').slice(0, 15).join('\n');
        throw new Error(`extension ${extId} failed to activate:\n${after}\n(log: ${f})`);
      }
      if (ok.test(text)) return;
    }
    await sleep(200);
  }
  throw new Error(`extension ${extId} did not activate within ${timeoutMs / 1000} s ` +
    `(no "_doActivateExtension ${extId}" in ${path.join(server.udd, 'logs')}/**/remoteexthost.log; ` +
    `pass waitForActivation: false if it activates lazily; server log: ${server.logFile})`);
}

/**
 * Opens a workbench with the extension from `extDir` loaded, and waits until it is ready.
 * @param {object} o
 * @param {string} o.workspace
 * @param {string} o.extDir                 extension root (package.json with publisher + name)
 * @param {object} [o.env]                  environment for the server/extension host/terminals
 * @param {object} [o.settings]             extra user settings
 * @param {{width:number,height:number}} [o.viewport={width:1600,height:1000}]
 * @param {boolean} [o.waitForActivation=true]  wait for the extension's activation (ext host log)
 * @param {number} [o.timeoutMs=90000]      for the workbench and for activation, each
 * @param {string|((page) => Promise<any>)} [o.waitFor]  then also wait for this selector / function
 * @returns {Promise<{page: import('playwright-core').Page, server: object, browser: object, close: () => Promise<void>}>}
 */
export async function openWorkbench({
  workspace, extDir, env, settings, viewport = { width: 1600, height: 1000 },
  waitForActivation: waitAct = true, timeoutMs = 90000, waitFor,
} = {}) {
  if (!workspace || !extDir) throw new Error('openWorkbench: workspace and extDir are required');
  const pkg = JSON.parse(fs.readFileSync(path.join(extDir, 'package.json'), 'utf8'));
  const extId = `${pkg.publisher}.${pkg.name}`;
  let server, browser;
  const close = async () => {
    if (browser) await closeBrowser(browser);
    if (server) await server.stop();
  };
  try {
    server = await startCodeServer({ workspace, env, settings });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    await page.goto(workbenchUrl(server, { workspace, extDir, env }), { timeout: timeoutMs });
    await page.locator('.monaco-workbench').first().waitFor({ state: 'visible', timeout: timeoutMs });
    if (waitAct) await waitForActivation(server, extId, timeoutMs);
    if (typeof waitFor === 'string') await page.locator(waitFor).first().waitFor({ state: 'visible', timeout: timeoutMs });
    else if (typeof waitFor === 'function') await waitFor(page);
    return { page, server, browser, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Opens the command palette (F1, falling back to Ctrl+Shift+P), types `title`, runs the exact match. */
export async function runCommand(page, title, { timeoutMs = 10000 } = {}) {
  const widget = page.locator('.quick-input-widget');
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  try {
    await widget.waitFor({ state: 'visible', timeout: 2000 });
  } catch {
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true }).catch(() => {});
    await page.keyboard.press('Control+Shift+P');
    await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  }
  const input = widget.locator('.quick-input-box input');
  await input.fill(`>${title}`);
  const t0 = Date.now();
  let labels = [];
  while (Date.now() - t0 < timeoutMs) {
    labels = await widget.locator('.quick-input-list .monaco-list-row').evaluateAll((rows) => rows.map((r) => {
      const l = r.querySelector('.label-name') || r;
      return { text: (l.textContent || '').trim(), focused: r.classList.contains('focused'), index: r.getAttribute('data-index') };
    }));
    const hit = labels.find((l) => l.text === title);
    if (hit) {
      if (hit.focused) await input.press('Enter');
      else await widget.locator(`.quick-input-list .monaco-list-row[data-index="${hit.index}"]`).click();
      await widget.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => {});
      return;
    }
    await sleep(100);
  }
  await page.keyboard.press('Escape');
  throw new Error(`runCommand: no command titled "${title}" in the palette; saw: ${JSON.stringify(labels.map((l) => l.text))}`);
}

/** Clicks the activity-bar entry whose label is `title` (e.g. "Gas Town", "Explorer"); never toggles it closed. */
export async function clickActivityBar(page, title, { timeoutMs = 10000 } = {}) {
  const items = page.locator('.part.activitybar .action-item');
  const t0 = Date.now();
  for (;;) {
    const idx = await items.evaluateAll((els, t) => els.findIndex((li) => {
      const a = li.querySelector('.action-label');
      const label = (a && a.getAttribute('aria-label')) || li.getAttribute('aria-label') || '';
      // A view badge makes it "Gas Town - 2 unread messages …".
      return label === t || label.startsWith(`${t} (`) || label.startsWith(`${t} - `);
    }), title);
    if (idx >= 0) {
      // Clicking the active container hides the sidebar. Just after a reload the container is already active
      // while the sidebar is still being restored: wait for that before clicking, and click again if a click
      // hid it.
      const li = items.nth(idx);
      const sidebar = page.locator('.part.sidebar');
      const shownSoon = (ms) => sidebar.waitFor({ state: 'visible', timeout: ms }).then(() => true, () => false);
      for (let i = 0; i < 3; i++) {
        const checked = await li.evaluate((el) => el.classList.contains('checked'));
        if (checked && (await shownSoon(i === 0 ? 3000 : 1000))) return;
        if (!checked || !(await sidebar.isVisible())) await li.locator('.action-label').click();
        if (await shownSoon(Math.max(1000, timeoutMs / 3))) {
          if (await li.evaluate((el) => el.classList.contains('checked'))) return;
        }
      }
      await sidebar.waitFor({ state: 'visible', timeout: 1000 });
      return;
    }
    if (Date.now() - t0 > timeoutMs) {
      const seen = await page.locator('.part.activitybar .action-label').evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')));
      throw new Error(`clickActivityBar: no activity bar entry "${title}"; saw: ${JSON.stringify(seen)}`);
    }
    await sleep(100);
  }
}

/** Locator of the view pane whose title (case-insensitive) or id is `view`; throws if absent. */
export async function resolvePane(page, view, { timeoutMs = 10000 } = {}) {
  const panes = page.locator('.part.sidebar .pane, .part.panel .pane, .part.auxiliarybar .pane');
  const t0 = Date.now();
  for (;;) {
    const idx = await panes.evaluateAll((els, v) => {
      const want = v.toLowerCase();
      const idClass = `view-${v.replace(/[.:]/g, '-')}`;
      return els.findIndex((p) => {
        const h = p.querySelector(':scope > .pane-header');
        if (!h) return false;
        const t = (h.querySelector('h3.title')?.textContent || '').trim().toLowerCase();
        const aria = (h.getAttribute('aria-label') || '').toLowerCase();
        return t === want || aria === `${want} section` || !!h.querySelector(`.icon.${CSS.escape(idClass)}`);
      });
    }, view);
    if (idx >= 0) return panes.nth(idx);
    // A container with a single view hides the pane header: accept the sidebar title instead.
    const title = (await page.locator('.part.sidebar .composite.title h2').first().textContent().catch(() => '')) || '';
    if (title && title.toLowerCase().includes(view.toLowerCase()) && await page.locator('.part.sidebar .pane').count() === 1) {
      return page.locator('.part.sidebar .pane').first();
    }
    if (Date.now() - t0 > timeoutMs) {
      const seen = await page.locator('.pane-header h3.title').allTextContents().catch(() => []);
      throw new Error(`no view pane "${view}" (open its container first); views in the DOM: ${JSON.stringify(seen)}`);
    }
    await sleep(100);
  }
}

/**
 * Rows of a tree/list view: [{ label, description, level, expanded, text }] (rendered rows only).
 * @param {string} view  the view's title ("Hello Tree") or id ("hello.tree")
 */
export async function treeItems(page, view, { timeoutMs = 10000 } = {}) {
  const pane = await resolvePane(page, view, { timeoutMs });
  return pane.locator('.pane-body .monaco-list-row').evaluateAll((rows) => rows.map((r) => ({
    label: ((r.querySelector('.label-name') || r).textContent || '').trim(),
    description: ((r.querySelector('.label-description') || {}).textContent || '').trim(),
    level: Number(r.getAttribute('aria-level') || 1),
    expanded: r.hasAttribute('aria-expanded') ? r.getAttribute('aria-expanded') === 'true' : undefined,
    text: (r.innerText || '').trim(),
  })));
}

/** Labels of the rendered rows (`.monaco-list-row`) of a view pane, found by title or id. */
export async function treeItemLabels(page, view, opts) {
  return (await treeItems(page, view, opts)).map((r) => r.label);
}

/** Waits until the view shows a row labelled `label` (string, RegExp or predicate); returns all labels. */
export async function waitForTreeItem(page, view, label, { timeoutMs = 15000 } = {}) {
  const t0 = Date.now();
  let labels = [];
  for (;;) {
    labels = await treeItemLabels(page, view, { timeoutMs });
    if (labels.some((l) => (typeof label === "function" ? label(l) : label instanceof RegExp ? label.test(l) : l === label))) return labels;
    if (Date.now() - t0 > timeoutMs) throw new Error(`waitForTreeItem: no "${label}" in view "${view}"; rows: ${JSON.stringify(labels)}`);
    await sleep(150);
  }
}

/** Text of the visible terminal(s) (`.xterm-rows`), non-breaking spaces turned into spaces. */
export async function terminalText(page) {
  const texts = await page.locator('.xterm-rows').evaluateAll((els) => els.map((e) => e.innerText));
  return texts.join('\n').replace(/\u00a0/g, ' ');
}

/** Status bar items: [{ id, text, ariaLabel }]. */
export async function statusBarItems(page) {
  return page.locator('.part.statusbar .statusbar-item').evaluateAll((els) => els.map((e) => ({
    id: e.id, text: (e.innerText || '').replace(/\s+/g, ' ').trim(), ariaLabel: e.getAttribute('aria-label') || '',
  })));
}

/** Text of the status bar, one item per line. */
export async function statusBarText(page) {
  return (await statusBarItems(page)).map((i) => i.text).filter(Boolean).join('\n');
}

/** Saves a screenshot to ${GASTOWN_TEST_RESULTS:-./test-results}/<name>.png and returns its path. */
export async function screenshot(page, name) {
  const dir = path.resolve(process.env.GASTOWN_TEST_RESULTS || 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
  await page.screenshot({ path: file });
  return file;
}
