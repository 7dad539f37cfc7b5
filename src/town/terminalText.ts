// Terminal output arrives with escape sequences; readiness checks need the text a user sees.
 
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\r/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Keeps the last `max` characters of a growing output. */
export function appendTail(tail: string, chunk: string, max = 64 * 1024): string {
  const next = tail + chunk;
  return next.length > max ? next.slice(next.length - max) : next;
}

/** True when the last non-empty line of the output starts with the agent's ready prompt. */
export function endsWithPrompt(text: string, prefix: string): boolean {
  if (!prefix) {
    return false;
  }
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (line.trim() === '') {
      continue;
    }
    return line.startsWith(prefix) || line.trimStart().startsWith(prefix.trim());
  }
  return false;
}

/** The last non-empty lines of an agent's output, joined, for a one-line message. */
export function lastLines(output: string, n: number): string {
  return output
    .split(/\r?\n/)
    .map((l) => l.trim())
    // A shell prompt left after the agent ended (`$`, `user@host:~/x$`) is no part of the reason.
    .filter((l) => l !== '' && !/^(\S+@\S+:\S*)?[$#%]$/.test(l))
    .slice(-n)
    .join(' ⏎ ')
    .slice(-400);
}

