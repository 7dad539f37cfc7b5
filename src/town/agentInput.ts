/**
 * How typed input reaches an agent's TUI so it is submitted once and whole (real-agents.md): the text, cleaned of
 * control characters, as one bracketed paste; a pause; then the submit key on its own. Agent UIs tell a paste
 * from typing by timing, so a submit key that arrives within the paste becomes a newline (never submitted) and
 * a multi-line text typed as keys becomes one prompt per line. gt's nudge does the same (text, 500 ms, Enter).
 * Pure: the caller writes the pieces.
 */
import type { AgentPreset } from './schemas';

export const DEFAULT_SUBMIT_DELAY_MS = 500;

/** VS Code writes sendText in 50-character chunks 5 ms apart: the pause starts after the last chunk. */
const CHUNK = 50;
const CHUNK_MS = 5;

/**
 * Line endings to `\n`; every other control character (ESC included, so an `ESC[201~` inside the text cannot end
 * the paste early; C1 controls; DEL) removed. Tabs stay.
 */
export function cleanInput(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

export interface InputPlan {
  /** What to write first (no newline added). */
  text: string;
  /** How long to wait before the submit key. */
  delayMs: number;
  submit: string;
}

export function inputPlan(text: string, preset: Pick<AgentPreset, 'input_bracketed_paste' | 'input_submit_delay_ms' | 'input_submit_key'>): InputPlan {
  const clean = cleanInput(text);
  const paste = preset.input_bracketed_paste !== false;
  // Without bracketed paste a newline would submit early: the lines are joined.
  const body = paste ? `\x1b[200~${clean}\x1b[201~` : clean.replace(/\n/g, ' ');
  const writing = Math.ceil(body.length / CHUNK) * CHUNK_MS;
  return { text: body, delayMs: (preset.input_submit_delay_ms ?? DEFAULT_SUBMIT_DELAY_MS) + writing, submit: preset.input_submit_key ?? '\r' };
}
