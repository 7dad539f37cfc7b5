import * as fs from 'node:fs';

/** One line of gt's `<town>/.events.jsonl`: `{ts, source, type, actor, payload, visibility}`. */
export interface TownEvent {
  ts: string;
  type: string;
  actor: string;
  source?: string;
  visibility?: string;
  payload: Record<string, unknown>;
  /** Byte offset of the line in the file and the file's generation: with them the event has a stable id. */
  key: string;
}

export interface ReadResult {
  /** New events, oldest first. */
  events: TownEvent[];
  /** The file was replaced or truncated since the last read: earlier events are gone from it. */
  reset: boolean;
}

/** Bytes read from the end of the file on the first read (a few hundred events need far less). */
const TAIL_BYTES = 512 * 1024;

/** Parses one line; a line that is not an event object (garbage, a torn write) is skipped, not fatal. */
export function parseEventLine(line: string, key: string): TownEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return undefined;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.type !== 'string' || typeof o.ts !== 'string') {
    return undefined;
  }
  const payload = typeof o.payload === 'object' && o.payload !== null && !Array.isArray(o.payload) ? (o.payload as Record<string, unknown>) : {};
  return {
    ts: o.ts,
    type: o.type,
    actor: typeof o.actor === 'string' ? o.actor : '',
    source: typeof o.source === 'string' ? o.source : undefined,
    visibility: typeof o.visibility === 'string' ? o.visibility : undefined,
    payload,
    key,
  };
}

/**
 * Reads an append-only JSON-lines file incrementally: the first read takes the tail, each later read only the
 * bytes appended since. A file that shrank or was replaced (another inode) is read again from its start; a
 * last line without its newline (a write in progress) waits for the next read.
 */
export class EventLogReader {
  private offset = 0;
  private ino: number | undefined;
  private generation = 0;
  private started = false;

  constructor(
    readonly file: string,
    private readonly tailBytes = TAIL_BYTES,
  ) {}

  /** Where the next read starts (tests read it). */
  get position(): number {
    return this.offset;
  }

  async read(): Promise<ReadResult> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(this.file);
    } catch {
      // No log yet (a new town) or it was removed: start over when it appears.
      const reset = this.started && this.offset > 0;
      if (reset) {
        this.generation++;
      }
      this.offset = 0;
      this.ino = undefined;
      return { events: [], reset };
    }
    let reset = false;
    if ((this.ino !== undefined && st.ino !== this.ino) || st.size < this.offset) {
      reset = true;
      this.generation++;
      this.offset = 0;
    }
    this.ino = st.ino;
    let start = this.offset;
    let skipFirst = false;
    if (!this.started) {
      this.started = true;
      if (st.size > this.tailBytes) {
        start = st.size - this.tailBytes;
        // The tail starts mid-line unless the byte before it ends one.
        skipFirst = true;
      }
    }
    if (st.size <= start) {
      this.offset = Math.max(this.offset, start);
      return { events: [], reset };
    }
    const fh = await fs.promises.open(this.file, 'r');
    let buf: Buffer;
    try {
      buf = Buffer.alloc(st.size - start);
      let got = 0;
      while (got < buf.length) {
        const r = await fh.read(buf, got, buf.length - got, start + got);
        if (r.bytesRead === 0) {
          break;
        }
        got += r.bytesRead;
      }
      buf = buf.subarray(0, got);
    } finally {
      await fh.close();
    }
    let pos = 0;
    if (skipFirst) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) {
        this.offset = start;
        return { events: [], reset };
      }
      pos = nl + 1;
    }
    const events: TownEvent[] = [];
    for (;;) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) {
        break;
      }
      const line = buf.subarray(pos, nl).toString('utf8').trim();
      if (line) {
        const ev = parseEventLine(line, `${this.generation}:${start + pos}`);
        if (ev) {
          events.push(ev);
        }
      }
      pos = nl + 1;
    }
    // Only whole lines are consumed: a partial last line is read again, complete, next time.
    this.offset = start + pos;
    return { events, reset };
  }
}

/** The kinds of events the Activity view knows, with a codicon each. */
export type EventKind = 'work' | 'session' | 'death' | 'mail' | 'merge' | 'escalation' | 'patrol' | 'other';

export interface EventInfo {
  kind: EventKind;
  icon: string;
  /** One line for the tree. */
  summary: string;
  /** A bead the event is about, if any. */
  bead?: string;
  /** An agent address the event is about, if any. */
  agent?: string;
}

const ICONS: Record<string, [EventKind, string]> = {
  sling: ['work', 'rocket'],
  hook: ['work', 'pinned'],
  unhook: ['work', 'pin'],
  handoff: ['work', 'arrow-swap'],
  done: ['work', 'pass'],
  mail: ['mail', 'mail'],
  spawn: ['session', 'add'],
  kill: ['session', 'trash'],
  nudge: ['session', 'bell'],
  boot: ['session', 'debug-start'],
  halt: ['session', 'debug-stop'],
  session_start: ['session', 'play'],
  session_end: ['session', 'stop-circle'],
  session_death: ['death', 'error'],
  mass_death: ['death', 'flame'],
  merge_started: ['merge', 'git-pull-request'],
  merged: ['merge', 'git-merge'],
  merge_failed: ['merge', 'git-pull-request-closed'],
  merge_skipped: ['merge', 'debug-step-over'],
  escalation_sent: ['escalation', 'alert'],
  escalation_acked: ['escalation', 'eye'],
  escalation_closed: ['escalation', 'check'],
  patrol_started: ['patrol', 'shield'],
  polecat_checked: ['patrol', 'checklist'],
  polecat_nudged: ['patrol', 'bell'],
  patrol_complete: ['patrol', 'verified'],
};

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** What an event means for a person: icon, one line, and the bead or agent it names (from its payload). */
export function describeEvent(ev: TownEvent): EventInfo {
  const [kind, icon] = ICONS[ev.type] ?? ['other', 'circle-small'];
  const p = ev.payload;
  const escalation = kind === 'escalation';
  // gt v1.2.1 logs escalation_sent with the escalation's id under `rig`; ack and close use `escalation_id`.
  const escalationId = escalation ? (str(p.escalation_id) ?? str(p.id) ?? (/^[a-z0-9]+-[\w.-]+$/i.test(str(p.rig) ?? '') ? str(p.rig) : undefined)) : undefined;
  const bead = escalationId ?? str(p.bead) ?? str(p.bead_id) ?? str(p.issue);
  // An escalation's `target`/`to` name its audience (overseer, mayor), not an agent it is about.
  const agent = escalation ? undefined : (str(p.target) ?? str(p.agent) ?? str(p.polecat) ?? str(p.to) ?? str(p.session));
  const words = ev.type.replace(/_/g, ' ');
  const detail = str(p.reason) ?? str(p.subject) ?? str(p.title) ?? str(p.message) ?? str(p.branch);
  const parts = [words];
  if (bead) {
    parts.push(bead);
  }
  if (agent && agent !== ev.actor) {
    parts.push(`→ ${agent}`);
  }
  if (detail) {
    parts.push(`: ${detail}`);
  }
  return { kind, icon, summary: parts.join(' ').replace(/ : /, ': '), bead, agent };
}

/** The newest `max` events, newest first, kept as reads come in. */
export class RecentEvents {
  private list: TownEvent[] = [];

  constructor(private readonly max = 300) {}

  /** Adds a read's events (oldest first), dropping everything before on a reset. */
  add(r: ReadResult): void {
    if (r.reset) {
      this.list = [];
    }
    this.list = [...r.events.slice().reverse(), ...this.list].slice(0, this.max);
  }

  get events(): readonly TownEvent[] {
    return this.list;
  }
}
