import * as z from 'zod';

// Schemas mirror gt's Go structs leniently: every field optional, unknown keys kept (gt ignores them too),
// but a value of the wrong type is an error, because Go's encoding/json rejects the whole file for it.

const stringMap = z.record(z.string(), z.string());
const stringList = z.array(z.string());

export const acpSchema = z.looseObject({
  mode: z.string().optional(),
  command: z.string().optional(),
  args: stringList.optional(),
});

export const nonInteractiveSchema = z.looseObject({
  subcommand: z.string().optional(),
  prompt_flag: z.string().optional(),
  output_flag: z.string().optional(),
});

/** One agent preset, the value type of `agents` in `settings/agents.json` (Go `AgentPresetInfo`). */
export const agentPresetSchema = z.looseObject({
  name: z.string().optional(),
  command: z.string().optional(),
  args: stringList.nullable().optional(),
  env: stringMap.optional(),
  process_names: stringList.optional(),
  session_id_env: z.string().optional(),
  resume_flag: z.string().optional(),
  continue_flag: z.string().optional(),
  resume_style: z.string().optional(),
  supports_hooks: z.boolean().optional(),
  supports_fork_session: z.boolean().optional(),
  non_interactive: nonInteractiveSchema.nullable().optional(),
  prompt_mode: z.string().optional(),
  config_dir_env: z.string().optional(),
  config_dir: z.string().optional(),
  hooks_provider: z.string().optional(),
  hooks_dir: z.string().optional(),
  hooks_settings_file: z.string().optional(),
  hooks_informational: z.boolean().optional(),
  hooks_use_settings_dir: z.boolean().optional(),
  ready_prompt_prefix: z.string().optional(),
  ready_delay_ms: z.number().int().nonnegative().optional(),
  instructions_file: z.string().optional(),
  emits_permission_warning: z.boolean().optional(),
  has_turn_boundary_drain: z.boolean().optional(),
  escape_cancels_request: z.boolean().optional(),
  acp: acpSchema.nullable().optional(),
  // Ours, not gt's: gt picks the prompt flag by command name in Go; we keep it in the preset (gt ignores it).
  prompt_flag: z.string().optional(),
  // Ours too: how typed input reaches the agent (see src/town/agentInput.ts); the defaults are gt's nudge protocol.
  input_bracketed_paste: z.boolean().optional(),
  input_submit_delay_ms: z.number().int().nonnegative().optional(),
  input_submit_key: z.string().optional(),
  exec_wrapper: stringList.nullable().optional(),
});
export type AgentPreset = z.infer<typeof agentPresetSchema>;

/** `settings/agents.json` (Go `AgentRegistry`). The entries are checked one by one so one bad entry loses only itself. */
export const agentRegistryFileSchema = z.looseObject({
  version: z.number().int(),
  agents: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** Go `RuntimeConfig`: the value type of `agents` in town and rig `settings/config.json`. */
export const runtimeConfigSchema = z.looseObject({
  provider: z.string().optional(),
  command: z.string().optional(),
  args: stringList.nullable().optional(),
  env: stringMap.nullable().optional(),
  initial_prompt: z.string().optional(),
  prompt_mode: z.string().optional(),
  session: z
    .looseObject({ session_id_env: z.string().optional(), config_dir_env: z.string().optional() })
    .nullable()
    .optional(),
  hooks: z
    .looseObject({
      provider: z.string().optional(),
      dir: z.string().optional(),
      settings_file: z.string().optional(),
      informational: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  tmux: z
    .looseObject({
      process_names: stringList.nullable().optional(),
      ready_prompt_prefix: z.string().optional(),
      ready_delay_ms: z.number().int().nonnegative().optional(),
    })
    .nullable()
    .optional(),
  instructions: z.looseObject({ file: z.string().optional() }).nullable().optional(),
  acp: acpSchema.nullable().optional(),
  exec_wrapper: stringList.nullable().optional(),
});
export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

const runtimeMap = z.record(z.string(), runtimeConfigSchema).nullable().optional();
const nameMap = stringMap.nullable().optional();

/** Town `settings/config.json` (Go `TownSettings`). */
export const townSettingsSchema = z.looseObject({
  type: z.string().optional(),
  version: z.number().int().optional(),
  default_agent: z.string().optional(),
  agents: runtimeMap,
  role_agents: nameMap,
  crew_agents: nameMap,
  role_effort: nameMap,
  cost_tier: z.string().optional(),
  disabled_patrols: stringList.nullable().optional(),
});
export type TownSettings = z.infer<typeof townSettingsSchema>;

/** Rig `settings/config.json` (Go `RigSettings`). */
export const rigSettingsSchema = z.looseObject({
  type: z.string().optional(),
  version: z.number().int().optional(),
  agent: z.string().optional(),
  agents: runtimeMap,
  role_agents: nameMap,
  worker_agents: nameMap,
  role_effort: nameMap,
});
export type RigSettings = z.infer<typeof rigSettingsSchema>;

/** `mayor/town.json` (Go `TownConfig`). */
export const townConfigSchema = z.looseObject({
  type: z.string().optional(),
  version: z.number().int().optional(),
  name: z.string().optional(),
  owner: z.string().optional(),
  public_name: z.string().optional(),
  created_at: z.string().optional(),
});
export type TownConfig = z.infer<typeof townConfigSchema>;

const beadsRefSchema = z.looseObject({ repo: z.string().optional(), prefix: z.string().optional() }).nullable().optional();

/** One entry of `mayor/rigs.json` `rigs`. */
export const rigEntrySchema = z.looseObject({
  git_url: z.string().optional(),
  local_repo: z.string().optional(),
  added_at: z.string().optional(),
  beads: beadsRefSchema,
});

/** `mayor/rigs.json` (Go `RigsConfig`). */
export const rigsFileSchema = z.looseObject({
  version: z.number().int().optional(),
  rigs: z.record(z.string(), rigEntrySchema).nullable().optional(),
});
export type RigsFile = z.infer<typeof rigsFileSchema>;

/** `<rig>/config.json` (Go `RigConfig`). */
export const rigConfigSchema = z.looseObject({
  type: z.string().optional(),
  version: z.number().int().optional(),
  name: z.string().optional(),
  git_url: z.string().optional(),
  push_url: z.string().optional(),
  upstream_url: z.string().optional(),
  local_repo: z.string().optional(),
  default_branch: z.string().optional(),
  created_at: z.string().optional(),
  beads: beadsRefSchema,
});
export type RigConfig = z.infer<typeof rigConfigSchema>;

/** `.beads/config.yaml`: only the keys the extension uses are typed. */
export const beadsConfigSchema = z.looseObject({
  prefix: z.string().optional(),
  'issue-prefix': z.string().optional(),
});
export type BeadsConfig = z.infer<typeof beadsConfigSchema>;
