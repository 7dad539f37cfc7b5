/**
 * The environment of every process the extension starts. The extension acts as the overseer, so it must not
 * pass on what belongs to VS Code (its Electron and debugger variables) or to an agent whose environment
 * VS Code happened to inherit (e.g. `code .` typed inside a crew session): a leaked GT_ROLE or BD_ACTOR would
 * make gt and bd act as that agent.
 */

/** Variables VS Code or Electron set for the extension host. */
const VSCODE_KEYS = ['ELECTRON_RUN_AS_NODE'];
const VSCODE_PREFIX = 'VSCODE_';

/**
 * Variables that say "you are inside an agent or a tmux pane". Of Claude Code's own variables only its
 * session markers go: `CLAUDE_CODE_USE_BEDROCK`, `CLAUDE_CODE_USE_VERTEX` and the like are the user's account
 * setup, which gt itself passes through to agents.
 */
const SESSION_KEYS = [
  'NODE_OPTIONS',
  'CLAUDECODE',
  'CLAUDE_CODE',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_SSE_PORT',
  'CLAUDE_CODE_EFFORT_LEVEL',
  'CLAUDE_SESSION_ID',
  'BD_AGENT_MODE',
  'TMUX',
  'TMUX_PANE',
];

/** Who an agent is: what gt's AgentEnv, its startup command and its hooks set per role and per session. */
const IDENTITY_KEYS = [
  'GT_ROLE',
  'GT_ROLE_HOME',
  'GT_RIG',
  'GT_CREW',
  'GT_POLECAT',
  'GT_DOG_NAME',
  'GT_AGENT',
  'GT_SESSION',
  'GT_SESSION_ID',
  'GT_SESSION_ID_ENV',
  'GT_SESSION_NAME',
  'GT_PROCESS_NAMES',
  'GT_RUN',
  'GT_PANE_ID',
  'GT_AGENT_READY',
  'GT_HOOK_SOURCE',
  'BD_ACTOR',
  'BEADS_AGENT_NAME',
  'BD_DOLT_AUTO_COMMIT',
];

/** Markers that only an agent's environment carries; with one of them present, GIT_AUTHOR_NAME is gt's too. */
const AGENT_MARKERS = ['GT_ROLE', 'BD_ACTOR'];

const ALWAYS_DROPPED = new Set([...VSCODE_KEYS, ...SESSION_KEYS, ...IDENTITY_KEYS]);

// Windows spells environment keys in any case.
function norm(key: string): string {
  return key.toUpperCase();
}

/**
 * VS Code's git askpass helper only works with the VSCODE_GIT_IPC_* variables of its own git processes, which are
 * dropped with the other VSCODE_* ones; left alone it would make git fail to ask. Without it git asks the user's
 * credential helper, as in any shell. (VS Code's terminals add their own working pair; agent terminals keep it.)
 */
function isVsCodeAskpass(value: string | undefined): boolean {
  return /[\\/]extensions[\\/]git[\\/]dist[\\/]askpass/i.test(value ?? '');
}

/** The keys of `parent` that the extension's processes must not inherit. */
export function foreignKeys(parent: NodeJS.ProcessEnv): string[] {
  const keys = Object.keys(parent).filter((k) => parent[k] !== undefined);
  // gt sets GIT_AUTHOR_NAME to the role's name, always together with GT_ROLE and BD_ACTOR. Alone it is the
  // user's own git identity and stays; next to an agent marker it is the agent's and goes.
  const agentSet = keys.some((k) => AGENT_MARKERS.includes(norm(k)));
  return keys.filter((k) => {
    const n = norm(k);
    return ALWAYS_DROPPED.has(n) || n.startsWith(VSCODE_PREFIX) || (agentSet && n === 'GIT_AUTHOR_NAME') || (n === 'GIT_ASKPASS' && isVsCodeAskpass(parent[k]));
  });
}

/**
 * The environment for a gt, bd, tmux or agent process: `parent` without what belongs to VS Code or to
 * another agent, then `extra` (set on purpose, so it wins, identity keys included). GT_ROOT and GT_TOWN_ROOT
 * stay: they select the town the user meant; `extra` overrides them when the caller knows better.
 */
export function overseerEnv(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const drop = new Set(foreignKeys(parent));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v !== undefined && !drop.has(k)) {
      env[k] = v;
    }
  }
  return Object.assign(env, extra);
}

/**
 * The `env` of a VS Code terminal, which starts from the window's own environment: `null` unsets a leaked
 * agent variable, then `extra` on top. VS Code already strips its own VSCODE_* and ELECTRON_* variables
 * from terminals (and keeps the ones its shell integration needs), so those are left to it.
 */
export function terminalEnv(parent: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string | null> {
  const env: Record<string, string | null> = {};
  // The fixed names are unset even when absent here: the terminal's base environment is the pty host's,
  // which the extension host cannot see.
  for (const k of [...SESSION_KEYS, ...IDENTITY_KEYS]) {
    env[k] = null;
  }
  for (const k of foreignKeys(parent)) {
    const n = norm(k);
    if (!n.startsWith(VSCODE_PREFIX) && !VSCODE_KEYS.includes(n)) {
      env[k] = null;
    }
  }
  return Object.assign(env, extra);
}
