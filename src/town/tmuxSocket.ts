import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The per-town tmux socket gt uses (`tmux -L <name>`): the sanitised town folder name and the first six hex
 * digits of the SHA-256 of its real path; `GT_TMUX_SOCKET` wins unless it is `default` or `auto`.
 */
export function townSocketName(townRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.GT_TMUX_SOCKET;
  if (fromEnv && fromEnv !== 'default' && fromEnv !== 'auto') {
    return fromEnv;
  }
  let real = path.resolve(townRoot);
  try {
    real = fs.realpathSync(real);
  } catch {
    // a town that is gone keeps its computed name
  }
  const base = path.basename(real).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'default';
  return `${base}-${createHash('sha256').update(real).digest('hex').slice(0, 6)}`;
}
