import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseYamlScalars, readYamlScalars } from '../../src/town/yamlScalars';
import { tempDir, writeText } from './fixtures/townBuilder';

/** What a real YAML parser makes of the top-level scalars: the reference the small reader must agree with. */
function referenceScalars(text: string, notRead: string[]): Record<string, string> {
  const doc = parse(text) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if ((typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && !notRead.includes(k)) {
      out[k] = String(v);
    }
  }
  return out;
}

describe('top-level YAML scalars', () => {
  // Valid YAML of the kinds bd writes and people edit; each must read as the YAML parser reads it.
  const valid: Record<string, string | [string, string[]]> = {
    'bd init': '# Beads Configuration File\n# issue-prefix: ""\n\nprefix: hq\nissue-prefix: "hq"\ndolt.idle-timeout: "0"\n',
    'comments and quotes': "prefix: dm # the rig\nsync-branch: 'beads-sync'\nquoted: \"a \\\"b\\\" c\"\nsingle: 'it''s'\nurl: http://localhost:3307/db\n",
    'nested blocks skipped': 'prefix: gt\nsync:\n  branch: beads-sync\n  remote: origin\nrepos:\n  additional:\n    - ../other\nno-db: false\n',
    // A block scalar is a string to YAML, but not read here.
    'block scalar and flow skipped': ['notes: |\n  line one\n  line two: with colon\nlist: [a, b]\nmap: {x: 1}\nprefix: zz\n', ['notes']],
    'multi-line plain and quoted': 'title: one\n  two\n\n  three\nq: "first\n  second"\nprefix: hq\n',
    'CRLF and BOM': '\uFEFFprefix: hq\r\nissue-prefix: hq\r\n',
    'null is not set': 'prefix:\nissue-prefix: ~\nother: null\nkept: x\n',
    'document marker': '---\nprefix: hq\n...\n',
  };
  for (const [name, sample] of Object.entries(valid)) {
    const [text, notRead] = typeof sample === 'string' ? [sample, []] : sample;
    it(`agrees with a YAML parser: ${name}`, () => {
      const r = parseYamlScalars(text, 'config.yaml');
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.value, referenceScalars(text, notRead));
    });
  }

  it('a key indented under a plain value is a positioned error, and no value is guessed', () => {
    const r = parseYamlScalars('prefix: hq\n  bad: [unclosed\n', 'config.yaml');
    assert.equal(r.value, undefined);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0].message, /^invalid YAML/);
    assert.deepEqual([r.problems[0].line, r.problems[0].column, r.problems[0].offset], [1, 2, 13]);
  });

  it('a line that is not `key: value`, or a quote never closed, is an error', () => {
    assert.match(parseYamlScalars('prefix: hq\n- item\n', 'f').problems[0].message, /expected `key: value`/);
    const q = parseYamlScalars('prefix: "hq\nother: x\n', 'f');
    assert.equal(q.value, undefined);
    assert.match(q.problems[0].message, /not closed/);
    assert.match(parseYamlScalars('prefix: "hq" trailing\n', 'f').problems[0].message, /text after a quoted value/);
  });

  it('an empty or comment-only file has no value and no problem', () => {
    assert.deepEqual(parseYamlScalars('', 'f'), { value: undefined, problems: [] });
    assert.deepEqual(parseYamlScalars('# nothing yet\n', 'f'), { value: undefined, problems: [] });
  });

  it('reads a file: missing is not a problem, present is read', () => {
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'config.yaml');
      assert.deepEqual(readYamlScalars(file), { exists: false, value: undefined, problems: [] });
      writeText(file, 'prefix: hq\n');
      assert.deepEqual(readYamlScalars(file), { exists: true, value: { prefix: 'hq' }, problems: [] });
    } finally {
      t.cleanup();
    }
  });
});
