import * as path from 'node:path';
import { runMochaFiles } from '../integration/mochaRun';

/** Entry point for the untrusted-workspace suite: the harness opens the demo town in Restricted Mode. */
export function run(): Promise<void> {
  return runMochaFiles([path.join(__dirname, 'untrusted.test.js')]);
}
