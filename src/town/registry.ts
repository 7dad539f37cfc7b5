import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonDocument, validateDocument } from './jsonDocument';
import type { SettingsProblem } from './problems';
import { AgentPreset, agentPresetSchema } from './schemas';
import { agentsJsonPath, loadAgentRegistryFile } from './settingsFiles';

/** Where a registry entry's fields came from, in merge order. */
export type PresetLayer = 'builtin' | 'town' | 'rig';

export interface RegistryEntry {
  preset: AgentPreset;
  layers: PresetLayer[];
}

export interface AgentRegistry {
  entries: Map<string, RegistryEntry>;
  problems: SettingsProblem[];
  /** The agents.json files read (existing or not), for watchers and "Open Agent Registry". */
  files: string[];
}

/** Reads `presets/*.json`: one built-in agent preset per file, named by its `name` field or file name. */
export function loadBuiltinPresets(dir: string): { presets: Map<string, AgentPreset>; problems: SettingsProblem[] } {
  const presets = new Map<string, AgentPreset>();
  const problems: SettingsProblem[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    problems.push({ file: dir, jsonPath: '', message: `built-in presets folder cannot be read: ${(err as Error).message}`, line: 0, column: 0, offset: 0, length: 0, severity: 'error' });
  }
  for (const fileName of names) {
    const doc = readJsonDocument(path.join(dir, fileName));
    const preset = doc.value === undefined ? undefined : validateDocument(doc, agentPresetSchema);
    problems.push(...doc.problems);
    if (preset) {
      presets.set(preset.name ?? fileName.slice(0, -'.json'.length), preset);
    }
  }
  return { presets, problems };
}

// Objects whose fields merge one by one, as Go's json.Unmarshal does into an existing map or struct pointer.
const MERGED_OBJECTS = new Set(['env', 'non_interactive', 'acp']);

/** Lays `over` on `base` field by field: a field present in `over` wins; `env`, `non_interactive` and `acp` merge key by key. */
export function mergePreset(base: AgentPreset, over: AgentPreset): AgentPreset {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    if (MERGED_OBJECTS.has(key) && isPlainObject(prev) && isPlainObject(value)) {
      out[key] = { ...prev, ...value };
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Built-ins, then the town's `settings/agents.json`, then the rig's, each merged over the entry of the same name. */
export function buildRegistry(builtins: Map<string, AgentPreset>, townRoot: string, rig?: string): AgentRegistry {
  const entries = new Map<string, RegistryEntry>();
  for (const [name, preset] of builtins) {
    entries.set(name, { preset: { ...preset, name }, layers: ['builtin'] });
  }
  const problems: SettingsProblem[] = [];
  const files: string[] = [];
  const layers: [PresetLayer, string][] = [['town', agentsJsonPath(townRoot)]];
  if (rig) {
    layers.push(['rig', agentsJsonPath(path.join(townRoot, rig))]);
  }
  for (const [layer, file] of layers) {
    files.push(file);
    const loaded = loadAgentRegistryFile(file);
    problems.push(...loaded.problems);
    for (const [name, preset] of Object.entries(loaded.value ?? {})) {
      const prev = entries.get(name);
      entries.set(name, prev ? { preset: mergePreset(prev.preset, preset), layers: [...prev.layers, layer] } : { preset: { ...preset, name }, layers: [layer] });
    }
  }
  return { entries, problems, files };
}
