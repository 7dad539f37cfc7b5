/**
 * Which files make an agent self-prime, for one role home or a plain folder, from the preset's hook fields. Pure.
 */
import * as path from 'node:path';
import { isAutonomous, RoleHome, roleSettingsDir } from '../roles';
import type { AgentPreset } from '../schemas';
import type { UserHookLayers } from './claudeHookSet';
import { primeSection } from './instructionsSection';
import { CONFIG_ONLY_PROVIDERS, HookDocument, hookDocument } from './providerFiles';

export type PlannedFile =
  | { kind: 'hooks'; path: string; doc: HookDocument; mode: number; agent: string }
  | { kind: 'instructions'; path: string; section: string; mode: number; agent: string };

export interface HookPlanInput {
  agentName: string;
  preset: AgentPreset;
  gtBin: string;
  user?: UserHookLayers;
}

/** gt writes JSON hook files 0600 (they may hold role config), others 0644. */
function modeFor(file: string): number {
  return file.endsWith('.json') ? 0o600 : 0o644;
}

/** The preset names a hooks provider that runs its hooks (gt's `none` and informational ones do not). */
export function presetHasHooks(p: Pick<AgentPreset, 'hooks_provider' | 'hooks_informational'>): boolean {
  const provider = p.hooks_provider ?? '';
  return provider !== '' && provider !== 'none' && p.hooks_informational !== true;
}

/** Hooks that prime: a config-only provider (vibe) has none, so its agent gets the instructions section. */
function hasHooks(p: AgentPreset): boolean {
  return presetHasHooks(p) && !CONFIG_ONLY_PROVIDERS.has(p.hooks_provider ?? '');
}

/** gt's default: CLAUDE.md for Claude, else AGENTS.md. */
export function instructionsFile(p: AgentPreset): string {
  return p.instructions_file || (p.hooks_provider === 'claude' ? 'CLAUDE.md' : 'AGENTS.md');
}

/** Files for a role home: the hook file where gt puts it (the settings dir for `--settings` agents), else instructions. */
export function planRoleHooks(home: RoleHome, input: HookPlanInput): PlannedFile[] {
  return plan(input, home.dir, home.kind === 'dog' ? undefined : home, input.preset.hooks_use_settings_dir ? roleSettingsDir(home) : home.dir);
}

/**
 * Files for a folder that is not a role home (an agent started by hand there): interactive hooks, and for
 * Claude the local-only `settings.local.json`, so a project's shared `.claude/settings.json` is not changed.
 */
export function planFolderHooks(folder: string, input: HookPlanInput): PlannedFile[] {
  const preset = input.preset.hooks_provider === 'claude' ? { ...input.preset, hooks_settings_file: 'settings.local.json' } : input.preset;
  return plan({ ...input, preset }, folder, undefined, folder);
}

function plan(input: HookPlanInput, workDir: string, home: RoleHome | undefined, hooksBase: string): PlannedFile[] {
  const p = input.preset;
  const provider = p.hooks_provider ?? '';
  const out: PlannedFile[] = [];
  const doc = hookDocument(provider, { kind: home?.kind, rig: home?.rig, gtBin: input.gtBin, user: input.user });
  if (doc && p.hooks_dir && p.hooks_settings_file && p.hooks_informational !== true) {
    const file = path.join(hooksBase, p.hooks_dir, p.hooks_settings_file);
    out.push({ kind: 'hooks', path: file, doc, mode: modeFor(file), agent: input.agentName });
  }
  if (!hasHooks(p)) {
    const file = path.join(workDir, instructionsFile(p));
    out.push({ kind: 'instructions', path: file, section: primeSection(home ? isAutonomous(home.kind) : false), mode: 0o644, agent: input.agentName });
  }
  return out;
}
