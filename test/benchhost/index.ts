import * as path from 'node:path';
import { runMochaFiles } from '../integration/mochaRun';

/** Entry point for `npm run bench`'s figures taken inside a real VS Code (not part of npm test). */
export function run(): Promise<void> {
  const only = process.env.GASTOWN_BENCH_ONLY;
  return runMochaFiles([path.join(__dirname, only === 'activation' ? 'activation.bench.js' : 'host.bench.js')]);
}
