// `npm start`: build, make or reuse the demo town (or use GT_ROOT), start code-server on 127.0.0.1 with
// the extension loaded from this folder, print the URL, and stop everything on Ctrl-C.
import os from 'node:os';
import path from 'node:path';
import { startCodeServer } from '../test/harness/server.mjs';
import { workbenchUrl } from '../test/harness/run-ext-tests.mjs';
import { ensureVsCodeStack } from '../test/harness/setup.mjs';
import { demoTown, ensureGasTownStack, PrerequisiteError, root, run } from './lib/stack.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const cache = process.env.GASTOWN_VSCODE_CACHE || path.join(os.homedir(), '.cache', 'gastown-vscode');

try {
  if ((await run(npm, ['run', '-s', 'build'])).code !== 0) throw new PrerequisiteError('the build (npm run build)', '');
  const bin = await ensureGasTownStack();
  let town = process.env.GT_ROOT;
  let env = { PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  let stopTown = () => {};
  if (town) {
    console.log(`Using the town in GT_ROOT: ${town}`);
  } else {
    const demo = await demoTown(path.join(cache, 'demo'), bin);
    ({ town, env, stop: stopTown } = demo);
    console.log(`Demo town: ${town} (${demo.summary.beads} beads; its Dolt server runs on port ${demo.summary.doltPort})`);
  }
  await ensureVsCodeStack();
  const port = Number(process.env.GASTOWN_PORT || 8765);
  const server = await startCodeServer({ workspace: town, env, port });
  // The harness ends the server's process group on signals; the town's servers are ours to stop.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stopTown());
  console.log(`\nGas Town for VS Code is running (extension loaded from ${root}).\nOpen: ${workbenchUrl(server, { workspace: town, extDir: root })}\n\nPress Ctrl-C to stop.`);
  // Stay up until a signal: the server is a detached process group, so nothing else keeps Node alive.
  setInterval(() => {}, 1 << 30);
} catch (e) {
  console.error(e instanceof PrerequisiteError ? `\nCannot start: ${e.message}` : e);
  process.exit(1);
}
