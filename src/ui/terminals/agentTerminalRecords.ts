import * as fs from 'node:fs';
import type * as vscode from 'vscode';

/** One agent terminal of this window: its process and the role home it runs. */
export interface AgentTerminalRecord {
  pid: number;
  /** When the process started (Linux); with the pid it names one process, whatever pids are reused later. */
  started?: string;
  dir: string;
  townRoot: string;
}

/** The start time of a process (field 22 of /proc/<pid>/stat), where the system has one. */
export function processStarted(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The name of a process's program (Linux), e.g. `bash` or `node`. */
export function processName(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

const KEY = 'gastown.agentTerminals';

/**
 * The window's agent terminals by process id, kept in the workspace state so that a window reload or an
 * extension-host restart finds its running agents again. A terminal that VS Code reconnects after a reload keeps
 * its process (same pid); one it revives after a full restart is a new shell with the old scrollback (new pid),
 * which is not an agent and must not be taken for one.
 */
export class AgentTerminalRecords {
  constructor(private readonly state: vscode.Memento) {}

  private all(): AgentTerminalRecord[] {
    const v = this.state.get<unknown>(KEY);
    return Array.isArray(v) ? v.filter(isRecord) : [];
  }

  async remember(terminal: vscode.Terminal, home: { dir: string; townRoot: string }): Promise<void> {
    const pid = await terminal.processId;
    if (pid === undefined) {
      return;
    }
    const rest = this.all().filter((r) => r.pid !== pid);
    await this.state.update(KEY, [...rest, { pid, started: processStarted(pid), dir: home.dir, townRoot: home.townRoot }]);
  }

  /** The record of a terminal of this window: the same process (pid, and start time where known). */
  async find(terminal: vscode.Terminal): Promise<AgentTerminalRecord | undefined> {
    const pid = await terminal.processId;
    return pid === undefined ? undefined : this.all().find((r) => r.pid === pid && r.started === processStarted(pid));
  }

  /**
   * Drops the records of processes that have ended (not of terminals not yet reconnected: VS Code brings those
   * back after activation). Where start times are unknown, the latest records are kept.
   */
  async pruneEnded(): Promise<void> {
    const all = this.all();
    const kept = all.filter((r) => r.started === undefined || processStarted(r.pid) === r.started).slice(-50);
    if (kept.length !== all.length) {
      await this.state.update(KEY, kept);
    }
  }
}

function isRecord(v: unknown): v is AgentTerminalRecord {
  const r = v as Partial<AgentTerminalRecord> | null;
  return typeof r === 'object' && r !== null && typeof r.pid === 'number' && (r.started === undefined || typeof r.started === 'string') && typeof r.dir === 'string' && typeof r.townRoot === 'string';
}
