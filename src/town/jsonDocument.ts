import * as fs from 'node:fs';
import { findNodeAtLocation, getNodeValue, Node, parseTree, ParseError, printParseErrorCode } from 'jsonc-parser';
import type * as z from 'zod';
import type { SettingsProblem } from './problems';

/** Larger settings files are refused rather than parsed: no real settings file comes near this. */
export const MAX_SETTINGS_BYTES = 16 * 1024 * 1024;

/** A JSON file read with positions, so every problem can point at its line and column. */
export interface JsonDocument {
  file: string;
  exists: boolean;
  text: string;
  tree: Node | undefined;
  /** The parsed value; undefined when the file is missing or unreadable. */
  value: unknown;
  problems: SettingsProblem[];
}

export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}

export function problemAt(
  doc: Pick<JsonDocument, 'file' | 'text'>,
  offset: number,
  length: number,
  message: string,
  jsonPath = '',
  severity: SettingsProblem['severity'] = 'error',
): SettingsProblem {
  const { line, column } = lineColumnAt(doc.text, offset);
  const end = lineColumnAt(doc.text, offset + length);
  return { file: doc.file, jsonPath, message, line, column, endLine: end.line, endColumn: end.column, offset, length, severity };
}

/** Reads and parses a JSON file strictly as Go's encoding/json would (no comments, no trailing commas). */
export function readJsonDocument(file: string): JsonDocument {
  const doc: JsonDocument = { file, exists: false, text: '', tree: undefined, value: undefined, problems: [] };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return doc;
  }
  doc.exists = true;
  if (!stat.isFile()) {
    doc.problems.push(problemAt(doc, 0, 0, 'is not a regular file'));
    return doc;
  }
  if (stat.size > MAX_SETTINGS_BYTES) {
    doc.problems.push(problemAt(doc, 0, 0, `is ${stat.size} bytes, over the ${MAX_SETTINGS_BYTES}-byte limit for a settings file; it was not read`));
    return doc;
  }
  try {
    doc.text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    doc.problems.push(problemAt(doc, 0, 0, `cannot be read: ${(err as Error).message}`));
    return doc;
  }
  return parseJsonText(doc);
}

export function parseJsonText(doc: JsonDocument): JsonDocument {
  let text = doc.text;
  if (text.charCodeAt(0) === 0xfeff) {
    // Keep offsets aligned with the editor (which hides the BOM) by blanking it rather than removing it.
    doc.problems.push(problemAt(doc, 0, 1, 'starts with a byte-order mark, which gt cannot read; save the file as UTF-8 without BOM', '', 'warning'));
    text = ' ' + text.slice(1);
  }
  if (text.trim() === '') {
    doc.problems.push(problemAt(doc, 0, 0, 'is empty; gt expects a JSON object here'));
    return doc;
  }
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  for (const e of errors.slice(0, 20)) {
    doc.problems.push(problemAt(doc, e.offset, e.length, `invalid JSON: ${describeParseError(printParseErrorCode(e.error))}`));
  }
  if (errors.length > 0) {
    // gt refuses the whole file on a syntax error, so we do not guess at a partial value.
    return doc;
  }
  doc.tree = tree;
  doc.value = tree ? getNodeValue(tree) : undefined;
  return doc;
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'a property name (in double quotes) was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: "a ':' was expected",
    CommaExpected: "a ',' was expected",
    CloseBraceExpected: "a '}' was expected",
    CloseBracketExpected: "a ']' was expected",
    EndOfFileExpected: 'extra content after the end of the JSON value',
    InvalidCommentToken: 'comments are not allowed (gt reads strict JSON)',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'invalid unicode escape',
    InvalidEscapeCharacter: 'invalid escape character',
    InvalidCharacter: 'invalid character in a string',
  };
  return words[code] ?? code;
}

/** Points a JSON path (as zod reports it) at the closest node that exists in the file. */
export function problemAtPath(doc: JsonDocument, jsonPath: (string | number)[], message: string, severity: SettingsProblem['severity'] = 'error'): SettingsProblem {
  let node: Node | undefined;
  for (let n = jsonPath.length; n >= 0 && !node; n--) {
    node = doc.tree ? findNodeAtLocation(doc.tree, jsonPath.slice(0, n)) : undefined;
  }
  // Point at the property key when there is one: that is where a reader looks.
  const target = node?.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : node;
  return problemAt(doc, target?.offset ?? 0, target?.length ?? 0, message, jsonPath.join('.'), severity);
}

/** Validates a parsed document; each issue becomes a positioned problem. Returns the parsed value or undefined. */
export function validateDocument<T>(doc: JsonDocument, schema: z.ZodType<T>, at: (string | number)[] = [], value: unknown = doc.value): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  for (const issue of result.error.issues.slice(0, 20)) {
    const p = [...at, ...issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))];
    doc.problems.push(problemAtPath(doc, p, issue.message));
  }
  return undefined;
}
