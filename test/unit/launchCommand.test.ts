import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { continueCommand, execCommand, resumeCommand, startCommand } from '../../src/town/launchCommand';
import { loadBuiltinPresets } from '../../src/town/registry';
import { nativeCommandLine, posixCommandLine, powershellCommandLine, quotePosix, quotePowerShell } from '../../src/town/shellQuote';
import { PRESETS_DIR } from './fixtures/townBuilder';

const HOSTILE = [
  `it's "quoted"`,
  '$(touch /tmp/pwned)',
  '`id`',
  'a; rm -rf ~',
  'line1\nline2\n',
  '$HOME ${PATH} $((1+1))',
  '* ? [a] ~ !event #comment',
  'back\\slash\\',
  '|&<>(){}',
  '',
  ' leading and trailing ',
  '\u2018smart\u2019 quotes',
  'tab\there',
  'üñí©ødé ❯',
];

/** Runs a command line through a real POSIX shell; the program prints its argv as JSON. */
function throughSh(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}
// A real script file, so flags like `--x` reach it rather than node itself.
const PRINTER = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'argv-')), 'print-argv.js');
fs.writeFileSync(PRINTER, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
const PRINT_ARGV = [process.execPath, PRINTER];

describe('shell quoting', () => {
  it('every hostile string reaches the program as one literal argument through sh', () => {
    const argv = [...PRINT_ARGV, ...HOSTILE];
    assert.deepEqual(throughSh(posixCommandLine(argv)), HOSTILE);
  });

  it('env assignments with hostile values reach the program literally', () => {
    const line = posixCommandLine([process.execPath, '-e', 'process.stdout.write(JSON.stringify([process.env.X, process.env.Y]))'], { X: '$(id); `x` \'q\'', Y: '' });
    assert.deepEqual(throughSh(line), ['$(id); `x` \'q\'', '']);
  });

  it('safe words stay bare; others are single-quoted', () => {
    assert.equal(quotePosix('--flag=a/b.c'), '--flag=a/b.c');
    assert.equal(quotePosix(''), "''");
    assert.equal(quotePosix("it's"), `'it'\\''s'`);
  });

  it('PowerShell: single-quoted, quotes (including typographic ones) doubled', () => {
    assert.equal(quotePowerShell("it's $x `y`"), "'it''s $x `y`'");
    assert.equal(quotePowerShell('\u2018a\u2019'), "'\u2018\u2018a\u2019\u2019'");
    assert.equal(powershellCommandLine(['claude', '--x', 'a b'], { GT_ROLE: 'mayor' }), "$env:GT_ROLE = 'mayor'; & 'claude' '--x' 'a b'");
  });

  it('the native line sets its own folder and variables, so an rc file that cds and exports cannot change them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "it's a dir "));
    const line = nativeCommandLine([process.execPath, '-e', 'process.stdout.write(JSON.stringify([process.cwd(), process.env.GIT_AUTHOR_NAME]))'], dir, { GIT_AUTHOR_NAME: 'alice' }, false);
    // What a ~/.bashrc might do before the line runs.
    const out = execFileSync('/bin/sh', ['-c', `cd /tmp; export GIT_AUTHOR_NAME=rc-user; ${line}`], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), [fs.realpathSync(dir), 'alice']);
    assert.match(nativeCommandLine(['a'], '/x', {}, false, true), /^cd -- \/x && exec a$/);
    // Text with newlines (a startup prompt) stays on one line, for shell integration, and reaches the program whole.
    const multi = nativeCommandLine([...PRINT_ARGV, ...HOSTILE, 'a\nb\tc\x01'], dir, { X: 'one\ntwo' }, false);
    assert.ok(!multi.includes('\n'), multi);
    assert.deepEqual(JSON.parse(execFileSync('/bin/bash', ['-c', multi], { encoding: 'utf8' })), [...HOSTILE, 'a\nb\tc\x01']);
    assert.equal(nativeCommandLine(['a', 'x\ny'], 'C:\\w', {}, true), "Set-Location -LiteralPath 'C:\\w'; & 'a' ('x' + \"`n\" + 'y')");
    assert.equal(nativeCommandLine(['a'], 'C:\\w', { K: 'v' }, true), "Set-Location -LiteralPath 'C:\\w'; $env:K = 'v'; & 'a'");
  });

  it('refuses NUL characters and invalid variable names', () => {
    assert.throws(() => quotePosix('a\0b'), /NUL/);
    assert.throws(() => posixCommandLine(['x'], { 'A B': '1' }), /not a valid environment variable name/);
  });
});

describe('launch commands', () => {
  const presets = loadBuiltinPresets(PRESETS_DIR).presets;
  const p = (name: string) => {
    const v = presets.get(name);
    assert.ok(v, name);
    return v;
  };

  it('prompt: positional by default, the preset flag where one is set, none for prompt_mode none', () => {
    const prompt = 'Fix "it"; $(rm -rf /)';
    assert.deepEqual(startCommand(p('claude'), { prompt }).argv, ['claude', '--dangerously-skip-permissions', prompt]);
    assert.deepEqual(startCommand(p('opencode'), { prompt }).argv, ['opencode', '--prompt', prompt]);
    assert.deepEqual(startCommand(p('gemini'), { prompt }).argv, ['gemini', '--approval-mode', 'yolo', '-i', prompt]);
    const codex = startCommand(p('codex'), { prompt });
    assert.deepEqual(codex.argv, ['codex', '--dangerously-bypass-approvals-and-sandbox']);
    assert.match(codex.notes[0], /prompt_mode none/);
    assert.deepEqual(throughSh(posixCommandLine([...PRINT_ARGV, ...startCommand(p('claude'), { prompt }).argv.slice(1)])), ['--dangerously-skip-permissions', prompt]);
  });

  it('resume: flag style after the args, subcommand style right after the command', () => {
    assert.deepEqual(resumeCommand(p('claude'), 'abc-123')?.argv, ['claude', '--dangerously-skip-permissions', '--resume', 'abc-123']);
    assert.deepEqual(resumeCommand(p('codex'), 'abc')?.argv, ['codex', 'resume', 'abc', '--dangerously-bypass-approvals-and-sandbox']);
    assert.deepEqual(resumeCommand(p('amp'), 'T-1')?.argv, ['amp', 'threads', 'continue', 'T-1', '--dangerously-allow-all', '--no-ide']);
    assert.equal(resumeCommand({ command: 'plain' }, 'x'), undefined, 'no resume flag');
    assert.equal(resumeCommand(p('claude'), ''), undefined, 'no session id');
  });

  it('continue and non-interactive', () => {
    assert.deepEqual(continueCommand(p('claude'))?.argv, ['claude', '--dangerously-skip-permissions', '--continue']);
    assert.equal(continueCommand(p('codex')), undefined);
    assert.deepEqual(execCommand(p('codex'), 'do it')?.argv, ['codex', '--dangerously-bypass-approvals-and-sandbox', 'exec', 'do it', '--json']);
    assert.deepEqual(execCommand(p('gemini'), 'q')?.argv, ['gemini', '--approval-mode', 'yolo', '-p', 'q', '--output-format', 'json']);
  });

  it('exec_wrapper goes first; the subcommand resume skips past it', () => {
    const wrapped = { ...p('codex'), exec_wrapper: ['nice', '-n', '5'] };
    assert.deepEqual(startCommand(wrapped).argv.slice(0, 4), ['nice', '-n', '5', 'codex']);
    assert.deepEqual(resumeCommand({ ...wrapped, exec_wrapper: ['nice'] }, 'id')?.argv.slice(0, 4), ['nice', 'codex', 'resume', 'id']);
  });
});
