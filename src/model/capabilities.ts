import * as path from 'node:path';
import { portOpen } from '../cli/portProbe';
import { CliError, CliLogger, runCli } from '../cli/runner';
import { resolveDoltTarget } from '../town/doltTarget';

/** What a town (or a beads-only folder) can do here: drives the welcome views and beads-only mode. */
export interface Capabilities {
  gt: ToolState;
  bd: ToolState;
  tmux: ToolState;
  /** The Dolt server the beads live on; `n/a` when the database is not in server mode. */
  dolt: { state: 'ok' | 'down' | 'n/a'; host?: string; port?: number; reason?: string };
}

export type ToolState = { state: 'ok'; version: string } | { state: 'missing'; reason: string } | { state: 'old'; version: string; need: string };

/** Oldest versions the extension speaks to: bd 1.0 has `--limit 0` and `--json` everywhere; gt 1.0 has `status --json`. */
export const MIN_VERSIONS = { gt: '1.0.0', bd: '1.0.0', tmux: '2.0' };

export function parseVersion(text: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)?[a-z]?)/.exec(text)?.[1];
}

export function versionAtLeast(have: string, need: string): boolean {
  const a = have.split(/[.a-z]/).filter((s) => s !== '').map(Number);
  const b = need.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

async function tool(bin: string, args: string[], need: string, cwd: string, env: Record<string, string>, log?: CliLogger): Promise<ToolState> {
  try {
    const r = await runCli(bin, args, { cwd, env, timeoutMs: 10_000, logLevel: 'debug' }, log);
    const version = parseVersion(r.stdout + r.stderr);
    if (!version) {
      return { state: 'missing', reason: `${bin} ${args.join(' ')} printed no version: ${(r.stdout + r.stderr).slice(0, 80)}` };
    }
    return versionAtLeast(version, need) ? { state: 'ok', version } : { state: 'old', version, need };
  } catch (err) {
    const e = err as CliError;
    return { state: 'missing', reason: e.kind === 'not-found' ? `${bin} is not installed (not found on PATH)` : e.message };
  }
}

export interface ProbeInput {
  bins: { gt: string; bd: string; tmux: string };
  /** A town root, or the folder of a beads-only workspace. */
  root: string;
  isTown: boolean;
  env: Record<string, string>;
  log?: CliLogger;
}

/** Three version calls and one TCP connect; run when a view first shows, and again on Refresh. */
export async function probeCapabilities(input: ProbeInput): Promise<Capabilities> {
  const { bins, root, env, log } = input;
  const [gt, bd, tmux] = await Promise.all([
    input.isTown ? tool(bins.gt, ['version'], MIN_VERSIONS.gt, root, env, log) : Promise.resolve<ToolState>({ state: 'missing', reason: 'not a Gas Town (beads-only mode)' }),
    tool(bins.bd, ['version'], MIN_VERSIONS.bd, root, env, log),
    tool(bins.tmux, ['-V'], MIN_VERSIONS.tmux, root, env, log),
  ]);
  const target = resolveDoltTarget(path.join(root, '.beads'), { townRoot: input.isTown ? root : undefined, env: { ...process.env, ...env } });
  let dolt: Capabilities['dolt'];
  if (!target.ok) {
    dolt = { state: 'n/a', reason: target.reason };
  } else {
    const { host, port } = target.target;
    dolt = (await portOpen(port, host, 1000)) ? { state: 'ok', host, port } : { state: 'down', host, port, reason: `nothing listens on ${host}:${port}` };
  }
  return { gt, bd, tmux, dolt };
}

/** The one reason the Beads view cannot work, in the order a user must fix them; undefined when it can. */
export function beadsBlocker(c: Capabilities): 'bd-missing' | 'bd-old' | 'dolt-down' | undefined {
  if (c.bd.state === 'missing') return 'bd-missing';
  if (c.bd.state === 'old') return 'bd-old';
  if (c.dolt.state === 'down') return 'dolt-down';
  return undefined;
}
