import { gtRole, RoleHome } from '../../town/roles';

/** The virtual path of a read-only document about a role (`/agent/demo-crew-max.md`, `/prime/…`, `/env/…`). */
export function roleDocPath(kind: 'agent' | 'prime' | 'env', role: RoleHome, ext: 'md' | 'env'): string {
  return `/${kind}/${gtRole(role).replace(/\//g, '-')}.${ext}`;
}
