import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';

// Narrow on purpose: the files that define the layout and the settings, never `.beads/` or `.dolt-data/`.
const LAYOUT_GLOB = '{mayor/town.json,mayor/rigs.json,rigs.json,settings/*.json,*/config.json,*/settings/*.json,*/witness,*/refinery,*/crew/*,*/polecats/*}';

/** Watches one town's layout and settings files; tells its owner, debounced, when something moved. */
export class TownWatcher extends Disposable {
  private timer: NodeJS.Timeout | undefined;

  constructor(root: string, onChange: () => void, debounceMs = 300) {
    super();
    const watcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), LAYOUT_GLOB)));
    const poke = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(onChange, debounceMs);
    };
    this.register(watcher.onDidCreate(poke));
    this.register(watcher.onDidDelete(poke));
    this.register(watcher.onDidChange(poke));
    this.register({ dispose: () => clearTimeout(this.timer) });
  }
}
