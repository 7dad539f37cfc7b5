import { gtRole, RoleHome } from '../../town/roles';

/** The virtual path of a role's resolved-agent report. */
export function planReport(role: RoleHome): string {
  return `/agent/${gtRole(role).replace(/\//g, '-')}.md`;
}
