import * as vscode from 'vscode';
import { disposeAll, IDisposable } from './common/lifecycle';
import { TownStore } from './model/townStore';
import { collectTownProblems } from './town/townProblems';
import * as townCommands from './ui/commands/townCommands';
import type { CommandContext } from './ui/commands/townCommands';
import { EmptyTreeProvider } from './ui/emptyTree';
import { COMMANDS, CONTEXT, VIEWS } from './ui/ids';
import { ReadonlyDocs } from './ui/readonlyDocs';
import { SettingsDiagnostics } from './ui/settingsDiagnostics';
import { TownWatcher } from './ui/townWatcher';
import { TownTreeProvider } from './ui/views/townTree';

/** What the extension exposes to its own integration tests (and nothing else relies on it). */
export interface GasTownApi {
  store: TownStore;
  commandIds: string[];
}

// Composition root: builds the parts and wires them; the parts hold the logic.
export function activate(context: vscode.ExtensionContext): GasTownApi {
  const own = <T extends IDisposable>(d: T): T => {
    context.subscriptions.push(d);
    return d;
  };
  const log = own(vscode.window.createOutputChannel('Gas Town', { log: true }));
  const store = own(new TownStore(context.asAbsolutePath('presets')));
  const docs = own(new ReadonlyDocs());
  const diagnostics = own(new SettingsDiagnostics(log));
  const watchers: IDisposable[] = [];
  own({ dispose: () => disposeAll(watchers) });

  const showProblems = (): void => {
    diagnostics.show([...store.builtins.problems, ...store.towns.flatMap((t) => collectTownProblems(t.layout))]);
  };

  const rediscover = (): void => {
    void vscode.commands.executeCommand('setContext', CONTEXT.loading, true);
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const townRootSetting = vscode.workspace.getConfiguration('gastown').get<string>('townRoot');
    store.discover({ folders, env: process.env, townRootSetting });
    disposeAll(watchers);
    for (const town of store.towns) {
      const root = town.location.root;
      watchers.push(
        new TownWatcher(root, () => {
          store.reloadLayout(root);
          showProblems();
        }),
      );
      log.info(`town ${town.layout.name} at ${root} (found by ${town.location.foundBy}): ${town.layout.rigs.length} rig(s)`);
    }
    if (store.towns.length === 0) {
      log.info('no Gas Town found for this workspace');
    }
    showProblems();
    void vscode.commands.executeCommand('setContext', CONTEXT.townFound, store.towns.length > 0);
    void vscode.commands.executeCommand('setContext', CONTEXT.loading, false);
  };

  const ctx: CommandContext = { store, docs, log, rediscover };
  const town = own(new TownTreeProvider(store));
  own(vscode.window.createTreeView(VIEWS.town, { treeDataProvider: town, showCollapseAll: true }));
  for (const id of [VIEWS.beads, VIEWS.mail, VIEWS.convoys]) {
    own(vscode.window.createTreeView(id, { treeDataProvider: new EmptyTreeProvider() }));
  }

  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    [COMMANDS.selectTown]: () => townCommands.selectTown(ctx),
    [COMMANDS.openTownSettings]: () => townCommands.openTownSettings(ctx),
    [COMMANDS.openAgentRegistry]: () => townCommands.openAgentRegistry(ctx),
    [COMMANDS.showResolvedAgent]: (arg) => townCommands.showResolvedAgent(ctx, arg),
    [COMMANDS.refresh]: () => rediscover(),
    [COMMANDS.showLog]: () => log.show(),
  };
  for (const [id, handler] of Object.entries(handlers)) {
    own(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await handler(...args);
        } catch (err) {
          log.error(`${id} failed: ${(err as Error).stack ?? String(err)}`);
          void vscode.window.showErrorMessage(`Gas Town: ${(err as Error).message}`);
        }
      }),
    );
  }

  own(vscode.workspace.onDidChangeWorkspaceFolders(() => rediscover()));
  own(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gastown.townRoot')) {
        rediscover();
      }
    }),
  );
  rediscover();
  log.info(`activated from ${context.extensionPath}`);
  return { store, commandIds: Object.keys(handlers) };
}

export function deactivate(): void {
  // everything is owned by context.subscriptions
}
