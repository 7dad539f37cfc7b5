import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { TownLayout } from '../town/layout';

/**
 * Watches the files that define one town's layout and settings, one folder level each (a pattern with a
 * path in it would make VS Code watch the whole tree: worktrees, .dolt-data, .beads). Tells its owner,
 * debounced, when something moved.
 */
export class TownWatcher extends Disposable {
  private timer: NodeJS.Timeout | undefined;

  constructor(layout: TownLayout, onChange: () => void, debounceMs = 300) {
    super();
    const poke = (): void => {
      clearTimeout(this.timer);
      this.timer = setTimeout(onChange, debounceMs);
    };
    const watch = (dir: string, glob: string): void => {
      const w = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), glob)));
      this.register(w.onDidCreate(poke));
      this.register(w.onDidDelete(poke));
      this.register(w.onDidChange(poke));
    };
    const root = layout.root;
    watch(root, 'rigs.json');
    watch(path.join(root, 'mayor'), '{town.json,rigs.json}');
    watch(path.join(root, 'settings'), '*.json');
    for (const rig of layout.rigs) {
      watch(rig.dir, '{config.json,witness,refinery,crew,polecats}');
      watch(path.join(rig.dir, 'settings'), '*.json');
      watch(path.join(rig.dir, 'crew'), '*');
      watch(path.join(rig.dir, 'polecats'), '*');
    }
    this.register({ dispose: () => clearTimeout(this.timer) });
  }
}
