import type { AgentPlan } from './agentPlan';
import { gtRole } from './roles';

const STEP_TEXT: Record<string, string> = {
  override: 'an explicit agent choice (like `--agent`) wins over every setting',
  'dog default': 'dogs run Claude Haiku unless a non-Claude agent is configured',
  'rig worker_agents': "the rig's `worker_agents` names an agent for this crew member",
  'town crew_agents': "the town's `crew_agents` names an agent for this crew member",
  'rig role_agents': "the rig's `role_agents` names an agent for this role",
  'town role_agents': "the town's `role_agents` names an agent for this role",
  'rig runtime': "the rig's deprecated `runtime` setting",
  'rig agent': "the rig's `agent` setting",
  'town default_agent': "the town's `default_agent` setting",
  'fallback claude': 'nothing is configured, so gt uses claude',
};

function fence(text: string): string {
  return '```\n' + text + '\n```';
}

/** A read-only report of how a role's agent is resolved and launched ("why this agent?"). */
export function renderPlanReport(plan: AgentPlan, hooks?: Array<{ path: string; state: string; reason?: string }>): string {
  const r = plan.resolved;
  const lines: string[] = [];
  lines.push(`# ${gtRole(plan.home)} → ${r.name}`, '');
  lines.push(`- **Agent:** \`${r.name}\` (definition from ${r.source})`);
  lines.push(`- **Why:** ${STEP_TEXT[r.step] ?? r.step}${r.key ? ` (\`${r.key}\`)` : ''}`);
  lines.push(`- **Working directory:** \`${plan.home.dir}\``);
  lines.push(`- **Mail address:** \`${plan.address}\``);
  lines.push(`- **tmux session (when gt runs it):** \`${plan.sessionName}\``);
  if (r.warnings.length > 0) {
    lines.push('', '## Skipped on the way', '', ...r.warnings.map((w) => `- ${w}`));
  }
  lines.push('', '## Command', '', '**argv** (run without a shell):', '', fence(JSON.stringify(plan.start.argv, null, 2)));
  lines.push('', '**POSIX shell:**', '', fence(plan.start.posix), '', '**PowerShell:**', '', fence(plan.start.powershell));
  if (plan.start.notes.length > 0) {
    lines.push('', ...plan.start.notes.map((n) => `> ${n}`));
  }
  if (hooks) {
    lines.push('', '## Self-priming', '', 'The files this agent reads so it runs `gt prime` on start and after compaction (**Gas Town: Install Agent Hooks…** writes them):', '');
    lines.push(...(hooks.length > 0 ? hooks.map((h) => `- \`${h.path}\`: ${h.state}${h.reason ? ` (${h.reason})` : ''}`) : ['- none for this agent']));
  }
  lines.push('', '## Environment', '', fence(Object.keys(plan.env).sort().map((k) => `${k}=${plan.env[k]}`).join('\n')));
  lines.push('', '## Effective preset', '', '```json\n' + JSON.stringify(r.preset, null, 2) + '\n```');
  if (plan.problems.length > 0) {
    lines.push('', '## Settings problems', '', ...plan.problems.map((p) => `- \`${p.file}\` line ${p.line + 1}: ${p.message}`));
  }
  return lines.join('\n') + '\n';
}
