import * as assert from 'node:assert/strict';
import { isPromptLine, screenState } from '../../src/town/screenState';
import { ScreenModel } from '../../src/ui/terminals/screenModel';

// Pure logic on screen lines, and the headless terminal that rebuilds a screen from raw output (no agent here:
// the real-agent suite checks the states against the real Claude Code).
const READY = ['╭─ Claude Code ─╮', '', '────────────────', '❯\u00a0', '────────────────', '  ⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents'];
const BUSY = ['✻ Booping… (3s · ↓ 12 tokens)', '────────────────', '❯\u00a0', '────────────────', '  ⏵⏵ bypass permissions on (shift+tab to cycle) · esc to interrupt · ← for agents'];
const DIALOG = ['Bypass Permissions mode', 'In Bypass Permissions mode, Claude Code will not ask for your approval', '❯ 1. No, exit', '  2. Yes, I accept', 'Enter to confirm · Esc to cancel'];

describe('agent screen state', () => {
  it('the prompt where Claude draws it (not the last line), NBSP read as a space: ready', () => {
    assert.equal(screenState(READY, '❯ '), 'ready');
  });
  it('"esc to interrupt" anywhere in the last lines: busy, whatever else shows', () => {
    assert.equal(screenState(BUSY, '❯ '), 'busy');
  });
  it('a dialog waiting for the user is not ready', () => {
    assert.equal(screenState(DIALOG, '❯ '), 'unknown');
    assert.ok(!isPromptLine('❯ 1. No, exit', '❯ '));
    // Claude's trust dialog (measured): an unnumbered menu under the cursor, with "Enter to confirm".
    assert.equal(screenState(['Quick safety check: Is this a project you created or one you trust?', ' ❯ No, exit', '   Yes, I trust this folder', ' Enter to confirm · Esc to cancel'], '❯ '), 'unknown');
    assert.ok(isPromptLine('❯\u00a0fix the bug', '❯ '), 'typed text after the prompt is still the prompt');
  });
  it('only the last lines count: an old prompt scrolled up is not the screen now', () => {
    assert.equal(screenState(['test-agent> ', ...Array.from({ length: 12 }, (_, i) => `output ${i}`)], 'test-agent> '), 'unknown');
  });

  it('the headless terminal applies redraws: erased lines are gone, the last frame stays', async () => {
    const screen = new ScreenModel(80, 10);
    await screen.write('✻ Working… esc to interrupt\r\n❯\u00a0\r\nfooter · esc to interrupt');
    assert.equal(screenState(screen.lines(), '❯ '), 'busy');
    // Ink-style redraw: up two lines, erase each, write the new frame.
    await screen.write('\r\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\r\n❯\u00a0\r\nfooter · ← for agents');
    assert.deepEqual(
      screen.lines().filter((l) => l !== ''),
      ['❯\u00a0', 'footer · ← for agents'],
    );
    assert.equal(screenState(screen.lines(), '❯ '), 'ready');
    screen.dispose();
  });
});

describe('the reason an agent exited', () => {
  it('is the last lines it printed, joined, without blank lines or the shell prompt', async () => {
    const { lastLines } = await import('../../src/town/terminalText');
    const out = 'booting\r\n\r\n--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\r\n$ \r\n';
    assert.equal(lastLines(out, 2), 'booting ⏎ --dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons');
    assert.equal(lastLines('x'.repeat(1000), 1).length, 400);
  });
});
