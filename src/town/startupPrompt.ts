/**
 * The first prompt of an agent the extension starts natively, as gt's startup beacon (internal/session/startup.go)
 * gives it to the agents gt starts: who the session is for, then what to do first. Pure.
 */
import { presetHasHooks } from './hooks/hookPlan';
import type { AgentPreset } from './schemas';
import type { RoleHome } from './roles';

/** gt's BeaconRecipient: `crew alice (rig: demo)`, `witness (rig: demo)`, `mayor`. */
export function beaconRecipient(home: Pick<RoleHome, 'kind' | 'rig' | 'name'>): string {
  const role = home.kind === 'boot' ? 'boot' : home.kind;
  if (home.name && home.rig) {
    return `${role} ${home.name} (rig: ${home.rig})`;
  }
  if (home.name) {
    return `${role} ${home.name}`;
  }
  return home.rig ? `${role} (rig: ${home.rig})` : role;
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * How a native start delivers gt's startup instructions (gt's startup fallback matrix): agents whose hooks prime
 * them get the beacon as their prompt argument, or typed once ready when they take no prompt argument; hookless
 * agents get `gt prime` typed once ready (gt's startup nudge).
 */
export type StartupDelivery = 'argument' | 'typed' | 'prime';

export function startupDelivery(p: AgentPreset): StartupDelivery {
  if (!presetHasHooks(p)) {
    return 'prime';
  }
  return p.prompt_mode === 'none' ? 'typed' : 'argument';
}

/** Whether the start gets the beacon as its prompt argument. */
export function wantsStartupPrompt(p: AgentPreset): boolean {
  return startupDelivery(p) === 'argument';
}

/**
 * gt's cold-start beacon, led by a `gt prime` instruction: Claude Code hands a SessionStart hook's output to the
 * model only up to 10,000 characters (then a 2 KB preview), and a role's `gt prime` is about 20 KB, so the agent
 * loads the rest itself, as gt's beacon for assigned work asks.
 */
export function startupPrompt(home: Pick<RoleHome, 'kind' | 'rig' | 'name'>, now = new Date()): string {
  return [
    `[GAS TOWN] ${beaconRecipient(home)} <- overseer • ${stamp(now)} • cold-start`,
    '',
    'Run `gt prime` to load your full role context (a session-start hook may have shown you only its first part), then check your hook and mail, then act on the hook if present:',
    '1. `gt hook` - shows hooked work (if any)',
    '2. `gt mail inbox` - check for messages',
    '3. If work is hooked → execute it immediately',
    '4. If nothing hooked → wait for instructions',
  ].join('\n');
}
