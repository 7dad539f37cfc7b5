// Harness side of the real-agent suite (test/realagents): installs Claude Code and opencode from npm (cached),
// starts the model stub with a small scripted "model", writes each CLI's isolated config, and hands the extension
// host what it needs through one env var. The tests themselves run inside VS Code and start the agents through
// the extension.
import fs from 'node:fs';
import path from 'node:path';
import { ensureAgentClis, prefillOpencodeDir } from '../../scripts/agent-clis.mjs';
import { startModelStub } from './modelStub.mjs';
import { claudeEnv, opencodeEnv } from './realAgents.mjs';

/** The last message of a request and whether it is a tool's result (Anthropic or OpenAI shape). */
function lastTurn(body) {
  const msgs = Array.isArray(body?.messages) ? body.messages : [];
  const last = msgs[msgs.length - 1];
  if (!last) return { text: '', toolResult: false };
  if (last.role === 'tool') return { text: '', toolResult: true };
  const content = Array.isArray(last.content) ? last.content : [{ type: 'text', text: String(last.content ?? '') }];
  return {
    text: content.filter((c) => c?.type === 'text').map((c) => c.text).join('\n'),
    toolResult: content.some((c) => c?.type === 'tool_result'),
  };
}

/**
 * The scripted model: a user turn that asks to run `gt prime` (the startup prompt) gets a tool call that runs it,
 * as a real model would; everything else gets a short text answer.
 */
export function scriptedReply(request) {
  const body = request.body;
  if (!Array.isArray(body?.tools) || body.tools.length === 0) return 'Gas Town session';
  const turn = lastTurn(body);
  if (!turn.toolResult && /Run `gt prime`/.test(turn.text)) {
    const names = body.tools.map((t) => t.name ?? t.function?.name);
    const bash = names.find((n) => n === 'Bash') ?? names.find((n) => n === 'bash');
    if (bash) return { tool: bash, input: { command: 'gt prime', description: 'Load the Gas Town role context' } };
  }
  return 'ok';
}

/**
 * Everything the real-agent suite needs, for the role homes of `summary` (the demo town's). Returns the env for the
 * extension host (GASTOWN_REAL_AGENTS: JSON with each CLI's command and env; GASTOWN_MODEL_RECORD: the stub's
 * request log) and stop().
 */
export async function setupRealAgents({ town, summary, dir, log = () => {} }) {
  const t0 = Date.now();
  const clis = await ensureAgentClis();
  log(`[real-agents] CLIs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(clis)}`);
  fs.mkdirSync(dir, { recursive: true });
  const record = path.join(dir, 'model-requests.jsonl');
  const stub = await startModelStub({ reply: scriptedReply, recordFile: record });
  const rig = summary.rig;
  const homes = [
    ...summary.crew.map((n) => path.join(town, rig, 'crew', n)),
    ...summary.polecats.map((n) => path.join(town, rig, 'polecats', n, rig)),
  ];
  const claude = claudeEnv({ stubUrl: stub.url, configDir: path.join(dir, 'claude-config'), trustedDirs: homes });
  // The same, but no folder trusted: Claude asks whether to trust the folder and waits for the user (gt's role
  // settings skip the bypass-permissions dialog, so this is the dialog a user meets).
  const claudeDialog = claudeEnv({ stubUrl: stub.url, configDir: path.join(dir, 'claude-config-dialog'), trustedDirs: [] });
  // opencode's own folders only: HOME stays the town's, which gt and bd read.
  const { HOME: _home, ...opencode } = await opencodeEnv({ stubUrl: stub.url, homeDir: path.join(dir, 'opencode-home'), prefillLink: true });
  // Our plugin makes `.opencode/` in the role home, where opencode npm-installs its plugin package at every
  // start (75 s with no registry): pre-filled from the cache, as a user's machine would have it after one start.
  for (const h of homes) await prefillOpencodeDir(h, { link: true });
  log(`[real-agents] model stub on ${stub.url}, configs in ${dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return {
    env: {
      GASTOWN_REAL_AGENTS: JSON.stringify({
        claude: { command: clis.claude, env: claude },
        claudeDialog: { command: clis.claude, env: claudeDialog },
        opencode: { command: clis.opencode, env: opencode },
      }),
      GASTOWN_MODEL_RECORD: record,
    },
    stop: () => stub.close(),
  };
}
