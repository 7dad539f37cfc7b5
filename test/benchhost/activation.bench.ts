import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, waitFor } from '../integration/helpers';

/**
 * One fresh window: activate() and the first rows of the Town and Beads views. Figures only; asserts nothing.
 * With GASTOWN_BENCH_BEADS_ONLY=1 the folder is a beads database without a town (the 10,000-bead one), so
 * there are no Town rows; the time until the view holds every bead is taken too.
 */
describe('bench: activation', function () {
  this.timeout(300_000);
  it('measures', async () => {
    const a = await api();
    const beadsOnly = process.env.GASTOWN_BENCH_BEADS_ONLY === '1';
    const shown = performance.now();
    await vscode.commands.executeCommand('workbench.view.extension.gastown');
    await vscode.commands.executeCommand('gastown.beads.focus');
    if (!beadsOnly) {
      await waitFor('the Town rows', () => a.townTree.firstRowsAt, 60_000);
    }
    await waitFor('the first bead rows', () => a.beads.view.tree.firstBeadsAt, 240_000);
    const loaded = await waitFor('every bead in the view', () => a.beads.view.all.find((d) => d.resource.value)?.resource.value, 240_000, 20);
    const loadedAt = performance.now();
    fs.writeFileSync(
      process.env.GASTOWN_BENCH_OUT ?? '',
      JSON.stringify({
        activateMs: a.timings.activateEnd - a.timings.activateStart,
        townRowsMs: beadsOnly ? null : (a.townTree.firstRowsAt ?? 0) - shown,
        beadRowsMs: (a.beads.view.tree.firstBeadsAt ?? 0) - shown,
        allBeadsMs: loadedAt - shown,
        beads: loaded.beads.length,
      }),
    );
  });
});
