import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as z from 'zod';
import { polecatDir, witnessDir } from './discovery';
import { isDir } from './fsCheck';
import { problemAtPath, readJsonDocument, validateDocument } from './jsonDocument';
import type { SettingsProblem } from './problems';
import { RoleHome } from './roles';
import { loadJson } from './settingsFiles';
import { RigConfig, rigConfigSchema, RigsFile, rigsFileSchema, TownConfig, townConfigSchema } from './schemas';

export interface RigLayout {
  name: string;
  dir: string;
  /** The rig's beads prefix as registered (trailing `-` removed). */
  prefix: string;
  config?: RigConfig;
  /** Role homes that exist on disk: witness, refinery, then crew and polecats by name. */
  roles: RoleHome[];
}

export interface TownLayout {
  root: string;
  name: string;
  config?: TownConfig;
  /** mayor and deacon, when their directories exist. */
  townRoles: RoleHome[];
  rigs: RigLayout[];
  problems: SettingsProblem[];
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function readValidated<T>(file: string, schema: z.ZodType<T>, problems: SettingsProblem[]): T | undefined {
  const loaded = loadJson(file, (doc) => validateDocument(doc, schema));
  problems.push(...loaded.problems);
  return loaded.value;
}

/** The rigs registry: `mayor/rigs.json`, or the town-root copy gt keeps as a fallback. */
function readRigs(root: string, problems: SettingsProblem[]): RigsFile | undefined {
  for (const file of [path.join(root, 'mayor', 'rigs.json'), path.join(root, 'rigs.json')]) {
    const doc = readJsonDocument(file);
    if (!doc.exists) {
      continue;
    }
    const value = doc.value !== undefined ? validateDocument(doc, rigsFileSchema) : undefined;
    if (value && (value.version ?? 1) > 1) {
      doc.problems.push(problemAtPath(doc, ['version'], `rigs registry version ${value.version} is newer than this extension understands (1)`, 'warning'));
    }
    problems.push(...doc.problems);
    return value;
  }
  return undefined;
}

export function stripPrefixDash(prefix: string): string {
  return prefix.endsWith('-') ? prefix.slice(0, -1) : prefix;
}

/** The role homes of one rig that exist on disk. */
export function rigRoles(townRoot: string, rig: string): RoleHome[] {
  const dir = path.join(townRoot, rig);
  const roles: RoleHome[] = [];
  const base = { townRoot, rig };
  if (isDir(path.join(dir, 'witness'))) {
    roles.push({ ...base, kind: 'witness', dir: witnessDir(dir) });
  }
  if (isDir(path.join(dir, 'refinery'))) {
    roles.push({ ...base, kind: 'refinery', dir: path.join(dir, 'refinery', 'rig') });
  }
  for (const name of subdirs(path.join(dir, 'crew'))) {
    roles.push({ ...base, kind: 'crew', name, dir: path.join(dir, 'crew', name) });
  }
  for (const name of subdirs(path.join(dir, 'polecats'))) {
    roles.push({ ...base, kind: 'polecat', name, dir: polecatDir(dir, rig, name) });
  }
  return roles;
}

/** Reads a town's layout from disk: its config, its rigs (from the registry) and every role home present. */
export function readTownLayout(root: string): TownLayout {
  const problems: SettingsProblem[] = [];
  const config = readValidated(path.join(root, 'mayor', 'town.json'), townConfigSchema, problems);
  const townRoles: RoleHome[] = [];
  for (const kind of ['mayor', 'deacon'] as const) {
    const dir = path.join(root, kind);
    if (isDir(dir)) {
      townRoles.push({ townRoot: root, kind, dir });
    }
  }
  const rigsFile = readRigs(root, problems);
  const rigs: RigLayout[] = [];
  for (const name of Object.keys(rigsFile?.rigs ?? {}).sort()) {
    const entry = rigsFile?.rigs?.[name];
    const dir = path.join(root, name);
    const rigConfig = readValidated(path.join(dir, 'config.json'), rigConfigSchema, problems);
    const prefix = stripPrefixDash(entry?.beads?.prefix || rigConfig?.beads?.prefix || 'gt');
    rigs.push({ name, dir, prefix, config: rigConfig, roles: rigRoles(root, name) });
  }
  return { root, name: config?.name || path.basename(root), config, townRoles, rigs, problems };
}

/** The beads prefix of a role's rig (gt's tmux session names use it); undefined for town-level roles. */
export function rigPrefix(layout: TownLayout, rig: string | undefined): string | undefined {
  return layout.rigs.find((r) => r.name === rig)?.prefix;
}
