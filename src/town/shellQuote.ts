/**
 * Quoting for the two shell families a terminal may run. Every value becomes one literal word: no
 * expansion of `$`, backticks, globs, `;` or newlines. A NUL cannot be passed in an argument at all.
 */

function checkNul(s: string): void {
  if (s.includes('\0')) {
    throw new Error('an argument contains a NUL character, which no program can receive');
  }
}

const POSIX_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One POSIX sh word: bare when it has only safe characters, else single-quoted with `'\''` for quotes. */
export function quotePosix(s: string): string {
  checkNul(s);
  if (s !== '' && POSIX_SAFE.test(s)) {
    return s;
  }
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// PowerShell treats the typographic single quotes as quote characters too, so they are doubled like `'`.
const PS_SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;

/** One PowerShell word: a single-quoted string (no expansion inside), quotes doubled. */
export function quotePowerShell(s: string): string {
  checkNul(s);
  return `'${s.replace(PS_SINGLE_QUOTES, (q) => q + q)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkEnvName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new Error(`"${name}" is not a valid environment variable name`);
  }
}

/** `env K=V … cmd args` for POSIX shells; `env` keeps the assignments out of the shell's own state. */
export function posixCommandLine(argv: readonly string[], env: Record<string, string> = {}): string {
  const words: string[] = [];
  const keys = Object.keys(env).sort();
  if (keys.length > 0) {
    words.push('env');
    for (const k of keys) {
      checkEnvName(k);
      words.push(quotePosix(`${k}=${env[k]}`));
    }
  }
  words.push(...argv.map(quotePosix));
  return words.join(' ');
}

/**
 * `$env:K = 'V'; & 'cmd' 'arg' …` for PowerShell. Windows PowerShell 5.1 mangles embedded double quotes and
 * drops empty arguments when calling native programs; PowerShell 7.3+ passes them intact.
 */
export function powershellCommandLine(argv: readonly string[], env: Record<string, string> = {}): string {
  const parts: string[] = [];
  for (const k of Object.keys(env).sort()) {
    checkEnvName(k);
    parts.push(`$env:${k} = ${quotePowerShell(env[k])}`);
  }
  parts.push(['&', ...argv.map(quotePowerShell)].join(' '));
  return parts.join('; ');
}

/**
 * One bash word on one line: a word with a newline or another control character is written `$'…'` with
 * escapes, since a command line that spans lines is not one command to shell integration (it never reports the
 * command's output or end). Other words as quotePosix.
 */
export function quoteBashOneLine(s: string): string {
  if (!/[\u0000-\u001f\u007f]/.test(s)) {
    return quotePosix(s);
  }
  checkNul(s);
  const escaped = s.replace(/[\\'\u0001-\u001f\u007f]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case "'":
        return "\\'";
      case '\n':
        return '\\n';
      case '\t':
        return '\\t';
      case '\r':
        return '\\r';
      default:
        return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
  return `$'${escaped}'`;
}

/** One PowerShell word on one line: newlines joined back in with "`n", the parts single-quoted. */
function quotePowerShellOneLine(s: string): string {
  const lines = s.replace(/\r\n?/g, '\n').split('\n');
  return lines.length === 1 ? quotePowerShell(s) : `(${lines.map(quotePowerShell).join(' + "`n" + ')})`;
}

/**
 * The command line a native agent terminal runs, on one line: its own directory and its role's variables set on
 * the line itself, so a user's shell rc file (a `cd`, an exported GIT_AUTHOR_NAME or GT_ROLE) cannot change the
 * agent. Not `exec` (unless `replaceShell`): the shell stays to report the agent's exit code through shell
 * integration. For bash (POSIX words, plus `$'…'` for text with newlines) or PowerShell.
 */
export function nativeCommandLine(argv: readonly string[], cwd: string, env: Record<string, string>, windows: boolean, replaceShell = false): string {
  if (windows) {
    const sets = Object.keys(env)
      .sort()
      .map((k) => (checkEnvName(k), `$env:${k} = ${quotePowerShellOneLine(env[k])}`));
    return [`Set-Location -LiteralPath ${quotePowerShell(cwd)}`, ...sets, ['&', ...argv.map(quotePowerShellOneLine)].join(' ')].join('; ');
  }
  const assignments = Object.keys(env)
    .sort()
    .map((k) => (checkEnvName(k), quoteBashOneLine(`${k}=${env[k]}`)));
  const words = [...(assignments.length > 0 ? ['env', ...assignments] : []), ...argv.map(quoteBashOneLine)];
  return `cd -- ${quoteBashOneLine(cwd)} && ${replaceShell ? 'exec ' : ''}${words.join(' ')}`;
}
