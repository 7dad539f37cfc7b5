import * as path from 'node:path';
import Mocha from 'mocha';

/** Entry point for the extension-host suite (code-server harness and @vscode/test-electron alike). */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
  const grep = process.env.GASTOWN_TEST_GREP;
  if (grep) {
    mocha.grep(grep);
  }
  for (const file of ['extension.test.js', 'agents.test.js', 'tmux.test.js', 'beads.test.js']) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
