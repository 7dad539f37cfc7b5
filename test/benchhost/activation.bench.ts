import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, waitFor } from '../integration/helpers';

/** One fresh window: activate() and the first rows of the Town and Beads views. Figures only; asserts nothing. */
describe('bench: activation', function () {
  this.timeout(120_000);
  it('measures', async () => {
    const a = await api();
    const shown = performance.now();
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await vscode.commands.executeCommand('gastown.beads.focus');
    await waitFor('the Town rows', () => a.townTree.firstRowsAt, 60_000);
    await waitFor('the first bead rows', () => a.beads.view.tree.firstBeadsAt, 60_000);
    const out = process.env.GASTOWN_BENCH_OUT ?? '';
    fs.writeFileSync(
      out,
      JSON.stringify({
        activateMs: a.timings.activateEnd - a.timings.activateStart,
        townRowsMs: (a.townTree.firstRowsAt ?? 0) - shown,
        beadRowsMs: (a.beads.view.tree.firstBeadsAt ?? 0) - shown,
      }),
    );
  });
});
