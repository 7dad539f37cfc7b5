import * as fs from 'node:fs';
import { MAX_SETTINGS_BYTES } from './jsonDocument';
import type { SettingsProblem } from './problems';

/**
 * The extension reads only a few top-level scalars of a YAML file (`.beads/config.yaml`: `prefix`,
 * `issue-prefix`), so it reads those itself rather than bundling a YAML parser (100+ KiB) for them.
 * Nested blocks, flow collections, block scalars, anchors and tags are skipped, not read. Scalars stay
 * strings (`~`/`null`/empty is "not set"); a schema decides what they mean.
 */
export interface YamlScalars {
  exists: boolean;
  /** Undefined when the file is missing, has no top-level key, or has an error. */
  value: Record<string, string> | undefined;
  problems: SettingsProblem[];
}

type Pending =
  | { kind: 'plain'; key: string; parts: string[] }
  | { kind: 'quoted'; key: string; quote: '"' | "'"; parts: string[]; line: number; column: number; offset: number }
  | { kind: 'skip' };

// A plain key: anything up to the first colon followed by a space or the end of the line.
const KEY_LINE = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:[^\s#:"'[\]{},&*!|>%@`-]|-(?=\S))(?:[^:]|:(?=\S))*?)[ \t]*:(?:[ \t]+|$)(.*)$/;
// An indented `key:` under a plain scalar: YAML forbids ": " inside a plain scalar.
const NESTED_KEY = /^[ \t]+[^\s#](?:[^:]|:(?=\S))*:(?:[ \t]|$)/;
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

/** Where the quoted scalar that opens at `from - 1` closes in `line` (the closing quote's index), or -1. */
function closingQuote(line: string, from: number, quote: '"' | "'"): number {
  for (let i = from; i < line.length; i++) {
    if (quote === '"' && line[i] === '\\') {
      i++;
    } else if (line[i] === quote) {
      if (quote === "'" && line[i + 1] === "'") {
        i++;
        continue;
      }
      return i;
    }
  }
  return -1;
}

function unquote(inner: string, quote: '"' | "'"): string {
  if (quote === "'") {
    return inner.replace(/''/g, "'");
  }
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    // An escape JSON lacks (\x41, \e): keep the text as written.
    return inner;
  }
}

/** YAML folding of a multi-line scalar: a line break is a space, an empty line is a newline. */
function fold(parts: string[]): string {
  let out = '';
  let afterBreak = true;
  for (const p of parts) {
    if (p === '') {
      out += '\n';
      afterBreak = true;
    } else {
      out += (afterBreak ? '' : ' ') + p;
      afterBreak = false;
    }
  }
  return out;
}

function stripComment(text: string): string {
  const m = /(^|[ \t])#/.exec(text);
  return (m ? text.slice(0, m.index) : text).trim();
}

/** Reads the top-level `key: scalar` lines of YAML text. */
export function parseYamlScalars(text: string, file: string): Omit<YamlScalars, 'exists'> {
  const value: Record<string, string> = {};
  const problems: SettingsProblem[] = [];
  let sawKey = false;
  let pending: Pending | undefined;
  const problem = (message: string, line: number, column: number, offset: number, length: number): void => {
    problems.push({ file, jsonPath: '', message: `invalid YAML: ${message}`, line, column, offset, length, severity: 'error' });
  };
  const finishPlain = (): void => {
    if (pending?.kind === 'plain') {
      const v = fold(pending.parts).trim();
      if (!NULLS.has(v)) {
        value[pending.key] = v;
      }
    }
    pending = undefined;
  };
  /** Reads a quoted scalar that opens at `col` of `line`; leaves it pending when it goes on to the next line. */
  const startQuoted = (key: string, line: string, col: number, lineNo: number, lineStart: number): void => {
    const quote = line[col] as '"' | "'";
    const end = closingQuote(line, col + 1, quote);
    if (end < 0) {
      pending = { kind: 'quoted', key, quote, parts: [line.slice(col + 1).trim()], line: lineNo, column: col, offset: lineStart + col };
      return;
    }
    value[key] = unquote(line.slice(col + 1, end), quote);
    pending = undefined;
    if (stripComment(line.slice(end + 1)) !== '') {
      problem('text after a quoted value', lineNo, end + 1, lineStart + end + 1, line.length - end - 1);
    }
  };

  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let lineStart = 0;
  for (let n = 0; n < lines.length; lineStart += lines[n].length + 1, n++) {
    const line = lines[n].replace(/\r$/, '');
    if (pending?.kind === 'quoted') {
      const p: Extract<Pending, { kind: 'quoted' }> = pending;
      const end = closingQuote(line, 0, p.quote);
      if (end < 0) {
        p.parts.push(line.trim());
        continue;
      }
      p.parts.push(line.slice(0, end).trim());
      value[p.key] = unquote(fold(p.parts), p.quote);
      pending = undefined;
      if (stripComment(line.slice(end + 1)) !== '') {
        problem('text after a quoted value', n, end + 1, lineStart + end + 1, line.length - end - 1);
      }
      continue;
    }
    if (/^\s*$/.test(line)) {
      if (pending?.kind === 'plain') {
        pending.parts.push('');
      }
      continue;
    }
    if (/^\s*#/.test(line)) {
      // A comment ends a plain scalar; inside a nested block it changes nothing.
      if (pending?.kind === 'plain') {
        finishPlain();
        pending = { kind: 'skip' };
      }
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (pending?.kind === 'plain') {
        if (NESTED_KEY.test(line)) {
          const col = line.search(/\S/);
          problem('a key indented under a value that is not a mapping', n, col, lineStart + col, line.length - col);
          pending = { kind: 'skip' };
        } else {
          pending.parts.push(stripComment(line));
        }
      }
      // Else: the inside of a nested block, a block scalar or a flow collection, none of which is read.
      continue;
    }
    finishPlain();
    if (/^(---|\.\.\.)(\s|$)/.test(line) || line.startsWith('%')) {
      continue;
    }
    const m = KEY_LINE.exec(line);
    if (!m) {
      problem('expected `key: value`', n, 0, lineStart, line.length);
      continue;
    }
    sawKey = true;
    const rawKey = m[1];
    const key = rawKey.startsWith('"') || rawKey.startsWith("'") ? unquote(rawKey.slice(1, -1), rawKey[0] as '"' | "'") : rawKey;
    const rest = m[2];
    const col = line.length - rest.length;
    const first = rest[0];
    if (first === '"' || first === "'") {
      startQuoted(key, line, col, n, lineStart);
    } else if (first === undefined || first === '#' || /^[|>[{&*!]/.test(first)) {
      // A nested block, a block scalar, a flow collection, an anchor or a tag: not a scalar read here.
      pending = { kind: 'skip' };
    } else {
      pending = { kind: 'plain', key, parts: [stripComment(rest)] };
    }
  }
  if (pending?.kind === 'quoted') {
    problem('a quoted value is not closed', pending.line, pending.column, pending.offset, 1);
  }
  finishPlain();
  return { value: sawKey && problems.length === 0 ? value : undefined, problems };
}

/** Reads a YAML file's top-level scalars, with positioned problems instead of throwing. */
export function readYamlScalars(file: string): YamlScalars {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return { exists: false, value: undefined, problems: [] };
  }
  if (stat.size > MAX_SETTINGS_BYTES) {
    return { exists: true, value: undefined, problems: [{ file, jsonPath: '', message: `is ${stat.size} bytes, too large to read`, line: 0, column: 0, offset: 0, length: 0, severity: 'error' }] };
  }
  try {
    return { exists: true, ...parseYamlScalars(fs.readFileSync(file, 'utf8'), file) };
  } catch {
    // There but unreadable (a directory, no permission), as the YAML reader before it reported it.
    return { exists: true, value: undefined, problems: [] };
  }
}

/**
 * One `key:` scalar under a top-level `section:` block (`listener:` → `port: 3307`), by a tolerant line scan as
 * gt and bd read these files; undefined when the file, the section or the key is missing.
 */
export function readNestedYamlScalar(file: string, section: string, key: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const sectionLine = new RegExp(`^${section}\\s*:\\s*$`);
  const keyLine = new RegExp(`^\\s+${key}\\s*:\\s*["']?([^"'\\s]+)["']?\\s*$`);
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (/^\S/.test(line)) {
      inSection = sectionLine.test(line);
      continue;
    }
    const m = inSection ? keyLine.exec(line) : null;
    if (m) {
      return m[1];
    }
  }
  return undefined;
}
