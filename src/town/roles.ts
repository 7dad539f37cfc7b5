import * as path from 'node:path';

/** The kinds of role gt knows; town-level: mayor, deacon, boot, dog; rig-level: the rest. */
export type RoleKind = 'mayor' | 'deacon' | 'boot' | 'dog' | 'witness' | 'refinery' | 'crew' | 'polecat';

export const TOWN_ROLES: readonly RoleKind[] = ['mayor', 'deacon'];
export const RIG_SINGLETON_ROLES: readonly RoleKind[] = ['witness', 'refinery'];

/** Roles gt treats as autonomous (hookutil.IsAutonomousRole): they get mail injected at start. */
const AUTONOMOUS: ReadonlySet<RoleKind> = new Set(['polecat', 'witness', 'refinery', 'deacon', 'boot']);

export function isAutonomous(kind: RoleKind): boolean {
  return AUTONOMOUS.has(kind);
}

/**
 * Whom `gt sling` can give work to (its resolveTarget): a polecat always (a dead one is replaced by a fresh
 * spawn), a dog always (gt dispatches and starts it), boot never (it takes no work), every other role only while
 * its tmux session runs (gt nudges the pane).
 */
export function slingReach(kind: RoleKind): 'always' | 'running' | 'never' {
  return kind === 'polecat' || kind === 'dog' ? 'always' : kind === 'boot' ? 'never' : 'running';
}

/** Whether `gt sling` can give this role work now, given whether gt runs its tmux session. */
export function slingableNow(kind: RoleKind, runsInTmux: boolean): boolean {
  const reach = slingReach(kind);
  return reach === 'always' || (reach === 'running' && runsInTmux);
}

/** Where one role lives: the agent's working directory and its identity. */
export interface RoleHome {
  kind: RoleKind;
  townRoot: string;
  /** Rig name for rig-level roles. */
  rig?: string;
  /** Crew member, polecat or dog name. */
  name?: string;
  /** The agent's working directory. */
  dir: string;
}

/** The working directory gt gives a role (mayorDir, witnessDir, refinery manager, crewDir, clonePath). */
export function roleDir(townRoot: string, kind: RoleKind, rig?: string, name?: string): string {
  switch (kind) {
    case 'mayor':
      return path.join(townRoot, 'mayor');
    case 'deacon':
      return path.join(townRoot, 'deacon');
    case 'boot':
      return path.join(townRoot, 'deacon', 'dogs', 'boot');
    case 'dog':
      return path.join(townRoot, 'deacon', 'dogs', need(name, kind));
    case 'witness':
      return path.join(townRoot, need(rig, kind), 'witness');
    case 'refinery':
      return path.join(townRoot, need(rig, kind), 'refinery', 'rig');
    case 'crew':
      return path.join(townRoot, need(rig, kind), 'crew', need(name, kind));
    case 'polecat':
      return path.join(townRoot, need(rig, kind), 'polecats', need(name, kind), need(rig, kind));
  }
}

function need(value: string | undefined, kind: RoleKind): string {
  if (!value) {
    throw new Error(`role ${kind} needs a rig and, for crew, polecats and dogs, a name`);
  }
  return value;
}

/** The compound GT_ROLE value gt's AgentEnv sets. */
export function gtRole(r: Pick<RoleHome, 'kind' | 'rig' | 'name'>): string {
  switch (r.kind) {
    case 'mayor':
    case 'deacon':
    case 'dog':
      return r.kind;
    case 'boot':
      return 'deacon/boot';
    case 'witness':
    case 'refinery':
      return `${r.rig}/${r.kind}`;
    case 'crew':
      return `${r.rig}/crew/${r.name}`;
    case 'polecat':
      return `${r.rig}/polecats/${r.name}`;
  }
}

/** A human label for a role home, e.g. `demo/crew/max`, `mayor`. */
export function roleLabel(r: Pick<RoleHome, 'kind' | 'rig' | 'name'>): string {
  return r.kind === 'dog' ? `deacon/dogs/${r.name}` : gtRole(r);
}

/** The role's mail address (mail addresses: `mayor/`, `<rig>/witness`, `<rig>/<name>` for crew and polecats). */
export function mailAddress(r: Pick<RoleHome, 'kind' | 'rig' | 'name'>): string {
  switch (r.kind) {
    case 'mayor':
    case 'deacon':
      return `${r.kind}/`;
    case 'boot':
      return 'deacon/boot';
    case 'dog':
      return `deacon/dogs/${r.name}`;
    case 'witness':
    case 'refinery':
      return `${r.rig}/${r.kind}`;
    case 'crew':
    case 'polecat':
      return `${r.rig}/${r.name}`;
  }
}

/** gt's tmux session name for the role (internal/session/names.go); `prefix` is the rig's beads prefix. */
export function tmuxSessionName(r: Pick<RoleHome, 'kind' | 'rig' | 'name'>, prefix?: string): string {
  switch (r.kind) {
    case 'mayor':
    case 'deacon':
    case 'boot':
      return `hq-${r.kind}`;
    case 'dog':
      return `hq-dog-${r.name}`;
    case 'witness':
    case 'refinery':
      return `${prefix ?? 'gt'}-${r.kind}`;
    case 'crew':
      return `${prefix ?? 'gt'}-crew-${r.name}`;
    case 'polecat':
      return `${prefix ?? 'gt'}-${r.name}`;
  }
}

/** The directory whose `.claude/settings.json` gt passes with `--settings` (RoleSettingsDir). */
export function roleSettingsDir(r: RoleHome): string {
  switch (r.kind) {
    case 'crew':
      return path.join(r.townRoot, r.rig ?? '', 'crew');
    case 'polecat':
      return path.join(r.townRoot, r.rig ?? '', 'polecats');
    case 'witness':
      return path.join(r.townRoot, r.rig ?? '', 'witness');
    case 'refinery':
      return path.join(r.townRoot, r.rig ?? '', 'refinery');
    default:
      return r.dir;
  }
}
