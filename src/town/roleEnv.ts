import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNestedYamlScalar } from './yamlScalars';
import { gtRole, RoleHome } from './roles';
import type { AgentPreset } from './schemas';

/**
 * The Dolt port gt hands to agents: `.dolt-data/config.yaml` `listener.port`, else `GT_DOLT_PORT` in the
 * environment, else `mayor/daemon.json` `env.GT_DOLT_PORT`.
 */
export function resolveDoltPort(townRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromYaml = readListenerPort(path.join(townRoot, '.dolt-data', 'config.yaml'));
  if (fromYaml) {
    return fromYaml;
  }
  if (env.GT_DOLT_PORT) {
    return env.GT_DOLT_PORT;
  }
  try {
    const daemon = JSON.parse(fs.readFileSync(path.join(townRoot, 'mayor', 'daemon.json'), 'utf8')) as { env?: Record<string, unknown> };
    const port = daemon.env?.GT_DOLT_PORT;
    return typeof port === 'string' && port !== '' ? port : undefined;
  } catch {
    return undefined;
  }
}

/** `listener:` → `port:` of the town's Dolt config, as gt reads it (a number, or nothing). */
function readListenerPort(file: string): string | undefined {
  const port = readNestedYamlScalar(file, 'listener', 'port');
  return port !== undefined && /^\d+$/.test(port) ? port : undefined;
}

export interface RoleEnvInput {
  home: RoleHome;
  /** Resolved agent name (GT_AGENT) and its effective preset. */
  agentName: string;
  preset: AgentPreset;
  /** The role's effort from rig/town `role_effort`; gt uses "high" when unset. */
  effort?: string;
  /** The tmux session name, when the agent runs in gt's tmux. */
  sessionName?: string;
  /** The parent environment, for the Dolt port and the Dolt host passthrough. */
  parentEnv?: NodeJS.ProcessEnv;
}

/** The process names gt records for liveness checks: the preset's, else the command's basename. */
export function processNames(preset: AgentPreset): string[] {
  if (preset.process_names && preset.process_names.length > 0) {
    return preset.process_names;
  }
  return preset.command ? [path.basename(preset.command)] : ['node', 'claude'];
}

/** Identity variables per role, as gt's AgentEnv sets them. */
export function identityEnv(home: RoleHome): Record<string, string> {
  const role = gtRole(home);
  const env: Record<string, string> = { GT_ROLE: role };
  switch (home.kind) {
    case 'mayor':
    case 'deacon':
      env.BD_ACTOR = home.kind;
      env.GIT_AUTHOR_NAME = home.kind;
      break;
    case 'boot':
      env.BD_ACTOR = 'deacon-boot';
      env.GIT_AUTHOR_NAME = 'boot';
      break;
    case 'dog':
      env.BD_ACTOR = home.name ? `deacon/dogs/${home.name}` : 'dog';
      env.GIT_AUTHOR_NAME = home.name ?? 'dog';
      if (home.name) {
        env.GT_DOG_NAME = home.name;
      }
      break;
    case 'witness':
    case 'refinery':
      env.BD_ACTOR = role;
      env.GIT_AUTHOR_NAME = role;
      env.GT_RIG = home.rig ?? '';
      break;
    case 'polecat':
      env.BD_ACTOR = role;
      env.GIT_AUTHOR_NAME = home.name ?? '';
      env.GT_RIG = home.rig ?? '';
      env.GT_POLECAT = home.name ?? '';
      env.BD_DOLT_AUTO_COMMIT = 'off';
      env.BEADS_AGENT_NAME = `${home.rig}/${home.name}`;
      break;
    case 'crew':
      env.BD_ACTOR = role;
      env.GIT_AUTHOR_NAME = home.name ?? '';
      env.GT_RIG = home.rig ?? '';
      env.GT_CREW = home.name ?? '';
      env.BEADS_AGENT_NAME = `${home.rig}/${home.name}`;
      break;
  }
  return env;
}

/**
 * The full environment of an agent session, in gt's order (AgentEnv, then BuildStartupCommand's additions,
 * then the preset's `env`, which overrides everything), ending with the scrub of VS Code's own variables.
 * These are variables to set on top of the parent environment.
 */
export function roleEnv(input: RoleEnvInput): Record<string, string> {
  const { home, preset } = input;
  const parent = input.parentEnv ?? process.env;
  const env: Record<string, string> = identityEnv(home);
  env.GT_ROOT = home.townRoot;
  env.GIT_CEILING_DIRECTORIES = home.townRoot;
  if (preset.config_dir_env && parent[preset.config_dir_env]) {
    env[preset.config_dir_env] = parent[preset.config_dir_env] ?? '';
  }
  if (preset.session_id_env) {
    env.GT_SESSION_ID_ENV = preset.session_id_env;
  }
  if (input.sessionName) {
    env.GT_SESSION = input.sessionName;
  }
  env.BD_BACKUP_ENABLED = 'false';
  env.NODE_OPTIONS = '';
  env.CLAUDE_CODE_EFFORT_LEVEL = input.effort && input.effort !== '' ? input.effort : 'high';
  env.CLAUDECODE = '';
  const port = resolveDoltPort(home.townRoot, parent);
  if (port) {
    env.GT_DOLT_PORT = port;
    env.BEADS_DOLT_PORT = port;
  }
  env.BEADS_DOLT_AUTO_START = '0';
  const doltHost = parent.BEADS_DOLT_SERVER_HOST || parent.GT_DOLT_HOST;
  if (doltHost) {
    env.BEADS_DOLT_SERVER_HOST = doltHost;
  }
  env.GT_AGENT = input.agentName;
  env.GT_PROCESS_NAMES = processNames(preset).join(',');
  for (const [k, v] of Object.entries(preset.env ?? {})) {
    env[k] = v;
  }
  return env;
}

/** Effort for a role: rig `role_effort`, then town `role_effort`; only gt's valid values count. */
export function roleEffort(role: string, rigEffort?: Record<string, string> | null, townEffort?: Record<string, string> | null): string | undefined {
  const valid = new Set(['low', 'medium', 'high', 'max']);
  for (const map of [rigEffort, townEffort]) {
    const v = map?.[role];
    if (v && valid.has(v)) {
      return v;
    }
  }
  return undefined;
}
