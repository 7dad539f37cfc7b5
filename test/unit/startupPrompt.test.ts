import * as assert from 'node:assert/strict';
import { beaconRecipient, startupDelivery, startupPrompt, wantsStartupPrompt } from '../../src/town/startupPrompt';

// Pure logic: gt's beacon format (internal/session/startup.go), no files.
describe('startup prompt (gt beacon)', () => {
  it('names the recipient as gt does', () => {
    assert.equal(beaconRecipient({ kind: 'crew', rig: 'demo', name: 'alice' }), 'crew alice (rig: demo)');
    assert.equal(beaconRecipient({ kind: 'witness', rig: 'demo' }), 'witness (rig: demo)');
    assert.equal(beaconRecipient({ kind: 'mayor' }), 'mayor');
  });

  it('starts with the beacon line and asks for gt prime first', () => {
    const text = startupPrompt({ kind: 'polecat', rig: 'demo', name: 'rust' }, new Date(2026, 10, 22, 9, 5));
    const [first, , instruction] = text.split('\n');
    assert.equal(first, '[GAS TOWN] polecat rust (rig: demo) <- overseer • 2026-11-22T09:05 • cold-start');
    assert.match(instruction, /^Run `gt prime`/);
  });

  it('only agents with hooks that take a prompt get it', () => {
    assert.ok(wantsStartupPrompt({ hooks_provider: 'claude', prompt_mode: 'arg' }));
    assert.ok(!wantsStartupPrompt({ hooks_provider: 'none', prompt_mode: 'arg' }));
    assert.ok(!wantsStartupPrompt({ prompt_mode: 'arg' }));
    assert.ok(!wantsStartupPrompt({ hooks_provider: 'claude', prompt_mode: 'none' }));
    assert.ok(!wantsStartupPrompt({ hooks_provider: 'gemini', hooks_informational: true }));
  });

  it('follows gt’s startup fallback matrix: argument with hooks and a prompt, typed with hooks and no prompt, gt prime without hooks', () => {
    assert.equal(startupDelivery({ hooks_provider: 'claude', prompt_mode: 'arg' }), 'argument');
    assert.equal(startupDelivery({ hooks_provider: 'opencode', prompt_mode: 'none' }), 'typed');
    assert.equal(startupDelivery({ hooks_provider: 'none', prompt_mode: 'arg' }), 'prime');
    assert.equal(startupDelivery({ prompt_mode: 'none' }), 'prime');
  });
});
