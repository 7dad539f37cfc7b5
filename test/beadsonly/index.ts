import * as path from 'node:path';
import Mocha from 'mocha';

/** Entry point for the beads-only suite: the harness opens a folder with `.beads/` and no Gas Town. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  const grep = process.env.GASTOWN_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  mocha.addFile(path.join(__dirname, 'beadsonly.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
