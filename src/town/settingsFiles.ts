import * as path from 'node:path';
import { JsonDocument, problemAtPath, readJsonDocument, validateDocument } from './jsonDocument';
import type { SettingsProblem } from './problems';
import { AgentPreset, agentPresetSchema, agentRegistryFileSchema, RigSettings, rigSettingsSchema, TownSettings, townSettingsSchema, beadsConfigSchema, BeadsConfig } from './schemas';
import { readYamlScalars } from './yamlScalars';

export const AGENT_REGISTRY_VERSION = 1;

export interface Loaded<T> {
  file: string;
  exists: boolean;
  /** Undefined when the file is missing or could not be used. */
  value: T | undefined;
  problems: SettingsProblem[];
}

/** Reads a JSON file and validates it when it parsed; problems are positioned, nothing throws. */
export function loadJson<T>(file: string, validate: (doc: JsonDocument) => T | undefined): Loaded<T> {
  const doc = readJsonDocument(file);
  const value = doc.exists && doc.value !== undefined ? validate(doc) : undefined;
  return { file, exists: doc.exists, value, problems: doc.problems };
}

export function townSettingsPath(townRoot: string): string {
  return path.join(townRoot, 'settings', 'config.json');
}

export function rigSettingsPath(townRoot: string, rig: string): string {
  return path.join(townRoot, rig, 'settings', 'config.json');
}

export function agentsJsonPath(dir: string): string {
  return path.join(dir, 'settings', 'agents.json');
}

export function loadTownSettings(townRoot: string): Loaded<TownSettings> {
  return loadJson(townSettingsPath(townRoot), (doc) => validateDocument(doc, townSettingsSchema));
}

/** gt ignores a whole rig settings file whose `type` is not "rig-settings" or whose `version` is above 1. */
export function loadRigSettings(townRoot: string, rig: string): Loaded<RigSettings> {
  return loadJson(rigSettingsPath(townRoot, rig), (doc) => {
    const value = validateDocument(doc, rigSettingsSchema);
    if (value?.type !== undefined && value.type !== 'rig-settings') {
      doc.problems.push(problemAtPath(doc, ['type'], `type is "${value.type}", not "rig-settings"; gt ignores this whole file`, 'warning'));
      return undefined;
    }
    if (value?.version !== undefined && value.version > 1) {
      doc.problems.push(problemAtPath(doc, ['version'], `version ${value.version} is newer than gt reads (1); gt ignores this whole file`, 'warning'));
      return undefined;
    }
    return value;
  });
}

/**
 * Reads a `settings/agents.json`. Each entry is validated on its own, so one bad entry loses only itself.
 */
export function loadAgentRegistryFile(file: string): Loaded<Record<string, AgentPreset>> {
  return loadJson(file, (doc) => {
    const head = validateDocument(doc, agentRegistryFileSchema);
    if (!head) {
      return undefined;
    }
    if (head.version !== AGENT_REGISTRY_VERSION) {
      // gt never checks the version, so the entries still count; the warning says the format may differ.
      doc.problems.push(problemAtPath(doc, ['version'], `unknown agent registry version ${head.version} (expected ${AGENT_REGISTRY_VERSION}); entries were read as version ${AGENT_REGISTRY_VERSION}`, 'warning'));
    }
    const agents: Record<string, AgentPreset> = {};
    for (const [name, raw] of Object.entries(head.agents ?? {})) {
      const entry = validateDocument(doc, agentPresetSchema, ['agents', name], raw);
      if (entry) {
        agents[name] = entry;
      }
    }
    return agents;
  });
}

export function loadBeadsConfig(beadsDir: string): Loaded<BeadsConfig> {
  const file = path.join(beadsDir, 'config.yaml');
  const read = readYamlScalars(file);
  let value: BeadsConfig | undefined;
  if (read.value !== undefined) {
    const parsed = beadsConfigSchema.safeParse(read.value);
    if (parsed.success) {
      value = parsed.data;
    } else {
      for (const issue of parsed.error.issues) {
        read.problems.push({ file, jsonPath: issue.path.map(String).join('.'), message: issue.message, line: 0, column: 0, offset: 0, length: 0, severity: 'error' });
      }
    }
  }
  return { file, exists: read.exists, value, problems: read.problems };
}
