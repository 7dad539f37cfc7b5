/** A problem found in a settings file, with enough position to put a diagnostic on it. */
export interface SettingsProblem {
  file: string;
  /** JSON path of the offending value, e.g. `agents.claude.args` ('' for the whole file). */
  jsonPath: string;
  message: string;
  /** 0-based line and column, as editors count them. */
  line: number;
  column: number;
  /** Where the offending text ends (same counting). */
  endLine?: number;
  endColumn?: number;
  /** Character offset and length in the file, for an exact range. */
  offset: number;
  length: number;
  severity: 'error' | 'warning';
}

export function formatProblem(p: SettingsProblem): string {
  const where = p.jsonPath ? ` at ${p.jsonPath}` : '';
  return `${p.file}:${p.line + 1}:${p.column + 1}${where}: ${p.message}`;
}
