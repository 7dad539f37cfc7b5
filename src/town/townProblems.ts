import type { TownLayout } from './layout';
import type { SettingsProblem } from './problems';
import { loadAgentRegistryFile, agentsJsonPath, loadRigSettings, loadTownSettings } from './settingsFiles';

/** Every problem in a town's settings files: layout files, town and rig settings, and agent registries. */
export function collectTownProblems(layout: TownLayout): SettingsProblem[] {
  const problems: SettingsProblem[] = [...layout.problems];
  problems.push(...loadTownSettings(layout.root).problems);
  problems.push(...loadAgentRegistryFile(agentsJsonPath(layout.root)).problems);
  for (const rig of layout.rigs) {
    problems.push(...loadRigSettings(layout.root, rig.name).problems);
    problems.push(...loadAgentRegistryFile(agentsJsonPath(rig.dir)).problems);
  }
  return problems;
}
