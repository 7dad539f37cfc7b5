/**
 * The plugin files for agent CLIs whose hooks are code: opencode (a plugin module) and pi/omp (an extension).
 * Our own scripts, doing what gt's do: `gt prime --hook` at session start and after compaction into the system
 * prompt, `gt mail check --inject` for roles that read mail, `gt costs record` at the end.
 */

/** Compound GT_ROLE values (`demo/polecats/rust`, `deacon/boot`) to gt's role kind, in the plugin's own code. */
const ROLE_KIND_JS = `function roleKind(value) {
  const parts = String(value || "").toLowerCase().split("/").filter(Boolean);
  if (parts.length === 0) return "";
  if (parts[0] === "deacon" && parts[1] === "boot") return "boot";
  if (parts.length === 1) return parts[0];
  return parts[1] === "polecats" ? "polecat" : parts[1];
}
const AUTONOMOUS = new Set(["polecat", "witness", "refinery", "deacon", "boot"]);
const PATROL = new Set(["witness", "refinery", "deacon", "boot"]);`;

export function gastownPluginScript(gtBin: string): string {
  return `// Gas Town for VS Code: opencode plugin (written by the extension; it is replaced on the next install).
// Runs \`gt prime --hook\` when a session starts and after it is compacted, and adds its output to the system prompt.
const GT = process.env.GT_BIN || ${JSON.stringify(gtBin)};
${ROLE_KIND_JS}

export const GasTownVSCode = async ({ $, directory }) => {
  const kind = roleKind(process.env.GT_ROLE);
  let context = null;

  const run = async (args, env = {}) => {
    try {
      const out = await $\`\${GT} \${args}\`.cwd(directory).env({ ...process.env, ...env }).quiet().nothrow();
      return out.exitCode === 0 ? out.stdout.toString().trim() : "";
    } catch (err) {
      console.error("[gastown] gt " + args.join(" ") + " failed: " + (err && err.message ? err.message : err));
      return "";
    }
  };

  const prime = async (source, sessionID) => {
    const env = { GT_HOOK_SOURCE: source };
    if (sessionID) env.GT_SESSION_ID = sessionID;
    const parts = [await run(["prime", "--hook"], env)];
    if (AUTONOMOUS.has(kind)) parts.push(await run(["mail", "check", "--inject"]));
    return parts.filter(Boolean).join("\\n\\n");
  };

  const sessionOf = (event) => (event && event.properties && event.properties.info && event.properties.info.id) || (event && event.sessionID) || "";

  return {
    event: async ({ event }) => {
      if (!event) return;
      if (event.type === "session.created" && context === null) context = prime("startup", sessionOf(event));
      if (event.type === "session.compacted") context = prime("compact", sessionOf(event));
      if (event.type === "session.deleted" && sessionOf(event)) await run(["costs", "record", "--session", sessionOf(event)]);
    },
    "experimental.chat.system.transform": async (_input, output) => {
      if (context === null) context = prime("startup", "");
      const text = await context;
      if (text) output.system.push(text);
      else context = null;
    },
    "experimental.session.compacting": async (_input, output) => {
      output.context.push("Gas Town: after compaction run \`gt prime --hook\` to restore your role context, then \`gt hook\` for your work. Role: " + (kind || "unknown"));
    },
  };
};
`;
}

/** pi (`pi -e <file>`) and oh-my-pi (`omp --hook <file>`) share the extension API. */
export function piExtensionScript(gtBin: string, flavour: 'pi' | 'omp'): string {
  return `// Gas Town for VS Code: ${flavour} extension (written by the extension; it is replaced on the next install).
// Runs \`gt prime --hook\` at session start and injects it before the first prompt; checks mail before prompts.
const GT = process.env.GT_BIN || ${JSON.stringify(gtBin)};
${ROLE_KIND_JS}

export default function (pi) {
  const kind = roleKind(process.env.GT_ROLE);
  let context = null;
  let injected = false;
  let lastMail = 0;

  const run = async (args) => {
    try {
      const r = await pi.exec(GT, args);
      return r && r.code === 0 && r.stdout ? r.stdout.trim() : "";
    } catch (err) {
      console.error("[gastown] gt " + args.join(" ") + " failed: " + (err && err.message ? err.message : err));
      return "";
    }
  };

  pi.on("session_start", async () => {
    context = await run(["prime", "--hook"]);
    injected = false;
  });
  pi.on("session_compact", async () => {
    context = await run(["prime", "--hook"]);
    injected = false;
  });
  pi.on("before_agent_start", async (event) => {
    let mail = "";
    if (!PATROL.has(kind) && Date.now() - lastMail >= 30000) {
      lastMail = Date.now();
      mail = await run(["mail", "check", "--inject"]);
    }
    const text = [!injected && context ? context : "", mail].filter(Boolean).join("\\n\\n");
    if (!text) return undefined;
    injected = true;
    return { message: { customType: "gastown-prime", content: text, display: false }, systemPrompt: (event.systemPrompt || "") + "\\n\\n" + text };
  });
  pi.on("tool_call", async (event) => {
    const command = event && event.toolName === "bash" && event.input ? String(event.input.command || "") : "";
    if (/git push|gh pr create|git checkout -b|git switch -c/.test(command)) {
      const r = await pi.exec(GT, ["tap", "guard", "pr-workflow"]).catch(() => null);
      if (r && r.code !== 0) return { block: true, reason: r.stderr || "gt tap guard refused this command" };
    }
    return undefined;
  });
  pi.on("session_shutdown", async () => {
    await run(["costs", "record"]);
  });
}
`;
}
