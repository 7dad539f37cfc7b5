import * as vscode from 'vscode';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import type { AgentStatusStore } from '../model/agentStatusStore';
import type { TownStore } from '../model/townStore';
import { allRoles } from './pickRole';
import type { SessionManager } from './terminals/sessionManager';

const DEBOUNCE_MS = 500;

/**
 * Asks gt for the town's status on events only: the view becoming visible, a terminal opening or closing,
 * a session changing, gt writing its event log. While the view is hidden nothing runs; a change is
 * remembered and fetched when it shows again. No timer: idle cost is zero.
 */
export class StatusRefresher extends Disposable {
  private timer: NodeJS.Timeout | undefined;
  private dirty = true;
  private readonly townWatchers: IDisposable[] = [];

  constructor(
    private readonly towns: TownStore,
    private readonly status: AgentStatusStore,
    private readonly sessions: SessionManager,
    private readonly view: vscode.TreeView<unknown>,
    private trusted: boolean,
  ) {
    super();
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.register({ dispose: () => disposeAll(this.townWatchers) });
    this.register(view.onDidChangeVisibility((e) => e.visible && this.dirty && this.schedule()));
    // Visible again after a while: the throttle in the store decides whether hooks and mail are re-read.
    this.register(vscode.window.onDidOpenTerminal(() => this.schedule()));
    this.register(vscode.window.onDidCloseTerminal(() => this.schedule()));
    this.register(sessions.onDidChange(() => this.schedule()));
    // A polecat or crew home appearing on disk usually means gt just started or spawned an agent.
    this.register(towns.onDidChange((e) => e.kind === 'layout' && this.schedule()));
    this.register(
      status.onDidChange((root) => {
        const town = this.towns.towns.find((t) => t.location.root === root);
        if (town) {
          this.sessions.adoptFromStatus(root, allRoles(town));
        }
      }),
    );
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.schedule();
  }

  /** gt appends to `.events.jsonl` when it starts or stops a session: the cheap signal that something moved. */
  watchTowns(): void {
    disposeAll(this.townWatchers);
    for (const town of this.towns.towns) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(town.location.root), '.events.jsonl'));
      this.townWatchers.push(w, w.onDidChange(() => this.schedule()), w.onDidCreate(() => this.schedule()));
    }
    this.dirty = true;
    this.schedule();
  }

  schedule(): void {
    this.dirty = true;
    if (!this.view.visible || !this.trusted) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refreshNow(undefined), DEBOUNCE_MS);
  }

  /** `full`: also gt's slow pass (hooks, mail) now, as the Refresh command asks. */
  refreshNow(full?: boolean): void {
    if (!this.trusted) {
      return;
    }
    this.dirty = false;
    for (const town of this.towns.towns) {
      void this.status.refresh(town.location.root, full);
    }
  }
}
