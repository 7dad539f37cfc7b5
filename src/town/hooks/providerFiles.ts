/**
 * What each agent CLI reads to run `gt prime` on start and after compaction, per preset `hooks_provider`, with the
 * same events and commands gt's templates (v1.2.1) give them. Pure functions: no file system, no vscode.
 */
import { isAutonomous, RoleKind } from '../roles';
import { ClaudeHookSet, claudeTargetKey, expectedClaudeHooks, gtCommand, UserHookLayers } from './claudeHookSet';
import { gastownPluginScript, piExtensionScript } from './pluginScripts';

export interface HookContext {
  kind?: RoleKind;
  rig?: string;
  /** Absolute path of the gt binary the hooks call (gt writes os.Executable()). */
  gtBin: string;
  /** The user's `~/.gt` hook layers (Claude only). */
  user?: UserHookLayers;
}

/** A JSON hooks document: `hooks` merged entry by entry, other keys set (`force`) or added when absent (`defaults`). */
export interface JsonHooks {
  type: 'json';
  /** `grouped`: Claude-shaped `{matcher, hooks: [...]}` groups; `flat`: the entries themselves (Cursor, Copilot). */
  shape: 'grouped' | 'flat';
  hooks: Record<string, unknown[]>;
  /** Keys every install sets, as gt does (Claude's prompt defaults). */
  force?: Record<string, unknown>;
  /** Keys written only when absent. */
  defaults?: Record<string, unknown>;
  /** A nested key forced inside an object key, e.g. permissions.defaultMode. */
  forceNested?: Array<{ key: string; sub: string; value: unknown }>;
}

/** A whole file that is ours (a plugin); replaced only when it is ours or gt's. */
export interface OwnedScript {
  type: 'script';
  content: string;
  /** Any of these in an existing file marks it as written by us or by gt. */
  markers: string[];
}

/** A config file written only when missing (Vibe's config.toml: no hooks, and the user may edit it). */
export interface CreateOnly {
  type: 'create-only';
  content: string;
}

export type HookDocument = JsonHooks | OwnedScript | CreateOnly;

/** Providers whose CLI has no lifecycle hooks: their agents are primed through the instructions file. */
export const CONFIG_ONLY_PROVIDERS: ReadonlySet<string> = new Set(['vibe']);

const SCRIPT_MARKERS = ['Gas Town for VS Code', 'Gas Town OpenCode plugin', 'Gas Town Pi Extension', 'Gas Town oh-my-pi'];
const PATROL_CASE = (gt: string): string => `case "\${GT_ROLE:-}" in *witness*|*refinery*|deacon*|*boot*) exit 0 ;; *) ${gt} mail check --inject ;; esac`;

/** A folder that is no role home gets the interactive variant. */
function auto(ctx: HookContext): boolean {
  return ctx.kind !== undefined && isAutonomous(ctx.kind);
}

function cmd(command: string): { type: 'command'; command: string } {
  return { type: 'command', command };
}
function grouped(matcher: string, command: string): { matcher: string; hooks: Array<{ type: string; command: string }> } {
  return { matcher, hooks: [cmd(command)] };
}

function claude(ctx: HookContext): JsonHooks {
  const key = ctx.kind ? (claudeTargetKey(ctx.kind, ctx.rig) ?? ctx.kind) : '';
  const hooks: ClaudeHookSet = expectedClaudeHooks(key, ctx.gtBin, ctx.user);
  return {
    type: 'json',
    shape: 'grouped',
    hooks,
    // gt's addClaudePromptDefaults: an agent started by gt never stops at a first-run or permissions dialog.
    force: { skipDangerousModePermissionPrompt: true, hasCompletedOnboarding: true },
    forceNested: [{ key: 'permissions', sub: 'defaultMode', value: 'bypassPermissions' }],
    defaults: {
      editorMode: 'normal',
      enabledPlugins: { 'beads@beads-marketplace': false },
      theme: 'dark',
      ...(auto(ctx) ? { awaySummaryEnabled: false, feedbackSurveyRate: 0 } : {}),
    },
  };
}

function gemini(ctx: HookContext): JsonHooks {
  const gt = ctx.gtBin;
  const autonomous = auto(ctx);
  return {
    type: 'json',
    shape: 'grouped',
    hooks: {
      BeforeTool: ['gh pr create', 'git checkout -b', 'git switch -c'].map((c) => grouped(`Bash\\(${c}.*\\)`, gtCommand(gt, 'tap guard pr-workflow'))),
      SessionStart: [grouped('', autonomous ? `GT_SESSION_ID=\${GT_SESSION_ID:-$(uuidgen)} GT_HOOK_SOURCE=startup ${gt} prime --hook` : gtCommand(gt, 'prime --hook'))],
      PreCompress: [grouped('', autonomous ? `GT_HOOK_SOURCE=compact ${gt} prime --hook` : gtCommand(gt, 'prime --hook'))],
      BeforeAgent: [grouped('', autonomous ? PATROL_CASE(gt) : gtCommand(gt, 'mail check --inject'))],
      SessionEnd: [grouped('', gtCommand(gt, 'costs record &'))],
    },
  };
}

function cursor(ctx: HookContext): JsonHooks {
  const gt = ctx.gtBin;
  return {
    type: 'json',
    shape: 'flat',
    defaults: { version: 1 },
    hooks: {
      preToolUse: ['gh pr create', 'git checkout -b', 'git switch -c'].map((c) => ({ command: gtCommand(gt, 'tap guard pr-workflow'), matcher: `Shell(${c}*)` })),
      sessionStart: [{ command: gtCommand(gt, 'prime --hook') }],
      preCompact: [{ command: gtCommand(gt, 'prime --hook') }],
      beforeSubmitPrompt: [{ command: auto(ctx) ? PATROL_CASE(gt) : gtCommand(gt, 'mail check --inject') }],
      stop: [{ command: gtCommand(gt, 'costs record &') }],
    },
  };
}

function copilot(ctx: HookContext): JsonHooks {
  const gt = ctx.gtBin;
  const autonomous = auto(ctx);
  const bash = (command: string, timeoutSec: number): Record<string, unknown> => ({ type: 'command', bash: command, timeoutSec });
  const hooks: Record<string, unknown[]> = {
    sessionStart: [bash(gtCommand(gt, 'prime --hook'), 30)],
    userPromptSubmitted: [bash(autonomous ? PATROL_CASE(gt) : gtCommand(gt, 'mail check --inject'), 10)],
  };
  if (autonomous) {
    hooks.preToolUse = [
      bash(
        `INPUT=$(cat) && TOOL=$(echo "$INPUT" | jq -r '.toolName // empty') && if [ "$TOOL" = "bash" ]; then CMD=$(echo "$INPUT" | jq -r '.toolArgs // empty' | jq -r '.command // empty'); if echo "$CMD" | grep -qE 'gh\\s+pr\\s+create|git\\s+checkout\\s+-b|git\\s+switch\\s+-c'; then ${gt} tap guard pr-workflow 2>/dev/null || echo '{"permissionDecision":"deny","permissionDecisionReason":"Gas Town PR workflow guard: use gt done to submit work"}'; fi; fi`,
        10,
      ),
    ];
  }
  hooks.sessionEnd = [bash(gtCommand(gt, 'costs record &'), 10)];
  return { type: 'json', shape: 'flat', defaults: { version: 1 }, hooks };
}

function codex(ctx: HookContext): JsonHooks {
  const gt = ctx.gtBin;
  return {
    type: 'json',
    shape: 'grouped',
    hooks: {
      SessionStart: [grouped('', auto(ctx) ? `${gt} prime --hook && ${gt} mail check --inject` : gtCommand(gt, 'prime --hook'))],
      Stop: [grouped('', gtCommand(gt, 'costs record >/dev/null 2>&1 &'))],
    },
  };
}

function grok(ctx: HookContext): JsonHooks {
  const gt = ctx.gtBin;
  return {
    type: 'json',
    shape: 'grouped',
    hooks: {
      SessionStart: [grouped('', gtCommand(gt, 'prime --hook'))],
      PreCompact: [grouped('', gtCommand(gt, 'prime --hook'))],
      UserPromptSubmit: [grouped('', PATROL_CASE(gt))],
      Stop: [grouped('', ctx.kind === 'polecat' ? gtCommand(gt, 'tap polecat-stop-check') : gtCommand(gt, 'costs record &'))],
    },
  };
}

const VIBE_CONFIG = [
  '# Vibe configuration for a Gas Town agent (written by Gas Town for VS Code when missing; yours to edit)',
  'active_model = "devstral-2"',
  'enable_session_logs = true',
  'log_dir = ".vibe/logs"',
  '',
  ...['bash', 'read_file', 'write_file', 'search_replace', 'grep', 'glob', 'task', 'ask_user_question'].flatMap((t) => [`[tools.${t}]`, 'permission = "always"', '']),
].join('\n');

/** The document for a provider, or undefined when the provider has no file of its own (then: instructions). */
export function hookDocument(provider: string, ctx: HookContext): HookDocument | undefined {
  switch (provider) {
    case 'claude':
      return claude(ctx);
    case 'gemini':
      return gemini(ctx);
    case 'cursor':
      return cursor(ctx);
    case 'copilot':
      return copilot(ctx);
    case 'codex':
      return codex(ctx);
    case 'grok':
      return grok(ctx);
    case 'opencode':
      return { type: 'script', content: gastownPluginScript(ctx.gtBin), markers: SCRIPT_MARKERS };
    case 'pi':
      return { type: 'script', content: piExtensionScript(ctx.gtBin, 'pi'), markers: SCRIPT_MARKERS };
    case 'omp':
      return { type: 'script', content: piExtensionScript(ctx.gtBin, 'omp'), markers: SCRIPT_MARKERS };
    case 'vibe':
      return { type: 'create-only', content: VIBE_CONFIG };
    default:
      return undefined;
  }
}
