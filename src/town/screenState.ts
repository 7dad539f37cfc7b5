/**
 * Whether an agent's screen shows it waiting for input, as gt decides it on a tmux pane (internal/tmux/tmux.go:
 * the ready prompt at the start of one of the last lines, NBSP read as a space, and no "esc to interrupt"
 * anywhere in them). Pure: the caller supplies the screen's lines.
 */

/** gt's busy indicator, shown by Claude Code (and others) while a turn runs. */
export const BUSY_INDICATOR = 'esc to interrupt';

/** A menu waiting for the user (Claude's trust and permission dialogs): the `❯` there is a cursor, not the prompt. */
export const DIALOG_INDICATOR = /\bEnter to (confirm|select|continue)\b/i;

/** How many of the last non-empty lines are looked at (gt captures 5 to 10). */
const LAST_LINES = 10;

const nbsp = (s: string): string => s.replace(/\u00a0/g, ' ');

/** The ready prompt at the start of the line; a numbered menu entry under a `❯` cursor is a dialog, not the prompt. */
export function isPromptLine(line: string, prefix: string): boolean {
  const trimmed = nbsp(line).trim();
  const p = nbsp(prefix);
  if (!(trimmed.startsWith(p) || (p.trim() !== '' && trimmed === p.trim()))) {
    return false;
  }
  return !/^\S+\s+\d+\.\s/.test(trimmed);
}

export type ScreenState = 'ready' | 'busy' | 'unknown';

export function screenState(lines: readonly string[], prefix: string, busy = BUSY_INDICATOR): ScreenState {
  const last = lines.filter((l) => l.trim() !== '').slice(-LAST_LINES);
  if (last.some((l) => l.includes(busy))) {
    return 'busy';
  }
  if (last.some((l) => DIALOG_INDICATOR.test(l))) {
    return 'unknown';
  }
  return prefix !== '' && last.some((l) => isPromptLine(l, prefix)) ? 'ready' : 'unknown';
}
