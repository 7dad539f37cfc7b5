import * as fs from 'node:fs';
import { parseDocument } from 'yaml';
import { MAX_SETTINGS_BYTES } from './jsonDocument';
import type { SettingsProblem } from './problems';

export interface YamlRead {
  exists: boolean;
  value: unknown;
  problems: SettingsProblem[];
}

/** Reads a YAML file (e.g. `.beads/config.yaml`), with positioned problems instead of throwing. */
export function readYamlFile(file: string): YamlRead {
  const out: YamlRead = { exists: false, value: undefined, problems: [] };
  let text: string;
  try {
    const stat = fs.statSync(file);
    out.exists = true;
    if (stat.size > MAX_SETTINGS_BYTES) {
      out.problems.push({ file, jsonPath: '', message: `is ${stat.size} bytes, too large to read`, line: 0, column: 0, offset: 0, length: 0, severity: 'error' });
      return out;
    }
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  for (const e of doc.errors.slice(0, 20)) {
    const [start, end] = e.pos;
    const lp = e.linePos?.[0];
    out.problems.push({ file, jsonPath: '', message: `invalid YAML: ${e.message.split('\n')[0]}`, line: (lp?.line ?? 1) - 1, column: (lp?.col ?? 1) - 1, offset: start, length: Math.max(0, end - start), severity: 'error' });
  }
  if (doc.errors.length === 0) {
    out.value = doc.toJS() as unknown;
  }
  return out;
}
