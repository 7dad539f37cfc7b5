import * as path from 'node:path';
import { runMochaFiles } from '../integration/mochaRun';

/** Entry point for the real-agent suite: Claude Code and opencode from npm, offline against the harness's model stub. */
export function run(): Promise<void> {
  return runMochaFiles([path.join(__dirname, 'realAgents.test.js')]);
}
