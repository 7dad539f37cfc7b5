import * as path from 'node:path';
import { RoleHome, roleSettingsDir } from './roles';
import type { AgentPreset } from './schemas';
import { posixCommandLine, powershellCommandLine } from './shellQuote';

/** The preset fields that drive launching; `prompt_flag` and `exec_wrapper` are ours/RuntimeConfig's. */
export type LaunchPreset = AgentPreset;

export type LaunchKind = 'start' | 'resume' | 'continue' | 'exec';

export interface LaunchCommand {
  kind: LaunchKind;
  /** argv[0] is the program; never passed through a shell. */
  argv: string[];
  posix: string;
  powershell: string;
  /** Why something the caller asked for was left out (e.g. a prompt for a `prompt_mode: none` agent). */
  notes: string[];
}

function words(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((w) => w !== '');
}

function finish(kind: LaunchKind, argv: string[], notes: string[], env?: Record<string, string>): LaunchCommand {
  return { kind, argv, posix: posixCommandLine(argv, env), powershell: powershellCommandLine(argv, env), notes };
}

function isClaude(p: LaunchPreset): boolean {
  return p.hooks_provider === 'claude' || path.basename(p.command ?? '') === 'claude' || (p.command ?? '') === '';
}

/** gt's withRoleSettingsFlag: Claude in a rig role gets `--settings <role settings dir>/.claude/settings.json`. */
export function settingsArgs(preset: LaunchPreset, home: RoleHome): string[] {
  if (!home.rig || !isClaude(preset) || !['crew', 'polecat', 'witness', 'refinery'].includes(home.kind)) {
    return [];
  }
  const file = path.join(roleSettingsDir(home), preset.hooks_dir || '.claude', preset.hooks_settings_file || 'settings.json');
  return ['--settings', file];
}

function baseArgv(preset: LaunchPreset, home?: RoleHome): string[] {
  return [...(preset.exec_wrapper ?? []), preset.command || 'claude', ...(preset.args ?? []), ...(home ? settingsArgs(preset, home) : [])];
}

/** How the initial prompt is passed: the preset's `prompt_flag`, else positional; none for `prompt_mode: none`. */
export function promptArgs(preset: LaunchPreset, prompt: string | undefined, notes: string[]): string[] {
  if (prompt === undefined || prompt === '') {
    return [];
  }
  if (preset.prompt_mode === 'none') {
    notes.push(`${preset.name ?? 'this agent'} takes no prompt on its command line (prompt_mode none); it is sent once the agent is ready`);
    return [];
  }
  return preset.prompt_flag ? [preset.prompt_flag, prompt] : [prompt];
}

export function startCommand(preset: LaunchPreset, opts: { home?: RoleHome; prompt?: string; env?: Record<string, string> } = {}): LaunchCommand {
  const notes: string[] = [];
  return finish('start', [...baseArgv(preset, opts.home), ...promptArgs(preset, opts.prompt, notes)], notes, opts.env);
}

/** Resume a session: `resume_style: subcommand` puts `<resume_flag> <id>` right after the command, else after the args. */
export function resumeCommand(preset: LaunchPreset, sessionId: string, opts: { home?: RoleHome; env?: Record<string, string> } = {}): LaunchCommand | undefined {
  const flag = words(preset.resume_flag);
  if (flag.length === 0 || sessionId === '') {
    return undefined;
  }
  const base = baseArgv(preset, opts.home);
  const wrapper = preset.exec_wrapper?.length ?? 0;
  const argv =
    preset.resume_style === 'subcommand'
      ? [...base.slice(0, wrapper + 1), ...flag, sessionId, ...base.slice(wrapper + 1)]
      : [...base, ...flag, sessionId];
  return finish('resume', argv, [], opts.env);
}

export function continueCommand(preset: LaunchPreset, opts: { home?: RoleHome; env?: Record<string, string> } = {}): LaunchCommand | undefined {
  const flag = words(preset.continue_flag);
  if (flag.length === 0) {
    return undefined;
  }
  return finish('continue', [...baseArgv(preset, opts.home), ...flag], [], opts.env);
}

/** Headless run: `<command> <args> [subcommand] [prompt_flag] <prompt> [output_flag]`, from `non_interactive`. */
export function execCommand(preset: LaunchPreset, prompt: string, opts: { env?: Record<string, string> } = {}): LaunchCommand | undefined {
  const ni = preset.non_interactive;
  if (!ni) {
    return undefined;
  }
  const argv = [...baseArgv(preset), ...words(ni.subcommand), ...(ni.prompt_flag ? [ni.prompt_flag, prompt] : [prompt]), ...words(ni.output_flag)];
  return finish('exec', argv, [], opts.env);
}
