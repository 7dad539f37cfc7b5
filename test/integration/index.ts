import * as path from 'node:path';
import { runMochaFiles } from './mochaRun';

/** Entry point for the extension-host suite (code-server harness and @vscode/test-electron alike). */
export function run(): Promise<void> {
  return runMochaFiles(['extension.test.js', 'agents.test.js', 'tmux.test.js', 'careful.test.js', 'beads.test.js', 'mail.test.js', 'escalations.test.js', 'convoys.test.js', 'hooks.test.js'].map((f) => path.join(__dirname, f)));
}
