/**
 * Reading and writing the planned hook files on disk, safely: nothing outside the chosen root, nothing through a
 * symlink that leaves it, atomic writes with gt's modes, and a git clone kept clean through `.git/info/exclude`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClaudeHookSet, UserHookLayers } from './claudeHookSet';
import type { PlannedFile } from './hookPlan';
import { withPrimeSection } from './instructionsSection';
import { mergeHookFile } from './mergeHookFile';

const MAX_BYTES = 1024 * 1024;

export type HookState = 'installed' | 'outdated' | 'missing' | 'blocked';

export interface InspectedFile {
  file: PlannedFile;
  state: HookState;
  /** Where the bytes go: the file itself, or the target of a symlink inside the root. */
  realPath: string;
  current?: string;
  next?: string;
  /** Why a blocked file is left alone. */
  reason?: string;
}

function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path the file would be written at, or why not: every symlink on the way must stay inside the root. */
function resolveInside(root: string, file: string): { real: string } | { reason: string } {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return { reason: `the folder ${root} does not exist` };
  }
  if (!within(path.resolve(root), path.resolve(file))) {
    return { reason: `it is outside ${root}` };
  }
  // The deepest part of the path that exists, resolved; the rest is created under it.
  let existing = path.resolve(file);
  const rest: string[] = [];
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    rest.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  let real: string;
  try {
    real = path.join(fs.realpathSync(existing), ...rest);
  } catch {
    return { reason: 'a symlink on its path points nowhere' };
  }
  if (!within(realRoot, real)) {
    return { reason: `a symlink on its path leads outside ${root}` };
  }
  return { real };
}

function readText(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      throw new Error('not a regular file');
    }
    if (stat.size > MAX_BYTES) {
      throw new Error(`${stat.size} bytes, over the ${MAX_BYTES}-byte limit`);
    }
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw e;
  }
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** What is there now and what an install would write. Reads only; spawns nothing. */
export function inspectFile(file: PlannedFile, root: string): InspectedFile {
  const where = resolveInside(root, file.path);
  if ('reason' in where) {
    return { file, state: 'blocked', realPath: file.path, reason: where.reason };
  }
  let current: string | undefined;
  try {
    current = readText(where.real);
  } catch (e) {
    return { file, state: 'blocked', realPath: where.real, reason: `it cannot be read (${(e as Error).message})` };
  }
  let next: string;
  if (file.kind === 'instructions') {
    next = withPrimeSection(current, file.section);
  } else {
    const merged = mergeHookFile(current, file.doc);
    if (!merged.ok) {
      return { file, state: 'blocked', realPath: where.real, current, reason: merged.reason };
    }
    next = merged.text;
  }
  if (current !== undefined && current !== next && file.kind === 'hooks' && file.doc.type === 'json' && sameJson(current, next)) {
    // gt's encoder escapes `&`, `<` and `>`: the same document in other bytes is current, and stays as gt wrote it.
    next = current;
  }
  const state: HookState = current === undefined ? 'missing' : current === next ? 'installed' : 'outdated';
  return { file, state, realPath: where.real, current, next };
}

/** The git work tree holding `file` and the `info/exclude` that applies to it (a worktree's common dir). */
function gitExcludeFor(file: string): { top: string; exclude: string } | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const dotGit = path.join(dir, '.git');
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(dotGit);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      return { top: dir, exclude: path.join(dotGit, 'info', 'exclude') };
    }
    if (stat?.isFile()) {
      const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
      if (!m) {
        return undefined;
      }
      const gitDir = path.resolve(dir, m[1].trim());
      let common = gitDir;
      try {
        common = path.resolve(gitDir, fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        // not a linked worktree
      }
      return { top: dir, exclude: path.join(common, 'info', 'exclude') };
    }
    const up = path.dirname(dir);
    if (up === dir) {
      return undefined;
    }
    dir = up;
  }
}

/** The highest folder between `top` and `dir` that does not exist yet (what a write of a file in `dir` creates). */
function topmostMissingDir(top: string, dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = dir; within(top, d) && d !== top && !fs.existsSync(d); d = path.dirname(d)) {
    missing = d;
  }
  return missing;
}

function tracked(top: string, rel: string): boolean {
  try {
    return execFileSync('git', ['-C', top, 'ls-files', '--', rel], { encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return false;
  }
}

function addExclude(exclude: string, rel: string): void {
  const line = '/' + rel.split(path.sep).join('/');
  let text = '';
  try {
    text = fs.readFileSync(exclude, 'utf8');
  } catch {
    fs.mkdirSync(path.dirname(exclude), { recursive: true });
  }
  if (text.split(/\r?\n/).includes(line)) {
    return;
  }
  fs.writeFileSync(exclude, text + (text === '' || text.endsWith('\n') ? '' : '\n') + line + '\n');
}

function atomicWrite(file: string, text: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { mode });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** A file git tracks: left as it is so the clone stays clean (not a fault of the file). */
export class TrackedFileError extends Error {}

export interface WriteOutcome {
  path: string;
  written: boolean;
  excluded?: string;
}

/**
 * Writes an inspected file when it changes. A file git tracks is not changed (the clone would become dirty);
 * a new one inside a git clone is added to `.git/info/exclude`.
 */
export function writeInspected(i: InspectedFile): WriteOutcome {
  if (i.state === 'blocked' || i.next === undefined) {
    throw new Error(`${i.file.path} was not changed: ${i.reason ?? 'nothing to write'}`);
  }
  const git = gitExcludeFor(i.realPath);
  const rel = git ? path.relative(git.top, i.realPath) : undefined;
  if (i.state === 'installed') {
    return { path: i.realPath, written: false };
  }
  if (git && rel && tracked(git.top, rel)) {
    throw new TrackedFileError(`${i.file.path} was not changed: git tracks it in ${git.top}, and changing it would leave the clone dirty`);
  }
  const created = git ? topmostMissingDir(git.top, path.dirname(i.realPath)) : undefined;
  atomicWrite(i.realPath, i.next, i.file.mode);
  if (git && rel) {
    // A folder we create is ours as a whole (opencode adds node_modules and a package.json next to its plugin).
    addExclude(git.exclude, created ? path.relative(git.top, created) + path.sep : rel);
    return { path: i.realPath, written: true, excluded: git.exclude };
  }
  return { path: i.realPath, written: true };
}

function readLayer(file: string): ClaudeHookSet | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as ClaudeHookSet) : undefined;
  } catch {
    return undefined;
  }
}

/** The user's gt hook layers: `$GT_HOME/.gt`, then `~/.gt` (gt's gtConfigDirs), first found wins per file. */
export function readUserHookLayers(env: NodeJS.ProcessEnv = process.env): UserHookLayers {
  const dirs = [...(env.GT_HOME ? [path.join(env.GT_HOME, '.gt')] : []), path.join(env.HOME || os.homedir(), '.gt')];
  const first = (name: string): ClaudeHookSet | undefined => {
    for (const d of dirs) {
      const layer = readLayer(path.join(d, name));
      if (layer) {
        return layer;
      }
    }
    return undefined;
  };
  const overrides: Record<string, ClaudeHookSet> = {};
  for (const d of [...dirs].reverse()) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(d, 'hooks-overrides')).filter((n) => n.endsWith('.json'));
    } catch {
      continue;
    }
    for (const n of names) {
      const layer = readLayer(path.join(d, 'hooks-overrides', n));
      if (layer) {
        overrides[n.slice(0, -'.json'.length).split('__').join('/')] = layer;
      }
    }
  }
  return { base: first('hooks-base.json'), overrides };
}

/** A `gt-<agent>` wrapper: prime the role (when in one), then run the agent with its arguments. */
export function wrapperScript(agentCommand: string, gtBin: string): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `# Gas Town for VS Code: runs \`gt prime\` for this role, then ${agentCommand}.`,
    `if [ -n "\${GT_ROLE:-}" ] && [ -z "\${GASTOWN_DISABLED:-}" ]; then`,
    `  ${q(gtBin)} prime 2>/dev/null || true`,
    'fi',
    `exec ${q(agentCommand)} "$@"`,
    '',
  ].join('\n');
}

export function writeWrapper(dir: string, agentName: string, agentCommand: string, gtBin: string): string {
  const file = path.join(dir, `gt-${agentName}`);
  const where = resolveInside(dir, file);
  if ('reason' in where) {
    throw new Error(`${file} was not written: ${where.reason}`);
  }
  atomicWrite(where.real, wrapperScript(agentCommand, gtBin), 0o755);
  return where.real;
}
