import * as z from 'zod';

// What the extension reads of bd's bead JSON (`bd list/ready/show --json`), and what the Dolt SQL reader
// must return in the same shape. Everything but the id is optional and unknown keys are kept: bd drifts.

const str = z.string().nullable().optional();

export const beadSummarySchema = z.looseObject({
  id: z.string(),
  title: str,
  status: str,
  priority: z.number().nullable().optional(),
  issue_type: str,
  assignee: str,
  owner: str,
  created_at: str,
  updated_at: str,
  closed_at: str,
  labels: z.array(z.string()).nullable().optional(),
  /** The parent epic's id (bd ≥ 1.0 reports it on list output). */
  parent: str,
  ephemeral: z.boolean().nullable().optional(),
  dependency_count: z.number().nullable().optional(),
  dependent_count: z.number().nullable().optional(),
  comment_count: z.number().nullable().optional(),
});
export type BeadSummary = z.infer<typeof beadSummarySchema>;
export const beadSummaryListSchema = z.array(beadSummarySchema);

const linkedBeadSchema = beadSummarySchema.extend({ dependency_type: str });
export type LinkedBead = z.infer<typeof linkedBeadSchema>;

export const beadCommentSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).nullable().optional(),
  author: str,
  text: str,
  created_at: str,
});
export type BeadComment = z.infer<typeof beadCommentSchema>;
export const beadCommentListSchema = z.array(beadCommentSchema);

export const beadDetailsSchema = beadSummarySchema.extend({
  description: str,
  design: str,
  acceptance_criteria: str,
  notes: str,
  close_reason: str,
  dependencies: z.array(linkedBeadSchema).nullable().optional(),
  dependents: z.array(linkedBeadSchema).nullable().optional(),
  comments: z.array(beadCommentSchema).nullable().optional(),
});
export type BeadDetails = z.infer<typeof beadDetailsSchema>;
export const beadDetailsListSchema = z.array(beadDetailsSchema);
