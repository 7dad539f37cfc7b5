import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { BdClient } from '../cli/bdClient';
import type { BeadDetails } from '../cli/beadSchemas';
import { beadPage, errorPage, missingPage } from '../common/beadHtml';
import { Disposable } from '../common/lifecycle';
import type { BeadsDatabase } from '../model/beadsModel';

export interface BeadRef {
  cwd: string;
  id: string;
}

interface OpenPanel {
  panel: vscode.WebviewPanel;
  db: BeadsDatabase;
  id: string;
  last?: BeadDetails;
  /** Shown state, for tests: 'ok', 'missing' or 'error'. */
  shown: 'loading' | 'ok' | 'missing' | 'error';
  loading?: Promise<void>;
  /** The tab was closed: a read still in flight must not touch its (disposed) webview. */
  closed?: boolean;
}

/** Bead details in editor tabs: one per bead, reused when opened again, updated when the bead changes. */
export class BeadDetailsPanels extends Disposable {
  private readonly panels = new Map<string, OpenPanel>();

  constructor(
    private readonly bd: BdClient,
    private readonly run: (action: string, ref: BeadRef) => Promise<void>,
    private readonly resolve: (id: string, from?: BeadsDatabase) => BeadsDatabase | undefined,
  ) {
    super();
    this.register({
      dispose: () => {
        for (const p of [...this.panels.values()]) {
          p.panel.dispose();
        }
      },
    });
  }

  /** Open (or show) a bead's tab; resolves once its content is rendered. */
  async open(db: BeadsDatabase, id: string): Promise<void> {
    const key = `${db.db.cwd}|${id}`;
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      await this.load(existing);
      return;
    }
    const panel = vscode.window.createWebviewPanel('gastown.bead', id, vscode.ViewColumn.Active, { enableScripts: true, enableFindWidget: true, localResourceRoots: [] });
    const entry: OpenPanel = { panel, db, id, shown: 'loading' };
    this.panels.set(key, entry);
    // The bead changes outside (or through us): its database's list changes, so the tab re-reads it.
    const sub = db.resource.onDidChange((s) => {
      if (s.kind === 'ok' && entry.panel.visible) {
        void this.load(entry);
      }
    });
    const keepFresh = db.resource.subscribe();
    panel.onDidChangeViewState(() => panel.visible && void this.load(entry));
    panel.webview.onDidReceiveMessage((m: { action?: string; id?: string }) => {
      if (m.action === 'open' && typeof m.id === 'string') {
        const target = this.resolve(m.id, db) ?? db;
        void this.open(target, m.id);
      } else if (m.action === 'refresh') {
        void this.load(entry);
      } else if (typeof m.action === 'string') {
        void this.run(m.action, { cwd: db.db.cwd, id });
      }
    });
    panel.onDidDispose(() => {
      entry.closed = true;
      sub.dispose();
      keepFresh.dispose();
      this.panels.delete(key);
    });
    await this.load(entry);
  }

  /** Re-reads an open tab (after our own write to it). */
  async reload(ref: BeadRef): Promise<void> {
    const entry = this.panels.get(`${ref.cwd}|${ref.id}`);
    if (entry) {
      await this.load(entry);
    }
  }

  /** What a tab shows, for tests. */
  state(ref: BeadRef): { shown: string; title?: string; status?: string; comments: number } | undefined {
    const e = this.panels.get(`${ref.cwd}|${ref.id}`);
    return e ? { shown: e.shown, title: e.last?.title ?? undefined, status: e.last?.status ?? undefined, comments: e.last?.comments?.length ?? 0 } : undefined;
  }

  private load(entry: OpenPanel): Promise<void> {
    // One read at a time per tab; a later request waits for it and reads again.
    const run = async (): Promise<void> => {
      if (entry.closed) {
        return;
      }
      const opts = { cspSource: entry.panel.webview.cspSource, nonce: randomBytes(16).toString('base64'), dbName: entry.db.db.name };
      try {
        const bead = await this.bd.show(entry.db.db, entry.id);
        if (entry.closed) {
          return;
        }
        if (!bead) {
          entry.shown = 'missing';
          entry.last = undefined;
          entry.panel.title = `${entry.id} (deleted)`;
          entry.panel.webview.html = missingPage(entry.id, opts);
          return;
        }
        entry.last = bead;
        entry.shown = 'ok';
        entry.panel.title = `${bead.id}: ${bead.title ?? ''}`.slice(0, 60);
        entry.panel.webview.html = beadPage(bead, opts);
      } catch (err) {
        if (entry.closed) {
          return;
        }
        entry.shown = 'error';
        entry.panel.webview.html = errorPage(entry.id, (err as Error).message, opts);
      }
    };
    const next = (entry.loading ?? Promise.resolve()).then(run);
    entry.loading = next;
    return next;
  }
}
