import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { TownStore } from '../model/townStore';
import { AgentPlan, findOnPath } from '../town/agentPlan';
import { HookState, InspectedFile, inspectFile, readUserHookLayers, TrackedFileError, writeInspected, writeWrapper } from '../town/hooks/hookFiles';
import { planFolderHooks, planRoleHooks, PlannedFile } from '../town/hooks/hookPlan';
import { buildRegistry } from '../town/registry';
import { gtRole, RoleHome } from '../town/roles';
import type { AgentPreset } from '../town/schemas';
import { COMMANDS } from './ids';
import { allRoles, pickRole } from './pickRole';

/** How a role home stands: the files its agent reads to prime itself, and the worst state among them. */
export interface RoleHooks {
  agent: string;
  state: HookState;
  files: InspectedFile[];
}

/** Arguments for running Install Agent Hooks without prompts (tests, other commands). */
export interface InstallArgs {
  scope: 'folder' | 'role' | 'town';
  folder?: string;
  /** gt's role (`demo/crew/alice`) or a role folder. */
  role?: string;
  agents?: string[];
  /** For a role or the town: this agent instead of the one each role resolves to. */
  agent?: string;
  /** false: no preview, no question. */
  confirm?: boolean;
}

const PREVIEW_SCHEME = 'gastown-hooks-preview';
/** Every file a preset makes an agent read (built-in presets' hooks_dir/hooks_settings_file and instructions). */
const HOOK_FILES_GLOB =
  '**/{AGENTS.md,CLAUDE.md,.claude/settings.json,.claude/settings.local.json,.opencode/plugins/gastown.js,.gemini/settings.json,.cursor/hooks.json,.github/hooks/gastown.json,.codex/hooks.json,.grok/hooks/gastown.json,.pi/extensions/gastown-hooks.js,.omp/hooks/gastown-hook.ts,.vibe/config.toml}';
const WORST: HookState[] = ['blocked', 'missing', 'outdated', 'installed'];

function worst(files: InspectedFile[]): HookState {
  return WORST.find((s) => files.some((f) => f.state === s)) ?? 'installed';
}

/** The gt a hook calls: an absolute path, as gt writes `os.Executable()`; a bare `gt` only when none is found. */
export function absoluteGt(configured: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.isAbsolute(configured) ? configured : (findOnPath(configured, env) ?? configured);
}

interface Deps {
  store: TownStore;
  log: vscode.LogOutputChannel;
  gtPath: () => string;
  trusted: () => boolean;
  plan: (home: RoleHome, agent?: string) => AgentPlan;
}

/**
 * Self-priming agents: writes the hook, plugin or instructions file each agent CLI reads so it runs `gt prime`
 * on start and after compaction; before an agent starts, and on demand for a folder, a role or the whole town.
 */
export class HooksFeature extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private readonly cache = new Map<string, RoleHooks>();
  private readonly previews = new Map<string, string>();

  private watchers: vscode.Disposable[] = [];
  private recheck: NodeJS.Timeout | undefined;

  constructor(private readonly deps: Deps) {
    super();
    this.register(
      deps.store.onDidChange(() => {
        this.watch();
        this.invalidate();
      }),
    );
    this.register({ dispose: () => (vscode.Disposable.from(...this.watchers).dispose(), clearTimeout(this.recheck)) });
    this.watch();
    this.register(
      vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, {
        provideTextDocumentContent: (uri) => this.previews.get(uri.path) ?? '',
      }),
    );
  }

  readonly handlers: Record<string, (...args: unknown[]) => unknown> = {
    [COMMANDS.installAgentHooks]: (arg) => this.installCommand(arg),
    [COMMANDS.writeAgentWrappers]: (dir, agents) => this.wrappersCommand(dir, agents),
  };

  invalidate(): void {
    this.cache.clear();
    this.changed.fire();
  }

  /**
   * The files agents read, watched in each town (VS Code's own watcher: no process), so a file edited or
   * removed outside shows in the Town view. The tree is redrawn only when a role's state really changed.
   */
  private watch(): void {
    vscode.Disposable.from(...this.watchers).dispose();
    this.watchers = this.deps.store.towns.map((t) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(t.location.root, HOOK_FILES_GLOB));
      const later = (): void => {
        clearTimeout(this.recheck);
        this.recheck = setTimeout(() => this.recheckStates(), 300);
      };
      w.onDidChange(later);
      w.onDidCreate(later);
      w.onDidDelete(later);
      return w;
    });
  }

  private recheckStates(): void {
    const before = new Map([...this.cache].map(([dir, h]) => [dir, h.files.map((f) => f.state).join()]));
    const homes = this.deps.store.towns.flatMap((t) => allRoles(t)).filter((h) => before.has(h.dir));
    this.cache.clear();
    if (homes.some((h) => this.roleHooks(h)?.files.map((f) => f.state).join() !== before.get(h.dir))) {
      this.changed.fire();
    }
  }

  private gtBin(): string {
    return absoluteGt(this.deps.gtPath());
  }

  private planRole(home: RoleHome, plan?: AgentPlan, agent?: string): { agent: string; files: PlannedFile[] } {
    const p = plan ?? this.deps.plan(home, agent);
    return { agent: p.resolved.name, files: planRoleHooks(home, { agentName: p.resolved.name, preset: p.resolved.preset, gtBin: this.gtBin(), user: readUserHookLayers() }) };
  }

  /** The hooks of a role home as they stand (read from disk once, until something changes). */
  roleHooks(home: RoleHome): RoleHooks | undefined {
    const hit = this.cache.get(home.dir);
    if (hit) {
      return hit;
    }
    try {
      const { agent, files } = this.planRole(home);
      const inspected = files.map((f) => inspectFile(f, home.townRoot));
      const value = { agent, state: worst(inspected), files: inspected };
      this.cache.set(home.dir, value);
      return value;
    } catch (err) {
      this.deps.log.warn(`hooks of ${gtRole(home)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Before an agent starts: its files, written quietly; a problem is shown but never stops the start. */
  async beforeStart(plan: AgentPlan): Promise<void> {
    if (!this.deps.trusted() || !vscode.workspace.getConfiguration('gastown').get<boolean>('hooks.installOnStart', true)) {
      return;
    }
    const { files } = this.planRole(plan.home, plan);
    const result = this.write(files.map((f) => inspectFile(f, plan.home.townRoot)));
    // A tracked instructions file is the project's: the start goes on with the startup nudge, and only the log says so.
    for (const p of result.problems.filter((x) => x.tracked)) {
      this.deps.log.info(`hooks for ${gtRole(plan.home)}: ${p.message}`);
    }
    this.reportProblems(
      result.problems.filter((x) => !x.tracked),
      `for ${gtRole(plan.home)}`,
    );
    if (result.written.length > 0) {
      this.deps.log.info(`hooks for ${gtRole(plan.home)} (${plan.resolved.name}): wrote ${result.written.join(', ')}`);
      this.invalidate();
    }
    await Promise.resolve();
  }

  private write(inspected: InspectedFile[]): { written: string[]; current: number; problems: Array<{ file: string; message: string; tracked: boolean }> } {
    const written: string[] = [];
    const problems: Array<{ file: string; message: string; tracked: boolean }> = [];
    let current = 0;
    for (const i of inspected) {
      try {
        const out = writeInspected(i);
        if (out.written) {
          written.push(out.path);
        } else {
          current++;
        }
      } catch (err) {
        problems.push({ file: i.file.path, message: (err as Error).message, tracked: err instanceof TrackedFileError });
      }
    }
    return { written, current, problems };
  }

  private reportProblems(problems: Array<{ file: string; message: string }>, where: string): void {
    const first = problems[0];
    if (!first) {
      return;
    }
    for (const p of problems) {
      this.deps.log.warn(`hooks ${where}: ${p.message}`);
    }
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more; see the Gas Town log)` : '';
    void vscode.window.showWarningMessage(`Gas Town: agent hooks ${where}: ${first.message}${more}`, 'Open File').then((pick) => {
      if (pick && fs.existsSync(first.file)) {
        void vscode.window.showTextDocument(vscode.Uri.file(first.file));
      }
    });
  }

  private presetsFor(townRoot: string | undefined): Map<string, AgentPreset> {
    if (!townRoot) {
      return this.deps.store.builtins.presets;
    }
    return new Map([...buildRegistry(this.deps.store.builtins.presets, townRoot).entries].map(([name, e]) => [name, e.preset]));
  }

  private async installCommand(arg: unknown): Promise<InspectedFile[] | undefined> {
    if (!this.deps.trusted()) {
      void vscode.window.showWarningMessage('Gas Town: agent hooks are not written in an untrusted workspace. Trust the workspace first.');
      return undefined;
    }
    const given = isInstallArgs(arg) ? arg : undefined;
    const town = this.deps.store.active;
    // A Town view row (its node holds the role home), unless these are the command's own arguments.
    const node = !given && typeof arg === 'object' && arg !== null && 'role' in arg ? (arg as { role: RoleHome }).role : undefined;
    const scope = node ? 'role' : (given?.scope ?? (await this.pickScope(town !== undefined)));
    if (!scope) {
      return undefined;
    }
    let inspected: InspectedFile[] = [];
    let where = '';
    let root = '';
    if (scope === 'folder') {
      const folder = given?.folder ?? (await this.pickFolder());
      if (!folder) {
        return undefined;
      }
      const registry = this.presetsFor(town?.location.root);
      const agents = given?.agents ?? (await this.pickAgents(registry));
      if (!agents || agents.length === 0) {
        return undefined;
      }
      const unknown = agents.filter((a) => !registry.has(a));
      if (unknown.length > 0) {
        throw new Error(`no agent preset named ${unknown.join(', ')}`);
      }
      const gtBin = this.gtBin();
      const files = agents.flatMap((a) => planFolderHooks(folder, { agentName: a, preset: registry.get(a) as AgentPreset, gtBin }));
      root = folder;
      inspected = dedupe(files).map((f) => inspectFile(f, folder));
      where = `in ${folder}`;
    } else {
      if (!town) {
        throw new Error('no Gas Town found in this workspace: open a town folder, or install for the workspace folder');
      }
      const roles =
        scope === 'town'
          ? allRoles(town)
          : [node ?? allRoles(town).find((r) => r.dir === given?.role || gtRole(r) === given?.role) ?? (await pickRole(town, 'Gas Town: Install Agent Hooks for Role'))].filter(
              (r): r is RoleHome => r !== undefined,
            );
      if (roles.length === 0) {
        return undefined;
      }
      root = town.location.root;
      inspected = dedupe(roles.flatMap((r) => this.planRole(r, undefined, given?.agent).files)).map((f) => inspectFile(f, root));
      where = scope === 'town' ? `for every role of ${town.layout.name}` : `for ${gtRole(roles[0])}`;
    }
    if (given?.confirm !== false && !(await this.confirm(inspected))) {
      return undefined;
    }
    const result = this.write(inspected);
    this.invalidate();
    this.reportProblems(result.problems, where);
    this.deps.log.info(`hooks ${where}: ${result.written.length} written, ${result.current} already current, ${result.problems.length} left alone`);
    if (result.problems.length === 0) {
      void vscode.window.showInformationMessage(
        `Gas Town: agent hooks ${where}: ${result.written.length} file(s) written, ${result.current} already current.`,
      );
    }
    return inspected.map((i) => inspectFile(i.file, root));
  }

  /** Changes to existing files are shown as diffs before anything is written. */
  private async confirm(inspected: InspectedFile[]): Promise<boolean> {
    const changing = inspected.filter((i) => i.state === 'outdated');
    const creating = inspected.filter((i) => i.state === 'missing');
    if (changing.length === 0 && creating.length === 0) {
      return true;
    }
    const install = 'Install';
    const show = 'Show Changes';
    const counts = [creating.length > 0 ? `${creating.length} new file${creating.length > 1 ? 's' : ''}` : '', changing.length > 0 ? `${changing.length} changed file${changing.length > 1 ? 's' : ''} (their own content is kept)` : ''];
    const summary = `Gas Town: install agent hooks: ${counts.filter((c) => c !== '').join(', ')}.`;
    const pick = await vscode.window.showInformationMessage(summary, { modal: true, detail: [...creating, ...changing].map((i) => i.file.path).join('\n') }, install, ...(changing.length > 0 ? [show] : []));
    if (pick === show) {
      for (const i of changing) {
        const key = `/${this.previews.size}/${path.basename(i.realPath)}`;
        this.previews.set(key, i.next ?? '');
        await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(i.realPath), vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: key }), `${path.basename(i.realPath)} ↔ after install`);
      }
      return (await vscode.window.showInformationMessage(summary, { modal: true }, install)) === install;
    }
    return pick === install;
  }

  private async pickScope(hasTown: boolean): Promise<InstallArgs['scope'] | undefined> {
    type Item = vscode.QuickPickItem & { scope: InstallArgs['scope'] };
    const items: Item[] = [
      { label: '$(folder) Workspace folder', detail: 'so an agent started by hand in a terminal here primes itself', scope: 'folder' },
      ...(hasTown
        ? [
            { label: '$(person) One role…', detail: 'the files the agent of one role home reads', scope: 'role' as const },
            { label: '$(organization) Every role of the town', detail: 'every role home, with the agent each resolves to', scope: 'town' as const },
          ]
        : []),
    ];
    return (await vscode.window.showQuickPick(items, { title: 'Gas Town: Install Agent Hooks' }))?.scope;
  }

  private async pickFolder(): Promise<string | undefined> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (folders.length <= 1) {
      return folders[0]?.uri.fsPath;
    }
    return (await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Install agent hooks in which folder?' }))?.uri.fsPath;
  }

  private async pickAgents(registry: Map<string, AgentPreset>): Promise<string[] | undefined> {
    const items = [...registry.entries()].map(([name, p]) => ({
      label: name,
      description: p.hooks_provider && p.hooks_provider !== 'none' ? `${p.hooks_dir ?? ''}/${p.hooks_settings_file ?? ''}` : `no hooks: a section in ${p.instructions_file || 'AGENTS.md'}`,
      picked: name === 'claude',
    }));
    return (await vscode.window.showQuickPick(items, { title: 'Gas Town: Install Agent Hooks for which agents?', canPickMany: true }))?.map((i) => i.label);
  }

  private async wrappersCommand(dirArg: unknown, agentsArg: unknown): Promise<string[] | undefined> {
    if (!this.deps.trusted()) {
      void vscode.window.showWarningMessage('Gas Town: wrapper scripts are not written in an untrusted workspace.');
      return undefined;
    }
    const registry = this.presetsFor(this.deps.store.active?.location.root);
    const dir =
      typeof dirArg === 'string'
        ? dirArg
        : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Write gt-<agent> wrappers here', title: 'Gas Town: a folder on your PATH' }))?.[0]?.fsPath;
    if (!dir) {
      return undefined;
    }
    const agents = Array.isArray(agentsArg) ? agentsArg.filter((a): a is string => typeof a === 'string') : await this.pickAgents(registry);
    if (!agents || agents.length === 0) {
      return undefined;
    }
    const written = agents.map((a) => writeWrapper(dir, a, registry.get(a)?.command || a, this.gtBin()));
    void vscode.window.showInformationMessage(`Gas Town: wrote ${written.map((w) => path.basename(w)).join(', ')} in ${dir}. Run an agent through its gt-<agent> wrapper to prime it.`);
    return written;
  }
}

function isInstallArgs(v: unknown): v is InstallArgs {
  return typeof v === 'object' && v !== null && 'scope' in v;
}

/** Roles sharing a settings dir (crew, polecats) plan the same file: write it once. */
function dedupe(files: PlannedFile[]): PlannedFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}
