// Isolated configuration + environment for running the REAL agent CLIs (Claude Code, opencode) offline against
// the model stub (./modelStub.mjs), plus small tmux helpers to drive their UIs in a real terminal.
// See shared/reference/real-agents.md; scripts/agent-clis.mjs installs the CLIs; scripts/try-real-agents.mjs is
// an end-to-end check of all of this.
//
//   const { claude, opencode } = await ensureAgentClis();
//   const stub = await startModelStub();
//   const env = claudeEnv({ stubUrl: stub.url, configDir, trustedDirs: [projectDir] });
//   const t = await startInTmux({ cwd: projectDir, env, command: [claude, '--dangerously-skip-permissions', '--settings', file] });
//   await t.waitForScreen(CLAUDE_READY);  await t.typePrompt('hello');  …  await t.kill();

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLAUDE_CODE_VERSION, prefillOpencodeConfigDir } from '../../scripts/agent-clis.mjs';

const realpathOr = (p) => { try { return fs.realpathSync(p); } catch { return p; } };

// ---------------------------------------------------------------------------------------------- Claude Code

/** Claude Code's input prompt: `❯` followed by U+00A0 (not an ASCII space). Not the last screen line. */
export const CLAUDE_READY = '\u276F\u00A0';

/**
 * Writes `<configDir>/.claude.json` so `claude --dangerously-skip-permissions [--settings <file>]` starts straight
 * to its prompt (no onboarding / theme, trust or bypass-permissions dialog) and returns the env vars to run it with
 * (merge them over process.env, and drop any ANTHROPIC_API_KEY from it: that key raises a "use this key?" dialog).
 * `trustedDirs`: every folder claude will be started in (trust is per folder; project hooks need it).
 * `extraConfig`: merged into .claude.json.
 */
export function claudeEnv({ stubUrl, configDir, trustedDirs = [], extraConfig = {} }) {
  if (!stubUrl || !configDir) throw new Error('claudeEnv: stubUrl and configDir are required');
  fs.mkdirSync(configDir, { recursive: true });
  const projects = {};
  for (const d of trustedDirs) {
    for (const p of new Set([path.resolve(d), realpathOr(path.resolve(d))])) {
      projects[p] = { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, projectOnboardingSeenCount: 1, allowedTools: [] };
    }
  }
  const file = path.join(configDir, '.claude.json');
  let existing = {};
  try { existing = JSON.parse(fs.readFileSync(file, 'utf8')); } catch {}
  const config = {
    ...existing,
    hasCompletedOnboarding: true,            // else: theme + login onboarding, which calls the real service and exits 1
    lastOnboardingVersion: CLAUDE_CODE_VERSION,
    theme: 'dark',
    bypassPermissionsModeAccepted: true,     // else: "Bypass Permissions mode" dialog, default "No, exit"
    numStartups: 1,
    autoUpdates: false,
    ...extraConfig,
    projects: { ...(existing.projects || {}), ...projects, ...(extraConfig.projects || {}) },
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
  return {
    ANTHROPIC_BASE_URL: stubUrl.replace(/\/+$/, ''),
    ANTHROPIC_AUTH_TOKEN: 'stub-token',      // not ANTHROPIC_API_KEY (dialog whose default is No)
    CLAUDE_CONFIG_DIR: configDir,            // .claude.json, settings.json, projects/ (transcripts) live here
    IS_SANDBOX: '1',                         // as root, --dangerously-skip-permissions exits 1 without it
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

/** A settings file for `claude --settings <file>` with the given hooks ({ SessionStart: 'cmd', … } or raw arrays). */
export function writeClaudeSettings(file, { hooks = {}, ...rest } = {}) {
  const h = {};
  for (const [event, v] of Object.entries(hooks)) {
    h[event] = typeof v === 'string' ? [{ hooks: [{ type: 'command', command: v }] }] : v;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...rest, hooks: h }, null, 2) + '\n');
  return file;
}

// ------------------------------------------------------------------------------------------------- opencode

/** opencode's TUI is ready when its input shows this placeholder (`Ask anything… "…"`). */
export const OPENCODE_READY = 'Ask anything';

/** The provider config that points opencode at the stub (OpenAI chat/completions via @ai-sdk/openai-compatible). */
export function opencodeStubConfig(stubUrl, { model = 'm' } = {}) {
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      stub: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Stub',
        options: { baseURL: `${stubUrl.replace(/\/+$/, '')}/v1`, apiKey: 'stub-key' },
        models: { [model]: { name: model } },
      },
    },
    model: `stub/${model}`,
    small_model: `stub/${model}`,
    autoupdate: false,
    share: 'disabled',
  };
}

/**
 * Makes an isolated HOME (with XDG_* under it) for opencode, writes the stub provider as its GLOBAL config
 * (`$XDG_CONFIG_HOME/opencode/opencode.json`, so nothing is written into the project) and pre-fills that config
 * folder with @opencode-ai/plugin (opencode otherwise npm-installs it there at every fresh start: 6–11 s with the
 * registry, ~75 s without). `prefillLink: true` symlinks node_modules to the cache instead of copying (~1 s saved).
 * Returns the env vars (merge them over process.env). Async because of the pre-fill.
 * Alternatives that also work (checked): OPENCODE_CONFIG=<file> or OPENCODE_CONFIG_CONTENT=<json>; the global
 * config folder is created and npm-installed into either way, so it needs the pre-fill regardless.
 * A project's `.opencode/` needs its own pre-fill: prefillOpencodeDir(projectDir) from scripts/agent-clis.mjs.
 */
export async function opencodeEnv({ stubUrl, homeDir, model = 'm', extraConfig = {}, prefill = true, prefillLink = false }) {
  if (!stubUrl || !homeDir) throw new Error('opencodeEnv: stubUrl and homeDir are required');
  const xdg = {
    XDG_CONFIG_HOME: path.join(homeDir, '.config'),
    XDG_DATA_HOME: path.join(homeDir, '.local', 'share'),
    XDG_CACHE_HOME: path.join(homeDir, '.cache'),
    XDG_STATE_HOME: path.join(homeDir, '.local', 'state'),
  };
  for (const d of Object.values(xdg)) fs.mkdirSync(d, { recursive: true });
  const configDir = path.join(xdg.XDG_CONFIG_HOME, 'opencode');
  fs.mkdirSync(configDir, { recursive: true });
  fs.writeFileSync(path.join(configDir, 'opencode.json'),
    JSON.stringify({ ...opencodeStubConfig(stubUrl, { model }), ...extraConfig }, null, 2) + '\n');
  if (prefill) await prefillOpencodeConfigDir(configDir, { link: prefillLink });
  return {
    HOME: homeDir,
    ...xdg,
    OPENCODE_DISABLE_MODELS_FETCH: '1',      // no models.dev fetch
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_CLAUDE_CODE: '1',       // do not read ~/.claude / CLAUDE.md
    OPENCODE_PERMISSION: JSON.stringify({ '*': 'allow' }),
  };
}

// ----------------------------------------------------------------------------------------------------- tmux

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tmuxRun(socket, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, ...args], { env: env || process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(`tmux ${args[0]} failed: ${stderr || err.message}`), { stderr }));
      else resolve(stdout);
    });
  });
}

/** Removes ESC and other control characters (keeps \n and \t) so text cannot escape a bracketed paste. */
export function sanitizeForPaste(text) {
  return String(text).replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');
}

/**
 * Starts `command` (argv array) in a new tmux server on its own socket (`-L`), in a window of cols×rows, with
 * `env` merged over process.env (ANTHROPIC_API_KEY removed). The pane stays after the command exits
 * (remain-on-exit), so its last screen can still be read. Returns helpers; always call kill().
 */
export async function startInTmux({ cwd, env = {}, command, cols = 160, rows = 45, socket } = {}) {
  socket = socket || `gt-agent-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gt-tmux-'));
  const conf = path.join(confDir, 'tmux.conf');
  fs.writeFileSync(conf, ['set -g remain-on-exit on', 'set -g history-limit 20000', 'set -g status off', 'set -sg escape-time 0', ''].join('\n'));
  const fullEnv = { ...process.env, ...env };
  delete fullEnv.ANTHROPIC_API_KEY;
  delete fullEnv.TMUX;
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  await tmuxRun(socket, ['-f', conf, 'new-session', '-d', '-s', 'main', '-x', String(cols), '-y', String(rows), '-c', cwd, ...envArgs, ...command], { env: fullEnv });
  const panePid = Number((await tmuxRun(socket, ['display-message', '-p', '-t', 'main', '#{pane_pid}'])).trim());

  const capture = async () => { try { return await tmuxRun(socket, ['capture-pane', '-p', '-t', 'main']); } catch { return ''; } };
  const paneDead = async () => { try { return (await tmuxRun(socket, ['display-message', '-p', '-t', 'main', '#{pane_dead}'])).trim() === '1'; } catch { return true; } };

  /** Resolves with the screen text once `test` (a string, RegExp or (screen) => bool) matches it. */
  async function waitForScreen(test, timeoutMs = 60000, { pollMs = 100 } = {}) {
    const match = typeof test === 'string' ? (s) => s.includes(test) : test instanceof RegExp ? (s) => test.test(s) : test;
    const t0 = Date.now();
    let screen = '';
    for (;;) {
      screen = await capture();
      if (match(screen)) return screen;
      if (await paneDead()) throw new Error(`the command exited before the screen matched ${test}; last screen:\n${screen}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`screen did not match ${test} within ${timeoutMs} ms; last screen:\n${screen}`);
      await sleep(pollMs);
    }
  }

  /** Types text as a bracketed paste, waits `pauseMs`, then presses Enter (what works for every agent UI). */
  async function typePrompt(text, { pauseMs = 500, submit = true } = {}) {
    await tmuxRun(socket, ['send-keys', '-t', 'main', '-l', '--', `\x1b[200~${sanitizeForPaste(text)}\x1b[201~`]);
    if (!submit) return;
    await sleep(pauseMs);
    await tmuxRun(socket, ['send-keys', '-t', 'main', 'Enter']);
  }

  async function sendKeys(...keys) { await tmuxRun(socket, ['send-keys', '-t', 'main', ...keys]); }

  /** Ends the tmux server and the agent's process group (if still alive). */
  async function kill() {
    try { await tmuxRun(socket, ['kill-server']); } catch {}
    await sleep(200);
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      try { process.kill(-panePid, sig); } catch {}
      try { process.kill(panePid, sig); } catch {}
      if (sig === 'SIGTERM') await sleep(300);
    }
    fs.rmSync(confDir, { recursive: true, force: true });
    // tmux 3.3 leaves the socket file behind after kill-server.
    fs.rmSync(tmuxSocketPath(socket), { force: true });
  }

  return { socket, panePid, capture, waitForScreen, typePrompt, sendKeys, paneDead, kill };
}

/** Where tmux puts the socket of `-L <name>`. */
export function tmuxSocketPath(socket) {
  return path.join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket);
}

/** Kills a tmux server by socket name (for cleanup of a run that crashed). */
export function killTmuxServer(socket) {
  return new Promise((resolve) => { const c = spawn('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }); c.on('close', resolve); c.on('error', resolve); });
}
