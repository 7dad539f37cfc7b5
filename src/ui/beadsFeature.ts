import * as vscode from 'vscode';
import { BdClient } from '../cli/bdClient';
import { runCli } from '../cli/runner';
import { whenPortOpens } from '../cli/portProbe';
import { Disposable, IDisposable } from '../common/lifecycle';
import type { BeadsReader } from '../model/beadsModel';
import type { GroupBy } from '../model/beadsQuery';
import { beadsBlocker, Capabilities, probeCapabilities } from '../model/capabilities';
import { Resource } from '../model/resource';
import type { TownModels } from '../model/townModel';
import type { TownStore } from '../model/townStore';
import { BeadDetailsPanels, BeadRef } from './beadDetails';
import { beadsDatabases, BeadsView } from './beadsView';
import * as bc from './commands/beadCommands';
import { COMMANDS, CONTEXT } from './ids';

export interface BeadsFeatureDeps {
  store: TownStore;
  models: TownModels;
  log: vscode.LogOutputChannel;
  bins: () => { gt: string; bd: string; tmux: string };
  folders: () => string[];
  /** The reader for the current settings (SQL first where allowed, the CLI otherwise). */
  reader: (bd: BdClient) => BeadsReader;
}

/**
 * The Beads view, its details tabs, its commands and the capability probe behind its welcome views. Nothing
 * runs until the view shows: the probe is a resource the view subscribes to.
 */
export class BeadsFeature extends Disposable {
  readonly bd: BdClient;
  readonly view: BeadsView;
  readonly details: BeadDetailsPanels;
  readonly capabilities: Resource<Capabilities>;
  readonly handlers: Record<string, (...args: unknown[]) => unknown>;
  private capSub: IDisposable | undefined;
  private doltWait: IDisposable | undefined;

  constructor(private readonly deps: BeadsFeatureDeps) {
    super();
    this.bd = new BdClient(() => deps.bins().bd, () => ({}), deps.log, () => 1000 * (vscode.workspace.getConfiguration('gastown').get<number>('beads.readTimeoutSeconds') || 60));
    this.view = this.register(new BeadsView(() => deps.reader(this.bd), () => this.me()));
    const grouping = vscode.workspace.getConfiguration('gastown').get<GroupBy>('beads.defaultGrouping');
    if (grouping) {
      this.view.tree.groupBy = grouping;
    }
    this.details = this.register(
      new BeadDetailsPanels(
        this.bd,
        async (action, ref) => {
          await vscode.commands.executeCommand(`gastown.beads.${action}`, ref);
        },
        (id) => this.view.databaseForId(id),
      ),
    );
    this.capabilities = this.register(
      new Resource<Capabilities>({
        throttleMs: 0,
        fetch: () => {
          const root = this.probeRoot();
          return probeCapabilities({ bins: deps.bins(), root: root?.root ?? process.cwd(), isTown: !!root?.isTown, env: {}, log: deps.log });
        },
      }),
    );
    this.register({ dispose: () => this.capSub?.dispose() });
    this.register({ dispose: () => this.doltWait?.dispose() });
    this.register(this.capabilities.onDidChange(() => this.apply()));
    this.register(this.view.view.onDidChangeVisibility(() => this.watchCapabilities()));
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()));
    // A bd call failing may mean Dolt just went down: re-probe so the welcome view says so.
    this.register(this.view.onReadError(() => this.capabilities.invalidate()));

    const ctx: bc.BeadCommandContext = { beads: this.view, bd: this.bd, details: () => this.details, log: deps.log, trusted: () => vscode.workspace.isTrusted };
    this.handlers = {
      [COMMANDS.beadsRefresh]: () => this.refresh(),
      [COMMANDS.beadsGroupBy]: (by) => bc.chooseGrouping(ctx, typeof by === 'string' ? (by as GroupBy) : undefined),
      [COMMANDS.beadsFilter]: (given) => bc.chooseFilter(ctx, typeof given === 'object' && given !== null && !('type' in given) ? (given) : undefined),
      [COMMANDS.beadsClearFilter]: () => bc.clearFilter(ctx),
      [COMMANDS.beadsSearch]: () => bc.searchBeads(ctx),
      [COMMANDS.beadsShowMore]: (node) => this.view.tree.showMore(node as Parameters<typeof this.view.tree.showMore>[0]),
      [COMMANDS.beadsOpen]: (arg) => bc.openBead(ctx, arg),
      [COMMANDS.beadsCreate]: (arg, given) => bc.createBead(ctx, arg, given as Parameters<typeof bc.createBead>[2]),
      [COMMANDS.beadsSetStatus]: (arg, sel, v) => bc.setStatus(ctx, arg, sel, v as string | undefined),
      [COMMANDS.beadsSetPriority]: (arg, sel, v) => bc.setPriority(ctx, arg, sel, v as number | undefined),
      [COMMANDS.beadsSetAssignee]: (arg, sel, v) => bc.setAssignee(ctx, arg, sel, v as string | undefined),
      [COMMANDS.beadsEditLabels]: (arg, given) => bc.editLabels(ctx, arg, isLabelChange(given) ? given : undefined),
      [COMMANDS.beadsClaim]: (arg) => bc.claimBead(ctx, arg),
      [COMMANDS.beadsClose]: (arg, sel, given) => bc.closeBeads(ctx, arg, sel, given as { reason: string; confirmed?: boolean } | undefined),
      [COMMANDS.beadsReopen]: (arg, sel) => bc.reopenBeads(ctx, arg, sel),
      [COMMANDS.beadsComment]: (arg, text) => bc.commentBead(ctx, arg, typeof text === 'string' ? text : undefined),
      [COMMANDS.beadsAddDependency]: (arg, other) => bc.addDependency(ctx, arg, typeof other === 'string' ? other : undefined),
      [COMMANDS.beadsRemoveDependency]: (arg, other) => bc.removeDependency(ctx, arg, typeof other === 'string' ? other : undefined),
      [COMMANDS.beadsCopyId]: (arg, sel) => bc.copyId(ctx, arg, sel),
      [COMMANDS.beadsSling]: (arg) => bc.slingBead(ctx, arg),
      [COMMANDS.beadsReveal]: (arg) => bc.revealBead(ctx, arg),
      [COMMANDS.startDolt]: () => this.startDolt(),
    };
  }

  private probeRoot(): { root: string; isTown: boolean } | undefined {
    const town = this.deps.store.active;
    if (town) {
      return { root: town.location.root, isTown: true };
    }
    const db = this.view.all[0];
    return db ? { root: db.db.cwd, isTown: false } : undefined;
  }

  /** "me": the setting, else the overseer gt reports, else git's user.name is not read (a process); the login name. */
  private me(): string {
    const set = vscode.workspace.getConfiguration('gastown').get<string>('overseer');
    if (set) {
      return set;
    }
    const town = this.deps.store.active;
    const overseer = town ? (this.deps.models.statusOf(town.location.root) as { overseer?: { name?: string; username?: string } } | undefined)?.overseer : undefined;
    return overseer?.name || overseer?.username || process.env.USER || process.env.USERNAME || 'overseer';
  }

  /** After discovery or a trust change: which databases, and whether they may be read. */
  reload(): void {
    const dbs = beadsDatabases(this.deps.store, this.deps.folders());
    if (!vscode.workspace.isTrusted) {
      this.setBlocked('untrusted');
      this.view.setDatabases(dbs, false, 'untrusted');
      return;
    }
    this.capabilities.invalidate();
    this.apply(dbs);
    this.watchCapabilities();
  }

  private watchCapabilities(): void {
    this.capSub?.dispose();
    this.capSub = undefined;
    if (this.view.view.visible && vscode.workspace.isTrusted && this.view.all.length + beadsDatabases(this.deps.store, this.deps.folders()).length > 0) {
      this.capSub = this.capabilities.subscribe();
    }
    this.updateDoltWait();
  }

  private setBlocked(value: string): void {
    void vscode.commands.executeCommand('setContext', CONTEXT.blocked, value);
  }

  private apply(dbs = beadsDatabases(this.deps.store, this.deps.folders())): void {
    if (!vscode.workspace.isTrusted) {
      return;
    }
    const st = this.capabilities.state;
    if (st.kind === 'ok') {
      const blocker = beadsBlocker(st.value);
      this.setBlocked(blocker ?? '');
      this.deps.log.debug(`capabilities: gt ${JSON.stringify(st.value.gt)}, bd ${JSON.stringify(st.value.bd)}, tmux ${JSON.stringify(st.value.tmux)}, dolt ${JSON.stringify(st.value.dolt)}`);
      this.view.setDatabases(dbs, !blocker, blocker);
    } else if (st.kind === 'error') {
      this.setBlocked('');
      this.view.setDatabases(dbs, true);
    } else {
      // The view reads while the probe runs: the probe (three version calls) only says why a read cannot work,
      // and waiting for it first put a second before the first bead rows.
      this.setBlocked('probing');
      this.view.setDatabases(dbs, true);
    }
    this.updateDoltWait();
  }

  /**
   * While Dolt is down and the view shows, a TCP connect every 2 s (no process) notices it coming back; only
   * then is the probe (three version calls) run again.
   */
  private updateDoltWait(): void {
    const st = this.capabilities.state;
    const dolt = st.kind === 'ok' ? st.value.dolt : undefined;
    if (dolt?.state === 'down' && dolt.port && this.view.view.visible) {
      this.doltWait ??= whenPortOpens(dolt.port, dolt.host ?? '127.0.0.1', () => {
        this.doltWait = undefined;
        this.capabilities.invalidate();
      });
    } else {
      this.doltWait?.dispose();
      this.doltWait = undefined;
    }
  }

  async refresh(): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      return;
    }
    await this.capabilities.refresh();
    await this.view.refreshAll();
  }

  private async startDolt(): Promise<void> {
    const town = this.deps.store.active;
    if (!town || !vscode.workspace.isTrusted) {
      return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'gt dolt start…' }, async () => {
      try {
        await runCli(this.deps.bins().gt, ['dolt', 'start'], { cwd: town.location.root, timeoutMs: 60_000 }, this.deps.log);
      } catch (err) {
        void vscode.window.showErrorMessage(`Gas Town: gt dolt start failed: ${(err as Error).message}`);
      }
    });
    await this.refresh();
  }
}

function isLabelChange(x: unknown): x is { add?: string[]; remove?: string[] } {
  return typeof x === 'object' && x !== null && ('add' in x || 'remove' in x);
}

export type { BeadRef };
