import * as z from 'zod';

// What the extension reads of gt's JSON; everything optional and unknown keys kept, because gt drifts.

export const agentRuntimeSchema = z.looseObject({
  name: z.string().optional(),
  address: z.string().optional(),
  session: z.string().optional(),
  role: z.string().optional(),
  running: z.boolean().optional(),
  has_work: z.boolean().optional(),
  work_title: z.string().optional(),
  hook_bead: z.string().optional(),
  state: z.string().optional(),
  unread_mail: z.number().optional(),
  first_subject: z.string().optional(),
});
export type AgentRuntime = z.infer<typeof agentRuntimeSchema>;

export const townStatusSchema = z.looseObject({
  name: z.string().optional(),
  location: z.string().optional(),
  tmux: z
    .looseObject({ socket: z.string().optional(), socket_path: z.string().optional(), running: z.boolean().optional(), session_count: z.number().optional() })
    .nullable()
    .optional(),
  dolt: z.looseObject({ running: z.boolean().optional(), port: z.number().optional() }).nullable().optional(),
  agents: z.array(agentRuntimeSchema).nullable().optional(),
  rigs: z
    .array(z.looseObject({ name: z.string().optional(), agents: z.array(agentRuntimeSchema).nullable().optional() }))
    .nullable()
    .optional(),
});
export type TownStatus = z.infer<typeof townStatusSchema>;
