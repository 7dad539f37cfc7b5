import * as os from 'node:os';
import * as path from 'node:path';

/** Expands a leading `~` and every `${env:VAR}` (unset variables become empty, as VS Code does). */
export function expandPath(input: string, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  let out = input.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => env[name] ?? '');
  if (out === '~') {
    out = home;
  } else if (out.startsWith('~/') || out.startsWith('~\\')) {
    out = path.join(home, out.slice(2));
  }
  return out;
}

/** True when `child` is `parent` or lies below it. */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
