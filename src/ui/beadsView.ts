import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BeadsDb } from '../cli/bdClient';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import { BeadsDatabase, BeadsReader } from '../model/beadsModel';
import { describeFilter, filterActive } from '../model/beadsQuery';
import { resolveDoltTarget } from '../town/doltTarget';
import type { TownStore } from '../model/townStore';
import { CONTEXT, VIEWS } from './ids';
import { BeadsNode, BeadsTreeProvider } from './views/beadsTree';

const POLL_MS = 1000;

/** The databases of the towns (hq and each rig), or of the workspace's own `.beads` in beads-only mode. */
export function beadsDatabases(store: TownStore, folders: readonly string[]): BeadsDb[] {
  const out: BeadsDb[] = [];
  for (const town of store.towns) {
    const root = town.location.root;
    if (fs.existsSync(path.join(root, '.beads'))) {
      out.push({ cwd: root, name: 'hq', prefix: 'hq', townRoot: root });
    }
    for (const rig of town.layout.rigs) {
      if (fs.existsSync(path.join(rig.dir, '.beads'))) {
        out.push({ cwd: rig.dir, name: rig.name, prefix: rig.prefix, townRoot: root });
      }
    }
  }
  if (store.towns.length === 0) {
    for (const folder of folders) {
      if (fs.existsSync(path.join(folder, '.beads'))) {
        out.push({ cwd: folder, name: path.basename(folder) });
      }
    }
  }
  return out;
}

/**
 * Owns the Beads view: which databases it shows, the resources it subscribes to while visible, and what makes
 * them stale (bd's files, Dolt's data directory, a cheap change token polled while the view shows and the
 * window has focus, our own writes). Hidden view or unfocused window: no timer, no process.
 */
export class BeadsView extends Disposable {
  readonly tree: BeadsTreeProvider;
  readonly view: vscode.TreeView<BeadsNode>;
  private databases: BeadsDatabase[] = [];
  private readonly subscriptions: IDisposable[] = [];
  private readonly watchers: IDisposable[] = [];
  private poll: NodeJS.Timeout | undefined;
  private allowed = false;
  private readonly readError = this.register(new vscode.EventEmitter<void>());
  /** A read failed (bd gone, Dolt down, timeout): the owner re-probes the capabilities. */
  readonly onReadError = this.readError.event;

  constructor(
    private readonly reader: () => BeadsReader,
    private readonly overseer: () => string,
  ) {
    super();
    this.tree = this.register(new BeadsTreeProvider());
    this.view = this.register(vscode.window.createTreeView(VIEWS.beads, { treeDataProvider: this.tree, showCollapseAll: true, canSelectMany: true }));
    this.register({ dispose: () => disposeAll(this.subscriptions) });
    this.register({ dispose: () => disposeAll(this.watchers) });
    this.register({ dispose: () => this.databases.forEach((d) => d.dispose()) });
    this.register({ dispose: () => clearInterval(this.poll) });
    this.register(this.view.onDidChangeVisibility(() => this.resubscribe()));
    this.register(vscode.window.onDidChangeWindowState(() => this.updatePolling()));
    this.updateDescription();
  }

  get all(): readonly BeadsDatabase[] {
    return this.databases;
  }

  /** `allowed`: trusted and bd usable; otherwise the welcome view explains and nothing runs. */
  setDatabases(dbs: BeadsDb[], allowed: boolean, blockedReason?: string): void {
    this.allowed = allowed;
    const keep = new Map(this.databases.map((d) => [d.db.cwd, d]));
    const next = dbs.map((db) => {
      const old = keep.get(db.cwd);
      keep.delete(db.cwd);
      return old ?? this.createDatabase(db);
    });
    keep.forEach((d) => d.dispose());
    this.databases = next;
    this.tree.blockedReason = allowed ? undefined : blockedReason;
    this.tree.setDatabases(next);
    this.watch();
    this.resubscribe();
    void vscode.commands.executeCommand('setContext', CONTEXT.beadsFound, next.length > 0);
  }

  /** The way beads are read changed (a setting): every database gets a new reader. */
  recreate(): void {
    const dbs = this.databases.map((d) => d.db);
    this.databases.forEach((d) => d.dispose());
    this.databases = [];
    this.setDatabases(dbs, this.allowed, this.tree.blockedReason);
  }

  private createDatabase(db: BeadsDb): BeadsDatabase {
    const d = new BeadsDatabase(db, this.reader());
    this.syncNeeds(d);
    d.resource.onDidChange((s) => {
      this.tree.refreshView();
      if (s.kind === 'error') {
        this.readError.fire();
      }
    });
    return d;
  }

  private syncNeeds(d: BeadsDatabase): void {
    d.needs = { ready: !!this.tree.filter.ready, blocked: !!this.tree.filter.blocked };
  }

  private resubscribe(): void {
    disposeAll(this.subscriptions);
    if (this.view.visible && this.allowed) {
      for (const d of this.databases) {
        this.subscriptions.push(d.resource.subscribe());
      }
    }
    this.updatePolling();
  }

  /** The poll only asks for a change token (no process); it runs while someone can see the result. */
  private updatePolling(): void {
    const want = this.view.visible && this.allowed && vscode.window.state.focused && this.databases.length > 0;
    if (want && !this.poll) {
      this.poll = setInterval(() => {
        for (const d of this.databases) {
          if (d.canProbe) {
            d.resource.invalidate();
          }
        }
      }, POLL_MS);
    } else if (!want && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  /**
   * File signals: bd touches `.beads/last-touched` on create and update (not on close); Dolt appends every
   * write to its chunk journal. Both only mark the database stale; the change token then decides.
   */
  private watch(): void {
    disposeAll(this.watchers);
    for (const d of this.databases) {
      const beadsDir = vscode.Uri.file(path.join(d.db.cwd, '.beads'));
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(beadsDir, '*'));
      const stale = (): void => d.resource.invalidate();
      this.watchers.push(w, w.onDidChange(stale), w.onDidCreate(stale), w.onDidDelete(stale));
      // Dolt appends every write (close included, committed or not) to its chunk journal in this folder.
      const target = resolveDoltTarget(path.join(d.db.cwd, '.beads'), { townRoot: d.db.townRoot });
      if (target.ok && target.target.writeSignalDir) {
        const j = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(target.target.writeSignalDir), '*'));
        this.watchers.push(j, j.onDidChange(stale), j.onDidCreate(stale));
      }
    }
  }

  /** After our own write: re-read at once, whatever the throttle says. */
  async refreshAfterWrite(cwd?: string): Promise<void> {
    await Promise.all(this.databases.filter((d) => !cwd || d.db.cwd === cwd).map((d) => d.resource.refresh()));
  }

  refreshAll(): Promise<void> {
    return this.refreshAfterWrite();
  }

  /** The filter or grouping changed: re-group; fetch the id sets a new filter needs. */
  filterChanged(): void {
    this.updateDescription();
    for (const d of this.databases) {
      const before = d.needs;
      this.syncNeeds(d);
      if ((d.needs.ready && !before.ready) || (d.needs.blocked && !before.blocked)) {
        void d.resource.refresh();
      }
    }
    this.tree.refreshView();
  }

  private updateDescription(): void {
    this.view.description = describeFilter(this.tree.filter, this.tree.groupBy);
    void vscode.commands.executeCommand('setContext', CONTEXT.beadsFiltered, filterActive(this.tree.filter));
  }

  get me(): string {
    return this.overseer();
  }

  databaseOf(cwd: string): BeadsDatabase | undefined {
    return this.databases.find((d) => d.db.cwd === cwd);
  }

  /** The database a bead id lives in: by its prefix, else by which loaded list has it. */
  databaseForId(id: string): BeadsDatabase | undefined {
    return (
      this.databases.find((d) => d.resource.value?.byId.has(id)) ??
      this.databases.filter((d) => d.db.prefix).sort((a, b) => (b.db.prefix?.length ?? 0) - (a.db.prefix?.length ?? 0)).find((d) => id.startsWith(`${d.db.prefix}-`))
    );
  }
}
