import * as fs from 'node:fs';
import type { AgentPlan } from './agentPlan';
import { commandOnPath } from './agentPlan';

/** What stops an agent from starting, with the action that fixes it. */
export interface LaunchProblem {
  kind: 'no-home' | 'not-on-path' | 'no-dolt';
  message: string;
  /** The fix offered as a button. */
  action: 'open-registry' | 'copy-crew-add' | 'start-dolt' | 'none';
}

/** Checks the files and PATH; the Dolt port is probed by the caller (it is I/O on the network). */
export function launchProblems(plan: AgentPlan, host: 'native' | 'tmux', parentEnv: NodeJS.ProcessEnv = process.env): LaunchProblem[] {
  const problems: LaunchProblem[] = [];
  const { home } = plan;
  if (!fs.existsSync(home.dir)) {
    const fix =
      home.kind === 'crew'
        ? `Create the crew member with \`gt crew add ${home.name} --rig ${home.rig}\`.`
        : home.kind === 'polecat'
          ? `Polecat homes are made by gt: sling work to the rig (\`gt sling <bead> ${home.rig}\`).`
          : 'Run `gt doctor --fix` in the town to recreate it.';
    problems.push({ kind: 'no-home', message: `The home of ${plan.address} (${home.dir}) does not exist. ${fix}`, action: home.kind === 'crew' ? 'copy-crew-add' : 'none' });
  }
  const command = plan.start.argv[0];
  if (host === 'native' && !commandOnPath(command, parentEnv)) {
    problems.push({
      kind: 'not-on-path',
      message: `Agent "${plan.resolved.name}" runs \`${command}\`, which is not on PATH. Install it, or pick another agent for this role in settings/agents.json or settings/config.json.`,
      action: 'open-registry',
    });
  }
  return problems;
}
