import * as vscode from 'vscode';
import { HooksFeature } from './ui/hooksFeature';
import { settleNudgeDraft } from './ui/nudgeInput';
import { GtClient } from './cli/gtClient';
import { processStats } from './cli/runner';
import { disposeAll, IDisposable } from './common/lifecycle';
import type { BeadSummary } from './cli/beadSchemas';
import { listenerErrors } from './common/emitter';
import { applyFilter } from './model/beadsQuery';
import { TownModels } from './model/townModel';
import { TownStore } from './model/townStore';
import { expandPath } from './town/paths';
import { collectTownProblems } from './town/townProblems';
import * as agentCommands from './ui/commands/agentCommands';
import type { AgentCommandContext } from './ui/commands/agentCommands';
import * as townCommands from './ui/commands/townCommands';
import { COMMANDS, CONTEXT, TERMINAL_PROFILE, VIEWS } from './ui/ids';
import { ReadonlyDocs } from './ui/readonlyDocs';
import { SettingsDiagnostics } from './ui/settingsDiagnostics';
import { StatusRefresher } from './ui/statusRefresher';
import { AgentTerminalProfile } from './ui/terminals/agentProfile';
import { AgentTerminalRecords } from './ui/terminals/agentTerminalRecords';
import { HostSetting, SessionManager } from './ui/terminals/sessionManager';
import { TownWatcher } from './ui/townWatcher';
import { TownTreeProvider } from './ui/views/townTree';
import { BeadsFeature } from './ui/beadsFeature';
import { MailFeature } from './ui/mailFeature';
import { ConvoysFeature } from './ui/convoysFeature';
import { EscalationsFeature } from './ui/escalationsFeature';
import { EscalationsClient } from './cli/escalationsClient';
import { cliBeadsReader } from './model/beadsReaders';
import { sqlFirstBeadsReader } from './model/sqlBeadsReader';

/** What the extension exposes to its own integration tests (and nothing else relies on it). */
export interface GasTownApi {
  store: TownStore;
  sessions: SessionManager;
  status: TownModels;
  townTree: TownTreeProvider;
  beads: BeadsFeature;
  mail: MailFeature;
  convoys: ConvoysFeature;
  escalations: EscalationsFeature;
  hooks: HooksFeature;
  processStats: { spawned: number };
  /** performance.now() at the start and end of activate(), for `npm run bench`. */
  timings: { activateStart: number; activateEnd: number };
  commandIds: string[];
}

// Composition root: builds the parts and wires them; the parts hold the logic.
export function activate(context: vscode.ExtensionContext): GasTownApi {
  const activateStart = performance.now();
  const own = <T extends IDisposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const config = () => vscode.workspace.getConfiguration('gastown');
  const bin = (key: string, fallback: string) => expandPath(config().get<string>(key) || fallback);
  const log = own(vscode.window.createOutputChannel('Gas Town', { log: true }));
  const store = own(new TownStore(context.asAbsolutePath('presets')));
  const gt = new GtClient(() => ({ gt: bin('gtPath', 'gt'), bd: bin('bdPath', 'bd'), tmux: bin('tmuxPath', 'tmux') }), log);
  listenerErrors.report = (err) => log.error(`an event listener failed: ${(err as Error)?.stack ?? String(err)}`);
  const escalationsClient = new EscalationsClient(() => ({ gt: bin('gtPath', 'gt'), bd: bin('bdPath', 'bd') }), log);
  const status = own(new TownModels((root, fast, signal) => gt.status(root, fast, signal), (root, signal) => escalationsClient.list(root, signal)));
  const sessions = own(
    new SessionManager(
      store,
      status,
      gt,
      log,
      () => config().get<HostSetting>('agents.host') ?? 'auto',
      () => config().get<boolean>('agents.startupPrompt', true),
      new AgentTerminalRecords(context.workspaceState),
    ),
  );
  const docs = own(new ReadonlyDocs());
  const diagnostics = own(new SettingsDiagnostics(log));
  const watchers = new Map<string, IDisposable>();
  own({ dispose: () => disposeAll([...watchers.values()]) });
  own({ dispose: () => agentCommands.disposeExecChannels() });

  const showProblems = (): void => {
    diagnostics.show([...store.builtins.problems, ...store.towns.flatMap((t) => collectTownProblems(t.layout))]);
  };

  const hooks = own(new HooksFeature({ store, log, gtPath: () => bin('gtPath', 'gt'), trusted: () => vscode.workspace.isTrusted, plan: (home, agent) => sessions.plan(home, { override: agent }) }));
  sessions.beforeLaunch = (plan) => hooks.beforeStart(plan);
  const townTree = own(new TownTreeProvider(store, sessions, status, hooks));
  const townView = own(vscode.window.createTreeView(VIEWS.town, { treeDataProvider: townTree, showCollapseAll: true }));
  const refresher = own(new StatusRefresher(store, status, sessions, townView, vscode.workspace.isTrusted));
  // A role that gains an agent opens to show it (its row keeps its stable id, so VS Code would keep it closed).
  const revealNewAgents = (): void => {
    setTimeout(() => {
      if (townView.visible) {
        for (const node of townTree.newAgents()) {
          void Promise.resolve(townView.reveal(node, { select: false, focus: false })).catch(() => undefined);
        }
      }
    }, 50);
  };
  own(townTree.onDidChangeTreeData(revealNewAgents));
  own(townView.onDidChangeVisibility(revealNewAgents));

  const folders = (): string[] => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const rediscover = (): void => {
    void vscode.commands.executeCommand('setContext', CONTEXT.loading, true);
    const townRootSetting = config().get<string>('townRoot');
    store.discover({ folders: folders(), env: process.env, townRootSetting });
    disposeAll([...watchers.values()]);
    watchers.clear();
    for (const town of store.towns) {
      const root = town.location.root;
      // The watched folders follow the layout, so a new rig or crew folder gets watched after a reload.
      const rewatch = (): void => {
        watchers.get(root)?.dispose();
        watchers.set(
          root,
          new TownWatcher(store.towns.find((t) => t.location.root === root)?.layout ?? town.layout, () => {
            store.reloadLayout(root);
            showProblems();
            rewatch();
          }),
        );
      };
      rewatch();
      log.info(`town ${town.layout.name} at ${root} (found by ${town.location.foundBy}): ${town.layout.rigs.length} rig(s)`);
    }
    if (store.towns.length === 0) {
      log.info('no Gas Town found for this workspace');
    }
    showProblems();
    refresher.watchTowns();
    void vscode.commands.executeCommand('setContext', CONTEXT.townFound, store.towns.length > 0);
    beads.reload();
    convoys.reload();
    mail.reload();
    void vscode.commands.executeCommand('setContext', CONTEXT.loading, false);
  };

  const beads = own(
    new BeadsFeature({
      store,
      models: status,
      log,
      bins: () => ({ gt: bin('gtPath', 'gt'), bd: bin('bdPath', 'bd'), tmux: bin('tmuxPath', 'tmux') }),
      folders,
      reader: (bd) => (config().get<string>('beads.sqlReads') === 'off' ? cliBeadsReader(bd) : sqlFirstBeadsReader(bd, log)),
    }),
  );

  const escalations = own(new EscalationsFeature({ store, models: status, log, client: escalationsClient, state: context.globalState }));

  const convoys = own(new ConvoysFeature({ store, log, gtPath: () => bin('gtPath', 'gt'), databases: () => beads.view.all }));

  const mail = own(new MailFeature(store, () => bin('gtPath', 'gt'), log, context.globalState, () => config().get<string>('beads.sqlReads') !== 'off'));

  // The sling picker reads the rigs' beads from the Beads model (SQL or bd), not with bd calls of its own.
  const rigBeads = async (): Promise<BeadSummary[]> => {
    const rigs = beads.view.all.filter((d) => d.db.name !== 'hq' && d.db.townRoot);
    await Promise.all(rigs.filter((d) => d.resource.state.kind !== 'ok').map((d) => d.resource.refresh()));
    return rigs.flatMap((d) => applyFilter(d.resource.value?.beads ?? [], {}));
  };
  const ctx: AgentCommandContext = { store, docs, log, rediscover, sessions, gt, status, rigBeads, trusted: () => vscode.workspace.isTrusted, roleHooks: (home) => hooks.roleHooks(home) };
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [COMMANDS.selectTown]: () => townCommands.selectTown(ctx),
    [COMMANDS.openTownSettings]: () => townCommands.openTownSettings(ctx),
    [COMMANDS.openAgentRegistry]: () => townCommands.openAgentRegistry(ctx),
    [COMMANDS.showResolvedAgent]: (arg) => townCommands.showResolvedAgent(ctx, arg),
    [COMMANDS.refresh]: () => {
      rediscover();
      refresher.refreshNow();
      void beads.refresh();
      void escalations.refresh();
      void convoys.refresh();
    },
    [COMMANDS.showLog]: () => log.show(),
    [COMMANDS.startAgent]: (arg, options) => agentCommands.startAgent(ctx, arg, options as agentCommands.StartArgs | undefined),
    [COMMANDS.attachAgent]: (arg) => agentCommands.attachAgent(ctx, arg),
    [COMMANDS.stopAgent]: (arg, args) => agentCommands.stopAgent(ctx, arg, args as agentCommands.ActionArgs | undefined),
    [COMMANDS.restartAgent]: (arg, args) => agentCommands.restartAgent(ctx, arg, args as agentCommands.ActionArgs | undefined),
    [COMMANDS.resumeAgent]: (arg, args) => agentCommands.resumeAgent(ctx, arg, args as agentCommands.ActionArgs | undefined),
    [COMMANDS.nudgeAgent]: (arg, text) => agentCommands.nudgeAgent(ctx, arg, text),
    [COMMANDS.slingWork]: (arg, given) => agentCommands.slingWork(ctx, arg, given as agentCommands.SlingArgs | undefined),
    [COMMANDS.primeRole]: (arg) => agentCommands.primeRole(ctx, arg),
    [COMMANDS.runNonInteractive]: (arg, prompt) => agentCommands.runNonInteractive(ctx, arg, prompt),
    [COMMANDS.showAgentEnv]: (arg) => agentCommands.showAgentEnv(ctx, arg),
    [COMMANDS.showAgentTerminal]: (arg) => agentCommands.showAgentTerminal(ctx, arg),
    [COMMANDS.nudgeDraftSend]: () => settleNudgeDraft(true),
    [COMMANDS.nudgeDraftCancel]: () => settleNudgeDraft(false),
    ...hooks.handlers,
    ...beads.handlers,
    ...mail.handlers,
    ...convoys.handlers,
    ...escalations.handlers,
  };
  for (const [id, handler] of Object.entries(handlers)) {
    own(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          log.error(`${id} failed: ${(err as Error).stack ?? String(err)}`);
          // Also on the extension host's console, where test runs and "Developer: Show Logs" see it.
          console.error(`[gastown] ${id} failed: ${(err as Error).message}`);
          void vscode.window.showErrorMessage(`Gas Town: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );
  }
  own(vscode.window.registerTerminalProfileProvider(TERMINAL_PROFILE, new AgentTerminalProfile(store, sessions, (plan) => hooks.beforeStart(plan))));
  // Agent terminals not started by this extension host: the profile's, and ours from before a restart.
  own(vscode.window.onDidOpenTerminal((t) => void sessions.adoptTerminal(t, true)));
  void sessions.adoptOpenTerminals();

  own(vscode.workspace.onDidChangeWorkspaceFolders(() => rediscover()));
  own(vscode.workspace.onDidGrantWorkspaceTrust(() => refresher.setTrusted(true)));
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gastown.beads.sqlReads')) {
        beads.view.recreate();
        mail.reload();
      }
      if (e.affectsConfiguration('gastown.bdPath') || e.affectsConfiguration('gastown.gtPath')) {
        void beads.refresh();
      }
    }),
  );
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gastown.townRoot')) {
        rediscover();
      }
    }),
  );
  rediscover();
  log.info(`activated from ${context.extensionPath}`);
  const timings = { activateStart, activateEnd: performance.now() };
  return { store, sessions, status, townTree, beads, convoys, escalations, mail, hooks, processStats, timings, commandIds: Object.keys(handlers) };
}

export function deactivate(): void {
  // everything is owned by context.subscriptions
}
