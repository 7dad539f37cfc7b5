/**
 * The Claude Code hook set gt computes for a settings target (gt `internal/hooks` at v1.2.1): a built-in base,
 * built-in role overrides, then the user's `~/.gt/hooks-base.json` and `~/.gt/hooks-overrides/<target>.json`.
 * Pure: the caller reads the user's files.
 */
import type { RoleKind } from '../roles';

export interface ClaudeHook {
  type: string;
  command: string;
  [key: string]: unknown;
}
export interface ClaudeHookGroup {
  matcher: string;
  hooks: ClaudeHook[];
  [key: string]: unknown;
}
export type ClaudeHookSet = Record<string, ClaudeHookGroup[]>;

/** gt's struct order; gt omits empty events. */
export const CLAUDE_EVENTS = ['PreToolUse', 'PostToolUse', 'SessionStart', 'Stop', 'PreCompact', 'UserPromptSubmit', 'WorktreeCreate', 'WorktreeRemove'];

const PATROL_POUR =
  "echo '❌ BLOCKED: Patrol formulas must use wisps, not persistent molecules.' && echo 'Use: bd mol wisp mol-*-patrol' && echo 'Not:  bd mol pour mol-*-patrol' && exit 2";
const PATROL_MATCHERS = ['Bash(*bd mol pour*patrol*)', 'Bash(*bd mol pour *mol-witness*)', 'Bash(*bd mol pour *mol-deacon*)', 'Bash(*bd mol pour *mol-refinery*)'];
const LOOP_ONE_CYCLE = "echo 'Run one patrol cycle, then use gt patrol report or gt handoff.' && exit 2";

function group(matcher: string, ...commands: string[]): ClaudeHookGroup {
  return { matcher, hooks: commands.map((command) => ({ type: 'command', command })) };
}

/** `gt …` with gt's absolute path, as gt's gtCommand does. */
export function gtCommand(gtBin: string, args: string): string {
  return `${gtBin} ${args}`;
}

function defaultBase(gtBin: string): ClaudeHookSet {
  const gt = (args: string): string => gtCommand(gtBin, args);
  return {
    PreToolUse: [
      group('Bash(gh pr create*)', gt('tap guard pr-workflow')),
      group('Bash(git checkout -b*)', gt('tap guard pr-workflow')),
      group('Bash(git switch -c*)', gt('tap guard pr-workflow')),
      group('Bash(rm -rf /*)', gt('tap guard dangerous-command')),
      group('Bash(git push --force*)', gt('tap guard dangerous-command')),
      group('Bash(git push -f*)', gt('tap guard dangerous-command')),
    ],
    SessionStart: [group('', gt('prime --hook'))],
    PreCompact: [group('', gt('prime --hook'))],
    UserPromptSubmit: [group('', gt('mail check --inject'))],
    Stop: [group('', gt('costs record &'))],
  };
}

/** An entry with no hooks removes the matcher when merged (gt's explicit disable). */
function defaultOverrides(gtBin: string): Record<string, ClaudeHookSet> {
  const patrol = PATROL_MATCHERS.map((m) => group(m, PATROL_POUR));
  const silenceMail = [{ matcher: '', hooks: [] }];
  return {
    polecats: { Stop: [group('', gtCommand(gtBin, 'tap polecat-stop-check'))] },
    crew: { PreCompact: [group('', gtCommand(gtBin, 'handoff --cycle --reason compaction'))] },
    witness: { UserPromptSubmit: silenceMail, PreToolUse: patrol },
    boot: { UserPromptSubmit: silenceMail },
    deacon: {
      UserPromptSubmit: silenceMail,
      PreToolUse: [
        group('Bash(*for *seq*)', "echo '❌ BLOCKED: Deacon must not batch patrol cycles with for/seq loops.' && " + LOOP_ONE_CYCLE),
        group('Bash(*while true*)', "echo '❌ BLOCKED: Deacon must not run open-ended patrol loops.' && " + LOOP_ONE_CYCLE),
        group('Bash(*while :*)', "echo '❌ BLOCKED: Deacon must not run open-ended patrol loops.' && " + LOOP_ONE_CYCLE),
        ...patrol,
      ],
    },
    refinery: { UserPromptSubmit: silenceMail, PreToolUse: patrol },
  };
}

/** gt's mergeEntries: same matcher replaces in place (or removes, when empty); new matchers are appended. */
function mergeGroups(base: ClaudeHookGroup[], override: ClaudeHookGroup[] | undefined): ClaudeHookGroup[] {
  if (!override || override.length === 0) {
    return base;
  }
  const byMatcher = new Map(override.map((g) => [g.matcher, g]));
  const replaced = new Set<string>();
  const out: ClaudeHookGroup[] = [];
  for (const g of base) {
    const o = byMatcher.get(g.matcher);
    if (o) {
      replaced.add(g.matcher);
      if (o.hooks.length > 0) {
        out.push(o);
      }
    } else {
      out.push(g);
    }
  }
  for (const o of override) {
    if (!replaced.has(o.matcher) && o.hooks.length > 0) {
      out.push(o);
    }
  }
  return out;
}

export function mergeHookSets(base: ClaudeHookSet, override: ClaudeHookSet | undefined): ClaudeHookSet {
  const out: ClaudeHookSet = {};
  for (const event of CLAUDE_EVENTS) {
    const merged = mergeGroups(base[event] ?? [], override?.[event]);
    if (merged.length > 0) {
      out[event] = merged;
    }
  }
  return out;
}

/** gt's settings target key: `mayor`, `deacon`, `boot`, `<rig>/crew`, `<rig>/polecats`, `<rig>/witness`, `<rig>/refinery`. */
export function claudeTargetKey(kind: RoleKind, rig?: string): string | undefined {
  switch (kind) {
    case 'mayor':
    case 'deacon':
    case 'boot':
      return kind;
    case 'crew':
    case 'witness':
    case 'refinery':
      return rig ? `${rig}/${kind}` : undefined;
    case 'polecat':
      return rig ? `${rig}/polecats` : undefined;
    default:
      return undefined;
  }
}

/** The user's layers from `~/.gt` (or `$GT_HOME/.gt`), already parsed. */
export interface UserHookLayers {
  base?: ClaudeHookSet;
  /** Keyed by target (`crew`, `demo/crew`, …). */
  overrides: Record<string, ClaudeHookSet>;
}

/** gt's ComputeExpected: base (the user's over the built-in floor), then per key the built-in and the user's override. */
export function expectedClaudeHooks(target: string, gtBin: string, user: UserHookLayers = { overrides: {} }): ClaudeHookSet {
  let result = user.base ? mergeHookSets(defaultBase(gtBin), user.base) : defaultBase(gtBin);
  const builtins = defaultOverrides(gtBin);
  const slash = target.indexOf('/');
  const keys = slash > 0 ? [target.slice(slash + 1), target] : [target];
  for (const key of keys) {
    result = mergeHookSets(result, builtins[key]);
    result = mergeHookSets(result, user.overrides[key]);
  }
  return result;
}
