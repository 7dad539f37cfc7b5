import * as vscode from 'vscode';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import type { TownModels } from '../model/townModel';
import type { TownStore } from '../model/townStore';
import { allRoles } from './pickRole';
import type { SessionManager } from './terminals/sessionManager';

/**
 * Wires the Town view to the towns' status resources: it subscribes while the view is visible (and the
 * workspace trusted), and turns events (a terminal opening or closing, a session changing, gt writing its
 * event log, a role home appearing) into invalidations. Hidden view: nothing runs. No timer: idle cost is zero.
 */
export class StatusRefresher extends Disposable {
  private readonly townWatchers: IDisposable[] = [];
  private readonly subscriptions: IDisposable[] = [];

  constructor(
    private readonly towns: TownStore,
    private readonly models: TownModels,
    private readonly sessions: SessionManager,
    private readonly view: vscode.TreeView<unknown>,
    private trusted: boolean,
  ) {
    super();
    this.register({ dispose: () => disposeAll(this.townWatchers) });
    this.register({ dispose: () => disposeAll(this.subscriptions) });
    this.register(view.onDidChangeVisibility(() => this.resubscribe()));
    this.register(vscode.window.onDidOpenTerminal(() => this.models.invalidateStatus()));
    this.register(vscode.window.onDidCloseTerminal(() => this.models.invalidateStatus()));
    this.register(sessions.onDidChange(() => this.models.invalidateStatus()));
    // A polecat or crew home appearing on disk usually means gt just started or spawned an agent.
    this.register(towns.onDidChange((e) => e.kind === 'layout' && this.models.invalidateStatus(e.root)));
    this.register(
      models.onDidChange((root) => {
        const town = this.towns.towns.find((t) => t.location.root === root);
        if (town && this.models.of(root).status.state.kind === 'ok') {
          this.sessions.adoptFromStatus(root, allRoles(town));
        }
      }),
    );
  }

  setTrusted(trusted: boolean): void {
    this.trusted = trusted;
    this.resubscribe();
  }

  private resubscribe(): void {
    disposeAll(this.subscriptions);
    if (this.view.visible && this.trusted) {
      for (const m of this.models.all) {
        this.subscriptions.push(m.status.subscribe());
      }
    }
  }

  /** gt appends to `.events.jsonl` when it starts or stops a session: the cheap signal that something moved. */
  watchTowns(): void {
    disposeAll(this.townWatchers);
    this.models.sync(this.towns.towns.map((t) => t.location.root));
    for (const town of this.towns.towns) {
      const root = town.location.root;
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '.events.jsonl'));
      this.townWatchers.push(w, w.onDidChange(() => this.models.invalidateStatus(root)), w.onDidCreate(() => this.models.invalidateStatus(root)));
    }
    this.models.invalidateStatus();
    this.resubscribe();
  }

  /** Refresh: gt's fast and full status now, whether the view shows or not. */
  refreshNow(): void {
    if (!this.trusted) {
      return;
    }
    for (const m of this.models.all) {
      void m.status.refresh();
    }
  }
}
