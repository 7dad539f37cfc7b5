// Shared by `npm start` and `npm test`: the real Gas Town stack and a demo town to point VS Code at.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs a command, streaming its output unless quiet; resolves with its exit code and output. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    const take = (stream, sink) => stream.on('data', (d) => { out += d; if (!opts.quiet) sink.write(d); });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on('error', (e) => resolve({ code: 127, out: out + String(e) }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

export class PrerequisiteError extends Error {
  constructor(what, detail) {
    super(`${what}\n${String(detail).trim().split('\n').slice(-15).join('\n')}`);
  }
}

/** gt, bd and dolt, built once from the Go module proxy and cached; returns their bin directory. */
export async function ensureGasTownStack() {
  const stack = await run('bash', [path.join(root, 'scripts', 'gastown-stack.sh')]);
  if (stack.code !== 0) throw new PrerequisiteError('installing gt, bd and dolt (scripts/gastown-stack.sh)', stack.out);
  return stack.out.trim().split('\n').pop();
}

/** The `export K="V"` lines of a demo town's env.sh (HOME and XDG_* redirected into the demo dir). */
function readTownEnv(file) {
  const env = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)="(.*)"$/.exec(line);
    if (m && m[1] !== 'PATH') env[m[1]] = m[2];
  }
  return env;
}

/**
 * Builds (or reuses) the demo town in `dir`. Returns the town, the environment for VS Code and the town's
 * tools, and `stop()`, which stops its Dolt server and tmux (synchronously, so it also works in a signal handler).
 */
export async function demoTown(dir, bin) {
  const script = path.join(root, 'scripts', 'demo-town.sh');
  const stop = () => spawnSync('bash', [script, 'stop', dir], { stdio: 'ignore' });
  const demo = await run('bash', [script, 'build', dir]);
  if (demo.code !== 0) {
    stop();
    throw new PrerequisiteError('building the demo town (scripts/demo-town.sh)', demo.out);
  }
  const summary = JSON.parse(demo.out.trim().split('\n').filter((l) => l.startsWith('{')).pop() ?? '{}');
  if (!summary.town || !fs.existsSync(summary.town)) {
    stop();
    throw new PrerequisiteError('the demo town', `no town in ${JSON.stringify(summary)}`);
  }
  const env = { ...readTownEnv(summary.env), PATH: `${bin}${path.delimiter}${process.env.PATH}` };
  return { town: summary.town, summary, env, stop };
}
