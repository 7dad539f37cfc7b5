import Mocha from 'mocha';

/** Runs mocha test files in the extension host (the entry points of every extension-host suite). */
export function runMochaFiles(files: string[]): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  const grep = process.env.GASTOWN_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  files.forEach((f) => mocha.addFile(f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    // For scripts/test.mjs: if the harness's hang guard ends the suite, the tests that never ran count as failed.
    console.log(`MOCHA_PLANNED:${runner.total}`);
  });
}
