import * as fs from 'node:fs';
import * as path from 'node:path';
import { continueCommand, execCommand, LaunchCommand, resumeCommand, startCommand } from './launchCommand';
import type { SettingsProblem } from './problems';
import { AgentRegistry, buildRegistry } from './registry';
import { resolveAgent, ResolvedAgent } from './resolveAgent';
import { roleEffort, roleEnv } from './roleEnv';
import { mailAddress, RoleHome, tmuxSessionName } from './roles';
import type { AgentPreset } from './schemas';
import { loadRigSettings, loadTownSettings } from './settingsFiles';

/** Everything needed to launch (or explain) the agent of one role, read from the files as they are now. */
export interface AgentPlan {
  home: RoleHome;
  resolved: ResolvedAgent;
  /** Variables to set on top of the parent environment. */
  env: Record<string, string>;
  start: LaunchCommand;
  continue?: LaunchCommand;
  address: string;
  sessionName: string;
  registry: AgentRegistry;
  problems: SettingsProblem[];
}

export interface PlanOptions {
  builtins: Map<string, AgentPreset>;
  /** The rig's beads prefix, for the tmux session name. */
  prefix?: string;
  override?: string;
  prompt?: string;
  parentEnv?: NodeJS.ProcessEnv;
  onPath?: (command: string) => boolean;
}

/** The executable a command names, found as exec.LookPath finds it (a path with a separator is checked as is). */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command === '') {
    return undefined;
  }
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  const candidates = command.includes('/') || command.includes('\\') ? [command] : (env.PATH ?? '').split(path.delimiter).filter((d) => d !== '').map((d) => path.join(d, command));
  for (const c of candidates) {
    for (const ext of exts) {
      try {
        fs.accessSync(c + ext, fs.constants.X_OK);
        if (fs.statSync(c + ext).isFile()) {
          return c + ext;
        }
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

export function commandOnPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return findOnPath(command, env) !== undefined;
}

export function planAgent(home: RoleHome, opts: PlanOptions): AgentPlan {
  const town = loadTownSettings(home.townRoot);
  const rig = home.rig ? loadRigSettings(home.townRoot, home.rig) : undefined;
  const registry = buildRegistry(opts.builtins, home.townRoot, home.rig);
  const parentEnv = opts.parentEnv ?? process.env;
  const resolved = resolveAgent({
    role: home.kind,
    workerName: home.kind === 'crew' ? home.name : undefined,
    townSettings: town.value,
    rigSettings: rig?.value,
    registry,
    override: opts.override,
    onPath: opts.onPath ?? ((c) => commandOnPath(c, parentEnv)),
  });
  const sessionName = tmuxSessionName(home, opts.prefix);
  const env = roleEnv({
    home,
    agentName: resolved.name,
    preset: resolved.preset,
    effort: roleEffort(home.kind, rig?.value?.role_effort, town.value?.role_effort),
    parentEnv,
  });
  return {
    home,
    resolved,
    env,
    start: startCommand(resolved.preset, { home, prompt: opts.prompt }),
    continue: continueCommand(resolved.preset, { home }),
    address: mailAddress(home),
    sessionName,
    registry,
    problems: [...town.problems, ...(rig?.problems ?? []), ...registry.problems],
  };
}

export function planResume(plan: AgentPlan, sessionId: string): LaunchCommand | undefined {
  return resumeCommand(plan.resolved.preset, sessionId, { home: plan.home });
}

export function planExec(plan: AgentPlan, prompt: string): LaunchCommand | undefined {
  return execCommand(plan.resolved.preset, prompt);
}
