import type { Terminal as HeadlessTerminal } from '@xterm/headless';

/**
 * The agent's screen, rebuilt from its raw output by a headless terminal, so readiness is judged where the agent
 * draws its prompt (a TUI redraws in place; the prompt is rarely the last line of the stream). Wider and taller
 * than any real panel, so nothing the agent draws wraps or scrolls away early.
 */
export class ScreenModel {
  private readonly term: HeadlessTerminal;

  constructor(cols = 300, rows = 80) {
    // Loaded when a native session starts, not at activation. The package's "module" entry is not shipped.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Terminal } = require('@xterm/headless/lib-headless/xterm-headless.js') as typeof import('@xterm/headless');
    this.term = new Terminal({ cols, rows, scrollback: 200, allowProposedApi: true });
  }

  /** Resolves once the data is parsed into the screen. */
  write(data: string): Promise<void> {
    return new Promise((resolve) => this.term.write(data, resolve));
  }

  /** The visible lines, top to bottom, trailing blanks trimmed. */
  lines(): string[] {
    const buffer = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) {
      out.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
    }
    return out;
  }

  dispose(): void {
    this.term.dispose();
  }
}
