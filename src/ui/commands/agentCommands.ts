import * as vscode from 'vscode';
import { escapeIcons } from '../../common/markdownText';
import type { GtClient } from '../../cli/gtClient';
import { CliError, runStreaming } from '../../cli/runner';
import type { TownModels } from '../../model/townModel';
import { planExec } from '../../town/agentPlan';
import { explainGtError } from '../../town/gtErrors';
import { posixCommandLine } from '../../town/shellQuote';
import { gtRole, mailAddress, RoleHome, slingableNow, slingReach } from '../../town/roles';
import { allRoles, pickRole } from '../pickRole';
import type { SessionManager } from '../terminals/sessionManager';
import { isRunning } from '../terminals/agentSession';
import { askNudge } from '../nudgeInput';
import { StopRefused } from '../terminals/tmuxSession';
import type { TownNode } from '../views/townTree';
import type { BeadSummary } from '../../cli/beadSchemas';
import type { CommandContext } from './townCommands';
import { roleDocPath } from './docPaths';
import { requireTown, roleFromArg } from './townCommands';

export interface AgentCommandContext extends CommandContext {
  sessions: SessionManager;
  gt: GtClient;
  status: TownModels;
  trusted(): boolean;
  /** The open work beads of the town's rigs, as the Beads model read them (no bd call of its own). */
  rigBeads(): Promise<BeadSummary[]>;
}

/** Nothing runs in an untrusted workspace: say so instead. */
function refuseUntrusted(ctx: AgentCommandContext): boolean {
  if (ctx.trusted()) {
    return false;
  }
  void vscode.window.showWarningMessage('Gas Town starts no process in an untrusted workspace. Trust the workspace to run agents.', 'Manage Workspace Trust').then((pick) => {
    if (pick) {
      void vscode.commands.executeCommand('workbench.trust.manage');
    }
  });
  return true;
}

async function roleOf(ctx: AgentCommandContext, arg: unknown, title: string, filter?: (r: RoleHome) => boolean, none = 'No agent is running in this town.'): Promise<RoleHome | undefined> {
  const town = requireTown(ctx);
  if (!town) {
    return undefined;
  }
  const given = roleFromArg(town, arg);
  if (given) {
    return given;
  }
  if (filter) {
    const roles = allRoles(town).filter(filter);
    if (roles.length === 0) {
      void vscode.window.showInformationMessage(none);
      return undefined;
    }
    type Item = vscode.QuickPickItem & { role: RoleHome };
    const pick = await vscode.window.showQuickPick<Item>(
      roles.map((role) => ({ label: gtRole(role), description: escapeIcons(ctx.sessions.get(role)?.name ?? ''), role })),
      { title },
    );
    return pick?.role;
  }
  return pickRole(town, title);
}

const running = (ctx: AgentCommandContext) => (r: RoleHome) => {
  const s = ctx.sessions.get(r);
  return s !== undefined && isRunning(s.state);
};

/** Trusted workspace, then a role (given or picked), then the action. */
async function onTrustedRole(ctx: AgentCommandContext, arg: unknown, title: string, act: (role: RoleHome) => Promise<unknown>): Promise<void> {
  if (refuseUntrusted(ctx)) {
    return;
  }
  const role = await roleOf(ctx, arg, title);
  if (role) {
    await act(role);
  }
}

/** Optional second argument of Start Agent (from other commands and tests): another agent or host than resolved. */
export interface StartArgs {
  agent?: string;
  host?: 'native' | 'tmux';
}

/** Optional second argument of Stop, Restart and Resume: `confirm: false` skips the question. */
export interface ActionArgs {
  confirm?: boolean;
}

/**
 * Runs an agent action with a cancellable notification: a start or stop through gt waits until the agent is up
 * or down (minutes for a slow agent); Cancel ends gt's call.
 */
async function withAgentProgress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return work(abort.signal);
  });
}

/** Destructive actions ask first, unless the setting or the caller says not to. */
async function confirmed(question: string, action: string, args?: ActionArgs): Promise<boolean> {
  if (args?.confirm === false || !vscode.workspace.getConfiguration('gastown').get<boolean>('agents.confirmActions', true)) {
    return true;
  }
  return (await vscode.window.showWarningMessage(question, { modal: true }, action)) === action;
}

/** Stops, and when gt refuses, shows gt's reason and offers Force Stop. False when the agent is still running. */
async function stopOrOfferForce(ctx: AgentCommandContext, role: RoleHome): Promise<boolean> {
  try {
    await withAgentProgress(`Stopping ${gtRole(role)}…`, () => ctx.sessions.stop(role));
    return true;
  } catch (err) {
    if (!(err instanceof StopRefused)) {
      throw err;
    }
    const force = 'Force Stop';
    if ((await vscode.window.showErrorMessage(`Gas Town: ${err.message}`, force)) !== force) {
      return false;
    }
    await withAgentProgress(`Stopping ${gtRole(role)} (forced)…`, () => ctx.sessions.stop(role, { force: true }));
    return true;
  }
}

export function startAgent(ctx: AgentCommandContext, arg?: unknown, options?: StartArgs): Promise<void> {
  const agent = typeof options?.agent === 'string' ? options.agent : undefined;
  const host = options?.host === 'native' || options?.host === 'tmux' ? options.host : undefined;
  return onTrustedRole(ctx, arg, 'Gas Town: Start Agent', (role) =>
    withAgentProgress(`Starting ${gtRole(role)}…`, (signal) => ctx.sessions.start(role, { override: agent, host, signal })),
  );
}

/** Roles whose agent runs in gt's tmux (ours, or one gt reports): the only ones Attach can reach. */
const inTmux = (ctx: AgentCommandContext) => (r: RoleHome) => {
  const s = ctx.sessions.get(r);
  return s?.host === 'tmux' && isRunning(s.state);
};

/** An error whose button starts the role's agent in gt's tmux. */
function offerTmuxStart(ctx: AgentCommandContext, role: RoleHome, message: string, button: string): void {
  void vscode.window.showErrorMessage(message, button).then((pick) => {
    if (pick) {
      ctx.sessions.start(role, { host: 'tmux' }).catch((e: unknown) => vscode.window.showErrorMessage(`Gas Town: ${(e as Error).message}`));
    }
  });
}

export async function attachAgent(ctx: AgentCommandContext, arg?: unknown): Promise<void> {
  if (refuseUntrusted(ctx)) {
    return;
  }
  const picked = await roleOf(ctx, arg, 'Gas Town: Attach to Agent', inTmux(ctx), 'No agent of this town runs in gt’s tmux. Start one with "Gas Town: Start Agent".');
  if (!picked) {
    return;
  }
  return onTrustedRole(ctx, picked.dir, 'Gas Town: Attach to Agent', async (role) => {
    try {
      await ctx.sessions.attach(role);
    } catch (err) {
      const socket = ctx.sessions.socket(role.townRoot);
      offerTmuxStart(ctx, role, `Gas Town: cannot attach to ${gtRole(role)}: ${(err as Error).message}. The tmux socket ${socket} may be gone; start the agent with "Gas Town: Start Agent".`, 'Start Agent');
    }
  });
}

export async function stopAgent(ctx: AgentCommandContext, arg?: unknown, args?: ActionArgs): Promise<void> {
  if (refuseUntrusted(ctx)) {
    return;
  }
  const role = await roleOf(ctx, arg, 'Gas Town: Stop Agent', running(ctx));
  const session = role && ctx.sessions.get(role);
  if (!role || !session) {
    return;
  }
  if (await confirmed(`Stop the agent ${session.name}? Work it has not saved is lost.`, 'Stop', args)) {
    await stopOrOfferForce(ctx, role);
  }
}

export function restartAgent(ctx: AgentCommandContext, arg?: unknown, args?: ActionArgs): Promise<void> {
  return onTrustedRole(ctx, arg, 'Gas Town: Restart Agent', async (role) => {
    const session = ctx.sessions.get(role);
    if (session && isRunning(session.state) && !(await confirmed(`Restart the agent ${session.name}? It is stopped first; work it has not saved is lost.`, 'Restart', args))) {
      return;
    }
    if (!(await stopOrOfferForce(ctx, role))) {
      return;
    }
    await withAgentProgress(`Starting ${gtRole(role)}…`, (signal) => ctx.sessions.start(role, { host: session?.host, signal }));
  });
}

export function resumeAgent(ctx: AgentCommandContext, arg?: unknown, args?: ActionArgs): Promise<void> {
  return onTrustedRole(ctx, arg, 'Gas Town: Resume Agent', async (role) => {
    const session = ctx.sessions.get(role);
    if (session && isRunning(session.state) && !(await confirmed(`Resume the last session of ${gtRole(role)}? The running agent ${session.name} is stopped first.`, 'Resume', args))) {
      return;
    }
    await withAgentProgress(`Resuming ${gtRole(role)}…`, (signal) => ctx.sessions.resume(role, undefined, { signal }));
  });
}

/** Nudge: into the native terminal, or through `gt nudge` for tmux. The text is never read by a shell. */
export async function nudgeAgent(ctx: AgentCommandContext, arg?: unknown, text?: unknown): Promise<void> {
  if (refuseUntrusted(ctx)) {
    return;
  }
  const role = await roleOf(ctx, arg, 'Gas Town: Nudge Agent', running(ctx));
  const session = role && ctx.sessions.get(role);
  if (!role || !session) {
    return;
  }
  const message = typeof text === 'string' ? text : await askNudge(session.name);
  if (message) {
    await session.sendMessage(message);
  }
}

/** Shows the agent's terminal; when it is gone, says so and offers what can bring one back. */
export async function showAgentTerminal(ctx: AgentCommandContext, arg?: unknown): Promise<void> {
  const town = requireTown(ctx);
  const role = town && roleFromArg(town, arg);
  if (!role) {
    return;
  }
  const session = ctx.sessions.get(role);
  if (session?.terminal && session.terminal.exitStatus === undefined) {
    session.terminal.show();
    return;
  }
  const tmux = session?.host === 'tmux' && isRunning(session.state);
  const action = tmux ? 'Attach' : 'Start Agent';
  const pick = await vscode.window.showInformationMessage(
    tmux ? `Gas Town: ${gtRole(role)} runs in gt's tmux session, with no terminal attached here.` : `Gas Town: the terminal of ${gtRole(role)} is closed; its agent is not running here.`,
    action,
  );
  if (pick === 'Attach') {
    await vscode.commands.executeCommand('gastown.attachAgent', role.dir);
  } else if (pick === 'Start Agent') {
    await vscode.commands.executeCommand('gastown.startAgent', role.dir);
  }
}

export interface SlingArgs {
  bead?: string;
  target?: string;
  args?: string;
}

/** Sling: pick a bead, a target (a rig, to spawn a polecat, or a role), optional args → `gt sling … --args=…`. */
export async function slingWork(ctx: AgentCommandContext, arg?: unknown, given?: SlingArgs): Promise<string | undefined> {
  if (refuseUntrusted(ctx)) {
    return undefined;
  }
  // A tree item carries its own town (a multi-root workspace may show several); a rig item is the target.
  const node = typeof arg === 'object' && arg !== null ? (arg as Partial<TownNode>) : undefined;
  const town = node?.town ?? requireTown(ctx);
  if (!town) {
    return undefined;
  }
  const presetRole = roleFromArg(town, arg);
  const presetRig = node?.type === 'rig' ? node.rig?.name : undefined;
  let bead = given?.bead;
  if (!bead) {
    type BeadItem = vscode.QuickPickItem & { id: string };
    const items = async (): Promise<BeadItem[]> => {
      return (await ctx.rigBeads()).filter((b) => b.issue_type !== 'epic').map((b) => ({
        label: escapeIcons(b.id),
        // A bead's title and assignee are text: `$(icon)` in them is not drawn as an icon.
        description: escapeIcons(b.title ?? ''),
        detail: escapeIcons(`${b.issue_type ?? ''} · P${b.priority ?? '?'} · ${b.status ?? ''}${b.assignee ? ` · ${b.assignee}` : ''}`),
        id: b.id,
      }));
    };
    const pick = await vscode.window.showQuickPick(items(), { title: 'Gas Town: Sling — pick a bead', matchOnDescription: true });
    bead = pick?.id;
  }
  if (!bead) {
    return undefined;
  }
  let target = given?.target ?? presetRig ?? (presetRole ? slingTarget(presetRole) : undefined);
  if (!target) {
    type TargetItem = vscode.QuickPickItem & { target: string };
    // The roles gt can deliver to now: a role that needs its tmux session is listed while it runs there.
    const targets: TargetItem[] = [
      ...town.layout.rigs.map((r) => ({ label: r.name, description: 'rig: spawn a polecat', target: r.name })),
      ...allRoles(town)
        .filter((r) => slingableNow(r.kind, inTmux(ctx)(r)))
        .map((r) => ({ label: slingTarget(r), description: r.kind, target: slingTarget(r) })),
    ];
    target = (await vscode.window.showQuickPick(targets, { title: `Gas Town: Sling ${bead} — pick a target` }))?.target;
  }
  if (!target) {
    return undefined;
  }
  // gt takes a role's mail address (demo/bob) or its full path (demo/crew/bob).
  const known = [...town.layout.rigs.map((r) => r.name), ...allRoles(town).filter(slingable).flatMap((r) => [slingTarget(r), gtRole(r)]), 'mayor', 'deacon', 'crew'];
  if (!known.includes(target)) {
    void vscode.window.showErrorMessage(`Gas Town: there is no rig or role "${target}" in town ${town.layout.name}. Sling to a rig (${town.layout.rigs.map((r) => r.name).join(', ') || 'none yet: add one with gt rig add'}) to spawn a polecat, or to a role such as ${allRoles(town).slice(0, 3).map(slingTarget).join(', ')}.`);
    return undefined;
  }
  const role = allRoles(town).find((r) => slingTarget(r) === target || gtRole(r) === target);
  if (role && slingReach(role.kind) === 'running' && !(await ctx.gt.hasSession(ctx.sessions.socket(town.location.root), ctx.sessions.plan(role).sessionName))) {
    offerTmuxStart(ctx, role, `Gas Town: ${target} is not running in gt's tmux, and gt gives slung work to a running session. Start it in tmux first, or sling to the rig to spawn a polecat.`, 'Start in tmux');
    return undefined;
  }
  const args = given?.args ?? (await vscode.window.showInputBox({ title: `Sling ${bead} to ${target}`, prompt: 'Optional args for the agent (natural language; stored on the bead as attached_args)' }));
  if (args === undefined) {
    return undefined;
  }
  let result;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `gt sling ${bead} ${target}…` }, () => ctx.gt.sling(town.location.root, bead, target, args));
  } catch (err) {
    // A known gt failure (gt v1.2.1 does not find rig beads): say why and what fixes it, not only gt's words.
    const explained = explainGtError(`${(err as Error).message}\n${err instanceof CliError ? err.stderr : ''}`, { beadId: bead, rigs: town.layout.rigs });
    if (!explained) {
      throw err;
    }
    ctx.log.warn(`gt sling ${bead} ${target} failed: ${(err as Error).message}\n${explained}`);
    void vscode.window.showErrorMessage(`Gas Town: ${explained}`);
    return undefined;
  }
  ctx.log.info(result.stdout);
  ctx.status.invalidateStatus(town.location.root);
  void vscode.window.showInformationMessage(`Gas Town: slung ${bead} to ${target}.`);
  return result.stdout;
}

function slingable(role: RoleHome): boolean {
  return slingReach(role.kind) !== 'never';
}

function slingTarget(role: RoleHome): string {
  return mailAddress(role).replace(/\/$/, '');
}

/** The context `gt prime` gives the role, in a read-only editor. */
export async function primeRole(ctx: AgentCommandContext, arg?: unknown): Promise<void> {
  if (refuseUntrusted(ctx)) {
    return;
  }
  const role = await roleOf(ctx, arg, 'Gas Town: Prime — pick a role');
  if (!role) {
    return;
  }
  const plan = ctx.sessions.plan(role);
  const text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `gt prime (${gtRole(role)})` }, () => ctx.gt.prime(role, plan.env));
  await ctx.docs.open(roleDocPath('prime', role, 'md'), text);
}

export async function showAgentEnv(ctx: AgentCommandContext, arg?: unknown): Promise<void> {
  const role = await roleOf(ctx, arg, 'Gas Town: Show Agent Environment');
  if (!role) {
    return;
  }
  const plan = ctx.sessions.plan(role);
  const lines = Object.keys(plan.env)
    .sort()
    .map((k) => `${k}=${plan.env[k]}`);
  await ctx.docs.open(roleDocPath('env', role, 'env'), `# ${gtRole(role)} → ${plan.resolved.name}\n${lines.join('\n')}\n`, 'properties');
}

const execChannels = new Map<string, vscode.OutputChannel>();

/** The preset's non-interactive mode, output streamed into an output channel. */
export async function runNonInteractive(ctx: AgentCommandContext, arg?: unknown, promptArg?: unknown): Promise<{ code: number; output: string } | undefined> {
  if (refuseUntrusted(ctx)) {
    return undefined;
  }
  const role = await roleOf(ctx, arg, 'Gas Town: Run Agent Non-Interactively');
  if (!role) {
    return undefined;
  }
  const plan = ctx.sessions.plan(role);
  const prompt = typeof promptArg === 'string' ? promptArg : await vscode.window.showInputBox({ title: `Run ${plan.resolved.name} non-interactively as ${gtRole(role)}`, prompt: 'The prompt' });
  if (!prompt) {
    return undefined;
  }
  const cmd = planExec(plan, prompt);
  if (!cmd) {
    void vscode.window.showErrorMessage(`Gas Town: agent "${plan.resolved.name}" has no non_interactive settings in its preset. Add them in settings/agents.json.`, 'Open Agent Registry').then((p) => {
      if (p) {
        void vscode.commands.executeCommand('gastown.openAgentRegistry');
      }
    });
    return undefined;
  }
  const name = `Gas Town: ${gtRole(role)} (non-interactive)`;
  let channel = execChannels.get(name);
  if (!channel) {
    channel = vscode.window.createOutputChannel(name);
    execChannels.set(name, channel);
  }
  channel.clear();
  channel.show(true);
  channel.appendLine(`$ ${posixCommandLine(cmd.argv)}`);
  const out = channel;
  let output = '';
  const code = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${plan.resolved.name} (${gtRole(role)})`, cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return runStreaming(cmd.argv, { cwd: role.dir, env: plan.env, signal: abort.signal, timeoutMs: 30 * 60_000 }, (chunk) => {
      output += chunk;
      out.append(chunk);
    }, ctx.log);
  });
  channel.appendLine(`\n[exit ${code}]`);
  return { code, output };
}

export function disposeExecChannels(): void {
  execChannels.forEach((c) => c.dispose());
  execChannels.clear();
}
