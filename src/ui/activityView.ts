import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable, disposeAll, IDisposable } from '../common/lifecycle';
import { describeEvent, EventLogReader, ReadResult, RecentEvents, TownEvent } from '../model/eventLog';
import type { TownStore } from '../model/townStore';
import { VIEWS } from './ids';
import { ActivityNode, ActivityTreeProvider } from './views/activityTree';

export const EVENTS_FILE = '.events.jsonl';
const WARNED_KEY = 'gastown.activity.warnedDeaths';
/** A death read on start-up is still news this long after it happened (it may have happened during a reload). */
const FRESH_MS = 10 * 60_000;

export interface EventLogRead extends ReadResult {
  root: string;
  /** The first read of this town's log (its tail), as opposed to lines appended since. */
  initial: boolean;
}

/**
 * The Activity view and the one reader of the active town's `.events.jsonl`: a file watcher triggers a read of
 * the appended bytes (no process, no timer), the view shows the newest events, and every read is passed on
 * (the escalations item uses it as its change signal). Reading a file is allowed in an untrusted workspace.
 */
export class ActivityView extends Disposable {
  readonly tree: ActivityTreeProvider;
  readonly view: vscode.TreeView<ActivityNode>;
  private readonly readEmitter = this.register(new vscode.EventEmitter<EventLogRead>());
  readonly onDidRead = this.readEmitter.event;
  private root: string | undefined;
  private reader: EventLogReader | undefined;
  private recent = new RecentEvents();
  private readonly watchers: IDisposable[] = [];
  private chain: Promise<void> = Promise.resolve();
  private reads = 0;
  /** Death warnings shown this session (tests read them). */
  readonly warnings: string[] = [];

  constructor(
    private readonly store: TownStore,
    private readonly memento: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.tree = this.register(new ActivityTreeProvider());
    this.view = this.register(vscode.window.createTreeView(VIEWS.activity, { treeDataProvider: this.tree }));
    this.register({ dispose: () => disposeAll(this.watchers) });
    this.register(store.onDidChange((c) => c.kind !== 'layout' && this.sync()));
    // Ages in the descriptions are relative: redraw when the user looks again.
    this.register(this.view.onDidChangeVisibility((e) => e.visible && this.tree.refreshView()));
    this.sync();
  }

  get townRoot(): string | undefined {
    return this.root;
  }

  get events(): readonly TownEvent[] {
    return this.recent.events;
  }

  /** Follows the active town: a new reader from the log's tail, a watcher on the one file. */
  private sync(): void {
    const root = this.store.active?.location.root;
    if (root === this.root) {
      return;
    }
    disposeAll(this.watchers);
    this.watchers.length = 0;
    this.root = root;
    this.recent = new RecentEvents();
    this.reads = 0;
    this.reader = root ? new EventLogReader(path.join(root, EVENTS_FILE)) : undefined;
    this.tree.message = root ? undefined : { text: 'No Gas Town found' };
    this.tree.set([]);
    if (!root) {
      return;
    }
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), EVENTS_FILE));
    const read = (): void => void this.read();
    this.watchers.push(w, w.onDidChange(read), w.onDidCreate(read), w.onDidDelete(read));
    void this.read();
  }

  /** Reads what was appended since the last read; reads never overlap. */
  read(): Promise<void> {
    const reader = this.reader;
    const root = this.root;
    if (!reader || !root) {
      return Promise.resolve();
    }
    this.chain = this.chain.then(async () => {
      if (reader !== this.reader) {
        return;
      }
      let r: ReadResult;
      try {
        r = await reader.read();
      } catch (err) {
        this.tree.message = { text: `Could not read ${EVENTS_FILE}: ${(err as Error).message}`, error: true };
        this.tree.refreshView();
        return;
      }
      const initial = this.reads++ === 0;
      this.tree.message = undefined;
      if (r.events.length > 0 || r.reset || initial) {
        this.recent.add(r);
        this.tree.set(this.recent.events);
      }
      this.warnDeaths(r.events, initial);
      this.readEmitter.fire({ ...r, root, initial });
    });
    return this.chain;
  }

  private warnDeaths(events: readonly TownEvent[], initial: boolean): void {
    const deaths = events.filter((e) => (e.type === 'session_death' || e.type === 'mass_death') && (!initial || Date.now() - Date.parse(e.ts) < FRESH_MS));
    if (deaths.length === 0) {
      return;
    }
    const warned = new Set(this.memento.get<string[]>(WARNED_KEY, []));
    for (const e of deaths) {
      // The log's byte offset changes if it is rewritten; what happened, when and to whom does not.
      const id = `${this.root}|${e.ts}|${e.type}|${e.actor}|${JSON.stringify(e.payload)}`;
      if (warned.has(id)) {
        continue;
      }
      warned.add(id);
      const text = `Gas Town: ${describeEvent(e).summary}${e.actor ? ` (${e.actor})` : ''}`;
      this.warnings.push(text);
      this.log.warn(text);
      void vscode.window.showWarningMessage(text, 'Show Activity').then((pick) => {
        if (pick) {
          void vscode.commands.executeCommand(`${VIEWS.activity}.focus`);
        }
      });
    }
    // Only the most recent ids are kept: old deaths are not re-read after a restart anyway (FRESH_MS).
    void this.memento.update(WARNED_KEY, [...warned].slice(-200));
  }
}
