import * as assert from 'node:assert/strict';
import { cleanInput, DEFAULT_SUBMIT_DELAY_MS, inputPlan } from '../../src/town/agentInput';

// Pure logic: what is written to an agent's terminal for a message (no terminal here; the suites type for real).
describe('agent input protocol', () => {
  it('keeps newlines and tabs, removes every other control character', () => {
    assert.equal(cleanInput('a\r\nb\rc\td'), 'a\nb\nc\td');
    assert.equal(cleanInput('x\x1b[201~y\x07z\x7f\x9b'), 'x[201~yz');
  });

  it('one bracketed paste, then the submit key alone after gt’s pause plus the time VS Code takes to write it', () => {
    const p = inputPlan('two\nlines', {});
    assert.equal(p.text, '\x1b[200~two\nlines\x1b[201~');
    assert.equal(p.submit, '\r');
    assert.equal(p.delayMs, DEFAULT_SUBMIT_DELAY_MS + 5);
    assert.equal(inputPlan('x'.repeat(1000), {}).delayMs, DEFAULT_SUBMIT_DELAY_MS + Math.ceil(1012 / 50) * 5);
  });

  it('the preset can change the pause and the key, or turn the paste off (lines then joined)', () => {
    const p = inputPlan('a\nb', { input_bracketed_paste: false, input_submit_delay_ms: 100, input_submit_key: '\n' });
    assert.deepEqual(p, { text: 'a b', delayMs: 105, submit: '\n' });
  });
});
