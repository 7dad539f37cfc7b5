import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDir, isFile } from './fsCheck';
import { expandPath, isWithin } from './paths';
import type { RoleHome } from './roles';

export type TownFoundBy = 'town.json' | 'mayor-dir' | 'GT_TOWN_ROOT' | 'GT_ROOT' | 'setting';

export interface TownLocation {
  root: string;
  foundBy: TownFoundBy;
}

/**
 * Finds the town for a folder as gt's workspace.Find does: the outermost ancestor with `mayor/town.json`,
 * else the outermost with a `mayor/` directory; then the environment, then the extension setting.
 * Symlinks are not resolved (gt does not either).
 */
export function findTownRoot(start: string, env: NodeJS.ProcessEnv = process.env, townRootSetting?: string): TownLocation | undefined {
  let primary: string | undefined;
  let secondary: string | undefined;
  let dir = path.resolve(start);
  for (;;) {
    if (isFile(path.join(dir, 'mayor', 'town.json'))) {
      primary = dir;
    } else if (isDir(path.join(dir, 'mayor'))) {
      secondary = dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  if (primary) {
    return { root: primary, foundBy: 'town.json' };
  }
  if (secondary) {
    return { root: secondary, foundBy: 'mayor-dir' };
  }
  for (const name of ['GT_TOWN_ROOT', 'GT_ROOT'] as const) {
    const value = env[name];
    if (value && isDir(value)) {
      return { root: path.resolve(value), foundBy: name };
    }
  }
  if (townRootSetting && townRootSetting.trim() !== '') {
    const expanded = path.resolve(expandPath(townRootSetting.trim(), env));
    if (isDir(expanded)) {
      return { root: expanded, foundBy: 'setting' };
    }
  }
  return undefined;
}

/** What a folder inside a town is: the town itself, a rig, or a role home (possibly a subfolder of one). */
export interface FolderPlace {
  townRoot: string;
  rig?: string;
  role?: RoleHome;
}

const TOWN_LEVEL_DIRS = new Set(['mayor', 'deacon', 'settings', 'config', 'plugins', 'daemon', 'directives', 'formula-overlays', 'logs']);

/** Tells which rig and role home a folder belongs to, from gt's path patterns. */
export function placeOfFolder(townRoot: string, folder: string, isRig: (name: string) => boolean = (n) => isFile(path.join(townRoot, n, 'config.json'))): FolderPlace {
  const place: FolderPlace = { townRoot };
  const abs = path.resolve(folder);
  if (!isWithin(townRoot, abs)) {
    return place;
  }
  const seg = path.relative(townRoot, abs).split(path.sep).filter((s) => s !== '');
  if (seg.length === 0) {
    return place;
  }
  const base = { townRoot };
  if (seg[0] === 'mayor') {
    place.role = { ...base, kind: 'mayor', dir: path.join(townRoot, 'mayor') };
    return place;
  }
  if (seg[0] === 'deacon') {
    if (seg[1] === 'dogs' && seg[2] === 'boot') {
      place.role = { ...base, kind: 'boot', dir: path.join(townRoot, 'deacon', 'dogs', 'boot') };
    } else if (seg[1] === 'dogs' && seg[2]) {
      place.role = { ...base, kind: 'dog', name: seg[2], dir: path.join(townRoot, 'deacon', 'dogs', seg[2]) };
    } else {
      place.role = { ...base, kind: 'deacon', dir: path.join(townRoot, 'deacon') };
    }
    return place;
  }
  if (TOWN_LEVEL_DIRS.has(seg[0]) || seg[0].startsWith('.') || !isRig(seg[0])) {
    return place;
  }
  const rig = seg[0];
  place.rig = rig;
  const rigDir = path.join(townRoot, rig);
  switch (seg[1]) {
    case 'mayor':
      // gt's detectRole counts the rig's canonical clone as the mayor's ground.
      place.role = { ...base, kind: 'mayor', dir: path.join(townRoot, 'mayor') };
      break;
    case 'witness':
      place.role = { ...base, kind: 'witness', rig, dir: witnessDir(rigDir) };
      break;
    case 'refinery':
      place.role = { ...base, kind: 'refinery', rig, dir: path.join(rigDir, 'refinery', 'rig') };
      break;
    case 'crew':
      if (seg[2] && !seg[2].startsWith('.')) {
        place.role = { ...base, kind: 'crew', rig, name: seg[2], dir: path.join(rigDir, 'crew', seg[2]) };
      }
      break;
    case 'polecats':
      if (seg[2] && !seg[2].startsWith('.')) {
        place.role = { ...base, kind: 'polecat', rig, name: seg[2], dir: polecatDir(rigDir, rig, seg[2]) };
      }
      break;
  }
  return place;
}

/** A polecat's worktree: `polecats/<name>/<rig>`, or the legacy `polecats/<name>` when that is itself a clone. */
export function polecatDir(rigDir: string, rig: string, name: string): string {
  const legacy = path.join(rigDir, 'polecats', name);
  const modern = path.join(legacy, rig);
  if (!isDir(modern) && fs.existsSync(path.join(legacy, '.git'))) {
    return legacy;
  }
  return modern;
}

/** The witness runs in `witness/rig` when that exists, else in `witness`. */
export function witnessDir(rigDir: string): string {
  const withRig = path.join(rigDir, 'witness', 'rig');
  return isDir(withRig) ? withRig : path.join(rigDir, 'witness');
}
