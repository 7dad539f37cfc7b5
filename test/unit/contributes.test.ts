import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS, VIEWS } from '../../src/ui/ids';

const ROOT = path.resolve(__dirname, '..', '..', '..');
interface Manifest {
  activationEvents: string[];
  contributes: { commands: { command: string; category: string; icon?: string }[]; views: Record<string, { id: string }[]>; viewsWelcome: { view: string }[] };
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

// The ext-host suite checks the same against vscode.commands.getCommands(); this catches it without a VS Code.
describe('package.json contributions', () => {
  it('every contributed command is in the command ids module, and the reverse', () => {
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  });

  it('every command id is handled in the composition root', () => {
    // The composition root holds the town and agent handlers; the Beads feature its own table, merged in there.
    const source = ['extension.ts', 'ui/beadsFeature.ts', 'ui/escalationsFeature.ts', 'ui/convoysFeature.ts', 'ui/mailFeature.ts', 'ui/hooksFeature.ts'].map((f) => fs.readFileSync(path.join(ROOT, 'src', f), 'utf8')).join('\n');
    for (const key of Object.keys(COMMANDS)) {
      assert.ok(source.includes(`[COMMANDS.${key}]:`), `COMMANDS.${key} has no handler in src/extension.ts or a feature file`);
    }
  });

  it('commands have the Gas Town category and an icon', () => {
    for (const c of manifest.contributes.commands) {
      assert.equal(c.category, 'Gas Town', c.command);
      assert.match(c.icon ?? '', /^\$\([a-z-]+\)$/, c.command);
    }
  });

  it('views match the ids module and each has welcome content; activation is never *', () => {
    assert.deepEqual(manifest.contributes.views.gastown.map((v) => v.id).sort(), Object.values(VIEWS).sort());
    for (const id of Object.values(VIEWS)) {
      assert.ok(manifest.contributes.viewsWelcome.some((w) => w.view === id), id);
    }
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:mayor/town.json'));
  });
});
