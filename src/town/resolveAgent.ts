import type { AgentRegistry } from './registry';
import { mergePreset } from './registry';
import type { RoleKind } from './roles';
import type { AgentPreset, RigSettings, RuntimeConfig, TownSettings } from './schemas';

export const DEFAULT_AGENT = 'claude';

/** Which rule of gt's resolution picked the agent; the UI shows it as "why this agent?". */
export type ResolutionStep =
  | 'override'
  | 'dog default'
  | 'rig worker_agents'
  | 'town crew_agents'
  | 'rig role_agents'
  | 'town role_agents'
  | 'rig runtime'
  | 'rig agent'
  | 'town default_agent'
  | 'fallback claude';

/** Where the named agent's definition was found (rig `agents` → town `agents` → registry). */
export type DefinitionSource = 'rig agents' | 'town agents' | 'registry' | 'claude defaults';

export interface ResolvedAgent {
  /** The agent name gt would put in GT_AGENT. */
  name: string;
  step: ResolutionStep;
  /** The settings key that decided, e.g. `role_agents.crew`, for "why this agent?". */
  key?: string;
  source: DefinitionSource;
  /** The effective preset: every field the launch needs. */
  preset: AgentPreset;
  /** What gt would print as warnings on the way (skipped entries and why). */
  warnings: string[];
}

export interface ResolveInput {
  role: RoleKind;
  /** Crew member name, for the per-worker steps. */
  workerName?: string;
  townSettings?: TownSettings;
  rigSettings?: RigSettings;
  registry: AgentRegistry;
  /** An explicit agent (a `--agent` flag, or the user's pick): wins over everything. */
  override?: string;
  /** Whether a command can be found on PATH; gt skips a role_agents entry whose binary is missing. */
  onPath?: (command: string) => boolean;
}

/** Maps a settings `agents` entry (Go RuntimeConfig) onto preset fields. */
function presetFromRuntime(rc: RuntimeConfig): AgentPreset {
  const p: Record<string, unknown> = {};
  const put = (key: string, value: unknown): void => {
    if (value !== undefined && value !== null && value !== '') {
      p[key] = value;
    }
  };
  put('command', rc.command);
  put('args', rc.args);
  put('env', rc.env);
  put('prompt_mode', rc.prompt_mode);
  put('session_id_env', rc.session?.session_id_env);
  put('config_dir_env', rc.session?.config_dir_env);
  put('hooks_provider', rc.hooks?.provider);
  put('hooks_dir', rc.hooks?.dir);
  put('hooks_settings_file', rc.hooks?.settings_file);
  put('hooks_informational', rc.hooks?.informational);
  put('process_names', rc.tmux?.process_names);
  put('ready_prompt_prefix', rc.tmux?.ready_prompt_prefix);
  put('ready_delay_ms', rc.tmux?.ready_delay_ms);
  put('instructions_file', rc.instructions?.file);
  put('acp', rc.acp);
  put('exec_wrapper', rc.exec_wrapper);
  put('initial_prompt', rc.initial_prompt);
  return p;
}

function claudeDefaults(registry: AgentRegistry): AgentPreset {
  return registry.entries.get(DEFAULT_AGENT)?.preset ?? { name: DEFAULT_AGENT, command: 'claude', args: ['--dangerously-skip-permissions'] };
}

/** A custom agent inherits from the preset named by its provider, else its command, else claude (fillRuntimeDefaults). */
function fillFromBase(rc: RuntimeConfig, registry: AgentRegistry): AgentPreset {
  const baseName = rc.provider || rc.command || '';
  const base = registry.entries.get(baseName)?.preset ?? claudeDefaults(registry);
  return mergePreset(base, presetFromRuntime(rc));
}

/** Custom agents only: rig `agents`, then town `agents`. */
function lookupCustom(name: string, input: ResolveInput): { preset: AgentPreset; source: DefinitionSource } | undefined {
  const rigRc = input.rigSettings?.agents?.[name];
  if (rigRc) {
    return { preset: fillFromBase(rigRc, input.registry), source: 'rig agents' };
  }
  const townRc = input.townSettings?.agents?.[name];
  if (townRc) {
    return { preset: fillFromBase(townRc, input.registry), source: 'town agents' };
  }
  return undefined;
}

/** gt's lookupAgentConfig: rig agents → town agents → registry → claude defaults. */
export function lookupAgent(name: string, input: ResolveInput): { preset: AgentPreset; source: DefinitionSource } {
  const custom = lookupCustom(name, input);
  if (custom) {
    return custom;
  }
  const entry = input.registry.entries.get(name);
  if (entry) {
    return { preset: entry.preset, source: 'registry' };
  }
  return { preset: claudeDefaults(input.registry), source: 'claude defaults' };
}

/**
 * A named entry from role_agents / worker_agents / crew_agents: a custom agent is taken as is; a registry
 * agent must exist and its command be on PATH, else gt warns and falls through (tryResolveNamedAgent).
 */
function tryNamed(name: string, key: string, input: ResolveInput, warnings: string[]): { preset: AgentPreset; source: DefinitionSource } | undefined {
  const custom = lookupCustom(name, input);
  if (custom) {
    return custom;
  }
  const entry = input.registry.entries.get(name);
  if (!entry) {
    warnings.push(`${key}=${name}: agent "${name}" not found in config or built-in presets, falling back`);
    return undefined;
  }
  const command = entry.preset.command ?? '';
  if (input.onPath && !input.onPath(command)) {
    warnings.push(`${key}=${name}: agent "${name}" binary "${command}" not found in PATH, falling back`);
    return undefined;
  }
  return { preset: entry.preset, source: 'registry' };
}

function isClaudePreset(p: AgentPreset): boolean {
  const cmd = p.command ?? '';
  return cmd === '' || cmd === DEFAULT_AGENT || cmd.endsWith('/claude') || p.hooks_provider === DEFAULT_AGENT;
}

/** gt's hasExplicitNonClaudeOverride: any configured name for the role (or the defaults) that is not Claude. */
function hasExplicitNonClaude(input: ResolveInput): boolean {
  const names = [input.rigSettings?.role_agents?.[input.role], input.townSettings?.role_agents?.[input.role], input.rigSettings?.agent, input.townSettings?.default_agent];
  return names.some((n) => {
    if (!n) {
      return false;
    }
    const found = lookupCustom(n, input) ?? (input.registry.entries.has(n) ? lookupAgent(n, input) : undefined);
    return found !== undefined && !isClaudePreset(found.preset);
  });
}

/** Resolves the agent for a role exactly in gt's order (ResolveWorkerAgentConfig / ResolveRoleAgentConfig). */
export function resolveAgent(input: ResolveInput): ResolvedAgent {
  const warnings: string[] = [];
  const done = (name: string, step: ResolutionStep, found: { preset: AgentPreset; source: DefinitionSource }, key?: string): ResolvedAgent => ({
    name,
    step,
    key,
    source: found.source,
    preset: { ...found.preset, name },
    warnings,
  });
  const { townSettings: town, rigSettings: rig, role } = input;

  if (input.override) {
    return done(input.override, 'override', lookupAgent(input.override, input));
  }
  if (role === 'dog' && !hasExplicitNonClaude(input)) {
    // gt runs dogs on Claude Haiku unless a non-Claude agent is configured for them.
    const claude = lookupAgent(DEFAULT_AGENT, input);
    const preset = { ...claude.preset, args: [...(claude.preset.args ?? []), '--model', 'haiku'] };
    return done(DEFAULT_AGENT, 'dog default', { preset, source: claude.source });
  }
  if (role === 'crew' && input.workerName) {
    const w = input.workerName;
    const fromRig = rig?.worker_agents?.[w];
    if (fromRig) {
      const found = tryNamed(fromRig, `worker_agents[${w}]`, input, warnings);
      if (found) {
        return done(fromRig, 'rig worker_agents', found, `worker_agents.${w}`);
      }
    }
    const fromTown = town?.crew_agents?.[w];
    if (fromTown) {
      const found = tryNamed(fromTown, `crew_agents[${w}]`, input, warnings);
      if (found) {
        return done(fromTown, 'town crew_agents', found, `crew_agents.${w}`);
      }
    }
  }
  const fromRigRole = rig?.role_agents?.[role];
  if (fromRigRole) {
    const found = tryNamed(fromRigRole, `role_agents[${role}]`, input, warnings);
    if (found) {
      return done(fromRigRole, 'rig role_agents', found, `role_agents.${role}`);
    }
  }
  const fromTownRole = town?.role_agents?.[role];
  if (fromTownRole) {
    const found = tryNamed(fromTownRole, `role_agents[${role}]`, input, warnings);
    if (found) {
      return done(fromTownRole, 'town role_agents', found, `role_agents.${role}`);
    }
  }
  const legacy = (rig as { runtime?: RuntimeConfig } | undefined)?.runtime;
  if (legacy && typeof legacy === 'object') {
    const preset = fillFromBase(legacy, input.registry);
    return done(legacy.provider || legacy.command || DEFAULT_AGENT, 'rig runtime', { preset, source: 'rig agents' }, 'runtime');
  }
  if (rig?.agent) {
    return done(rig.agent, 'rig agent', lookupAgent(rig.agent, input), 'agent');
  }
  if (town?.default_agent) {
    return done(town.default_agent, 'town default_agent', lookupAgent(town.default_agent, input), 'default_agent');
  }
  return done(DEFAULT_AGENT, 'fallback claude', lookupAgent(DEFAULT_AGENT, input));
}
