/**
 * Merging our hook entries into a file someone else may also own (the user, bd, another tool): their keys and
 * hooks stay, ours (and gt's, which ours replace) are recognised by their command and replaced in place, and a
 * second merge gives the same bytes. Pure: text in, text out.
 */
import type { HookDocument, JsonHooks } from './providerFiles';

export type MergeResult = { ok: true; text: string } | { ok: false; reason: string };

/** A command gt (or we) put there: a call of gt itself, gt's patrol guards, or gt's role-switched mail check. */
export function isGtCommand(command: unknown): boolean {
  if (typeof command !== 'string') {
    return false;
  }
  const c = command.trim();
  return (
    /^(?:export PATH=\S+\s*&&\s*)?(?:[A-Z_][A-Z0-9_]*=\S+\s+)*(?:\S*\/)?gt(?:\.exe)?\s+(?:prime|mail|tap|costs|handoff|hook|nudge)\b/.test(c) ||
    c.startsWith('case "${GT_ROLE') ||
    /^echo '❌ BLOCKED: (?:Patrol formulas|Deacon must not)/.test(c) ||
    /tap guard (?:pr-workflow|dangerous-command)/.test(c)
  );
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function commandOf(entry: unknown): unknown {
  return isObject(entry) ? (entry.command ?? entry.bash) : undefined;
}

function mergeGrouped(existing: unknown[], desired: unknown[]): unknown[] {
  const out: unknown[] = [];
  const placed = new Set<number>();
  for (const g of existing) {
    if (!isObject(g) || !Array.isArray(g.hooks)) {
      out.push(g);
      continue;
    }
    const all = g.hooks as unknown[];
    const theirs = all.filter((h) => !isGtCommand(commandOf(h)));
    const i = desired.findIndex((d, k) => !placed.has(k) && isObject(d) && d.matcher === g.matcher);
    if (i >= 0) {
      placed.add(i);
      const ours = (desired[i] as Json).hooks;
      out.push({ ...g, hooks: [...(Array.isArray(ours) ? (ours as unknown[]) : []), ...theirs] });
    } else if (theirs.length > 0 || all.length === 0) {
      out.push({ ...g, hooks: theirs });
    }
  }
  desired.forEach((d, k) => {
    if (!placed.has(k)) {
      out.push(d);
    }
  });
  return out;
}

function mergeFlat(existing: unknown[], desired: unknown[]): unknown[] {
  return [...desired, ...existing.filter((e) => !isGtCommand(commandOf(e)))];
}

/** Merges `doc` into a parsed JSON object; returns the new object (key order kept, new keys appended). */
export function mergeJsonHooks(existing: Json, doc: JsonHooks): Json {
  const out: Json = { ...existing };
  for (const [k, v] of Object.entries(doc.defaults ?? {})) {
    if (!(k in out)) {
      out[k] = v;
    }
  }
  for (const [k, v] of Object.entries(doc.force ?? {})) {
    out[k] = v;
  }
  for (const { key, sub, value } of doc.forceNested ?? []) {
    out[key] = { ...(isObject(out[key]) ? out[key] : {}), [sub]: value };
  }
  const hooks: Json = isObject(out.hooks) ? { ...out.hooks } : {};
  const events = [...Object.keys(hooks), ...Object.keys(doc.hooks).filter((e) => !(e in hooks))];
  for (const event of events) {
    const had = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : undefined;
    if (hooks[event] !== undefined && !had) {
      continue; // not a list: not ours to interpret
    }
    const want = doc.hooks[event] ?? [];
    const merged = doc.shape === 'grouped' ? mergeGrouped(had ?? [], want) : mergeFlat(had ?? [], want);
    if (merged.length > 0 || (had && had.length === 0)) {
      hooks[event] = merged;
    } else {
      delete hooks[event];
    }
  }
  out.hooks = hooks;
  return out;
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** The text to write for `doc` over `existing` (undefined: no file yet), or why the file is left alone. */
export function mergeHookFile(existing: string | undefined, doc: HookDocument): MergeResult {
  switch (doc.type) {
    case 'json': {
      if (existing === undefined || existing.trim() === '') {
        // A new file's keys sorted as gt's encoder sorts them, so gt rewriting it later changes no line.
        const fresh = mergeJsonHooks({}, doc);
        return { ok: true, text: formatJson(Object.fromEntries(Object.keys(fresh).sort().map((k) => [k, fresh[k]]))) };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(existing);
      } catch (e) {
        return { ok: false, reason: `it is not valid JSON (${(e as Error).message}); fix it and install again` };
      }
      if (!isObject(parsed)) {
        return { ok: false, reason: 'it does not hold a JSON object' };
      }
      if (parsed.hooks !== undefined && !isObject(parsed.hooks)) {
        return { ok: false, reason: '"hooks" in it is not an object' };
      }
      return { ok: true, text: formatJson(mergeJsonHooks(parsed, doc)) };
    }
    case 'script':
      if (existing === undefined || existing === doc.content || doc.markers.some((m) => existing.includes(m))) {
        return { ok: true, text: doc.content };
      }
      return { ok: false, reason: 'a file of the same name that Gas Town did not write is there' };
    case 'create-only':
      return { ok: true, text: existing ?? doc.content };
  }
}
