import * as path from 'node:path';
import { runMochaFiles } from '../integration/mochaRun';

/** Entry point for the beads-only suite: the harness opens a folder with `.beads/` and no Gas Town. */
export function run(): Promise<void> {
  return runMochaFiles([path.join(__dirname, 'beadsonly.test.js')]);
}
