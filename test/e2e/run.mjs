// The UI suite: a real workbench in a real browser, driven like a user. Each *.e2e.mjs exports
// `suite = { name, open: () => options for openWorkbench, tests: [{ name, run(page, ctx) }] }`.
// Prints one line per test and ends with "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWorkbench, screenshot } from '../harness/ui.mjs';
import { dumpExtensionLog } from '../harness/run-ext-tests.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A test is picked by text it contains, or by a regular expression (as mocha's grep). */
function matches(title, grep) {
  if (title.includes(grep)) return true;
  try {
    return new RegExp(grep).test(title);
  } catch {
    return false;
  }
}

export async function runUiSuites({ extDir, town, env, grep }) {
  let passed = 0;
  let failed = 0;
  const files = fs.readdirSync(here).filter((f) => f.endsWith('.e2e.mjs')).sort();
  for (const file of files) {
    const { suite } = await import(pathToFileURL(path.join(here, file)).href);
    const tests = suite.tests.filter((t) => !grep || matches(`${suite.name} ${t.name}`, grep));
    if (tests.length === 0) continue;
    console.log(`\n  ${suite.name}`);
    let wb;
    try {
      wb = await openWorkbench({ workspace: town, extDir, env, ...(suite.open?.() ?? {}) });
    } catch (e) {
      console.log(`    ✗ could not open the workbench: ${e.message}`);
      failed += tests.length;
      continue;
    }
    const ctx = { town, env };
    try {
      for (const t of tests) {
        const started = Date.now();
        try {
          await t.run(wb.page, ctx);
          passed++;
          console.log(`    ✔ ${t.name} (${Date.now() - started} ms)`);
        } catch (e) {
          failed++;
          console.log(`    ✗ ${t.name}\n      ${String(e.stack ?? e).split('\n').slice(0, 4).join('\n      ')}`);
          await screenshot(wb.page, `FAILED-${suite.name}-${t.name}`.replace(/[^A-Za-z0-9._-]+/g, '_')).catch(() => {});
          dumpExtensionLog(wb.server.udd, path.resolve('test-results'), (line) => console.log(line));
        }
      }
    } finally {
      await wb.close();
    }
  }
  console.log(`\nui: ${passed} passed, ${failed} failed`);
  return { passed, failed };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [town] = process.argv.slice(2);
  const r = await runUiSuites({ extDir: path.resolve(here, '..', '..'), town, env: {}, grep: process.env.GASTOWN_TEST_GREP });
  process.exit(r.failed > 0 ? 1 : 0);
}
