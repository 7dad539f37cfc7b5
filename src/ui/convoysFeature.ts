import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConvoysClient } from '../cli/convoysClient';
import { CliError } from '../cli/runner';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import type { BeadsDatabase } from '../model/beadsModel';
import { ConvoysModel, isClosedStatus } from '../model/convoys';
import type { TownStore } from '../model/townStore';
import { resolveDoltTarget } from '../town/doltTarget';
import * as cc from './commands/convoyCommands';
import { COMMANDS, CONTEXT, VIEWS } from './ids';
import { ConvoysBlocked, ConvoysNode, ConvoysTreeProvider } from './views/convoysTree';

export interface ConvoysFeatureDeps {
  store: TownStore;
  log: vscode.LogOutputChannel;
  gtPath: () => string;
  /** The Beads feature's databases, for the bead picker. */
  databases: () => readonly BeadsDatabase[];
}

/**
 * The Convoys view and its commands. One `convoys` resource per town (gt's JSON, run in the town root),
 * subscribed only while the view shows; gt's event log, the hq `.beads` folder and Dolt's journals only mark
 * it stale; our own writes refresh it at once. Untrusted workspace: nothing runs.
 */
export class ConvoysFeature extends Disposable {
  readonly client: ConvoysClient;
  readonly tree: ConvoysTreeProvider;
  readonly view: vscode.TreeView<ConvoysNode>;
  readonly handlers: Record<string, (...args: unknown[]) => unknown>;
  private readonly models = new Map<string, ConvoysModel>();
  private readonly watchers: IDisposable[] = [];
  private subscription: IDisposable | undefined;
  private showClosed = false;

  constructor(private readonly deps: ConvoysFeatureDeps) {
    super();
    this.client = new ConvoysClient(deps.gtPath, deps.log);
    this.tree = this.register(new ConvoysTreeProvider(() => this.model));
    this.view = this.register(vscode.window.createTreeView(VIEWS.convoys, { treeDataProvider: this.tree, showCollapseAll: true }));
    this.register({ dispose: () => disposeAll(this.watchers) });
    this.register({ dispose: () => this.subscription?.dispose() });
    this.register({ dispose: () => this.models.forEach((m) => m.dispose()) });
    this.register(this.view.onDidChangeVisibility(() => this.resubscribe()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()));
    this.register(
      deps.store.onDidChange((e) => {
        if (e.kind === 'active') {
          this.resubscribe();
        }
      }),
    );
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gastown.gtPath')) {
          void this.refresh();
        }
      }),
    );

    const ctx: cc.ConvoyCommandContext = {
      model: () => this.model,
      client: this.client,
      databases: deps.databases,
      trusted: () => vscode.workspace.isTrusted,
      afterWrite: (m, id) => this.afterWrite(m, id),
    };
    this.handlers = {
      [COMMANDS.convoysRefresh]: () => this.refresh(),
      [COMMANDS.convoysCreate]: (arg, sel, given) => cc.createConvoy(ctx, arg, sel, given as cc.CreateArgs | undefined),
      [COMMANDS.convoysAdd]: (arg, sel, given) => cc.addToConvoy(ctx, arg, sel, given as cc.AddArgs | undefined),
      [COMMANDS.convoysClose]: (arg, sel, given) => cc.closeConvoy(ctx, arg, sel, given as cc.CloseArgs | undefined),
      [COMMANDS.convoysLand]: (arg, sel, given) => cc.landConvoy(ctx, arg, sel, given as cc.CloseArgs | undefined),
      [COMMANDS.convoysShowClosed]: () => this.setShowClosed(true),
      [COMMANDS.convoysHideClosed]: () => this.setShowClosed(false),
    };
    void vscode.commands.executeCommand('setContext', CONTEXT.convoysShowClosed, false);
  }

  /** The active town's convoys. */
  get model(): ConvoysModel | undefined {
    const town = this.deps.store.active;
    return town ? this.models.get(town.location.root) : undefined;
  }

  private timeoutMs(): number {
    return 1000 * (vscode.workspace.getConfiguration('gastown').get<number>('convoys.readTimeoutSeconds') || 30);
  }

  /** After discovery or a trust change: one model per town, the file signals, the subscription. */
  reload(): void {
    const roots = this.deps.store.towns.map((t) => t.location.root);
    for (const [root, m] of this.models) {
      if (!roots.includes(root)) {
        m.dispose();
        this.models.delete(root);
      }
    }
    for (const root of roots) {
      if (!this.models.has(root)) {
        const m = new ConvoysModel({ client: this.client, townRoot: root, timeoutMs: () => this.timeoutMs() });
        void m.setShowClosed(this.showClosed);
        m.resource.onDidChange(() => this.render());
        this.models.set(root, m);
      }
    }
    this.watch();
    this.resubscribe();
  }

  private resubscribe(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    const m = this.model;
    if (m && this.view.visible && vscode.workspace.isTrusted) {
      this.subscription = m.resource.subscribe();
    }
    this.render();
  }

  /**
   * Signals that convoy data may have changed, each only marking the town's resource stale: gt's event log
   * (land and close notify through mail, which gt logs), the hq `.beads` folder, and Dolt's chunk journal of
   * the hq database and of each rig's (a `bd close` of a tracked issue writes there, and touches no bd file).
   */
  private watch(): void {
    disposeAll(this.watchers);
    for (const town of this.deps.store.towns) {
      const root = town.location.root;
      const stale = (): void => this.models.get(root)?.resource.invalidate();
      const on = (base: string, pattern: string): void => {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), pattern));
        this.watchers.push(w, w.onDidChange(stale), w.onDidCreate(stale), w.onDidDelete(stale));
      };
      on(root, '.events.jsonl');
      on(path.join(root, '.beads'), '*');
      for (const beadsDir of [path.join(root, '.beads'), ...town.layout.rigs.map((r) => path.join(r.dir, '.beads'))]) {
        const target = resolveDoltTarget(beadsDir, { townRoot: root });
        if (target.ok && target.target.writeSignalDir) {
          on(target.target.writeSignalDir, '*');
        }
      }
    }
  }

  /** Which welcome view shows (none when the tree has rows), and the tree. */
  private render(): void {
    const st = this.model?.resource.state;
    let blocked: ConvoysBlocked;
    if (!vscode.workspace.isTrusted) {
      blocked = 'untrusted';
    } else if (st?.kind === 'error' && st.error instanceof CliError && st.error.kind === 'not-found' && /not found on PATH/.test(st.error.message)) {
      blocked = 'gt-missing';
    } else if (st?.kind === 'ok' && st.value.convoys.length === 0) {
      blocked = 'empty';
    }
    this.tree.blocked = blocked;
    void vscode.commands.executeCommand('setContext', CONTEXT.convoysState, blocked ?? '');
    const open = st?.kind === 'ok' ? st.value.convoys.filter((c) => !isClosedStatus(c.status)).length : undefined;
    this.view.description = open === undefined ? (this.showClosed ? 'with closed' : undefined) : `${open} open${this.showClosed ? ', with closed' : ''}`;
    this.tree.refreshView();
  }

  private async setShowClosed(on: boolean): Promise<void> {
    this.showClosed = on;
    void vscode.commands.executeCommand('setContext', CONTEXT.convoysShowClosed, on);
    this.render();
    if (vscode.workspace.isTrusted) {
      await this.model?.setShowClosed(on);
    }
  }

  async refresh(): Promise<void> {
    if (vscode.workspace.isTrusted) {
      await this.model?.resource.refresh();
    }
  }

  private async afterWrite(m: ConvoysModel, convoyId?: string): Promise<void> {
    await m.resource.refresh();
    const convoy = convoyId ? m.resource.value?.convoys.find((c) => c.id === convoyId) : undefined;
    if (convoy && this.view.visible && m === this.model) {
      await Promise.resolve(this.view.reveal({ type: 'convoy', town: m.townRoot, convoy }, { select: true, focus: false, expand: true })).catch(() => undefined);
    }
  }
}
