import * as path from 'node:path';
import { Emitter } from '../common/emitter';
import { Disposable } from '../common/lifecycle';
import { findTownRoot, placeOfFolder, TownLocation, FolderPlace } from '../town/discovery';
import { readTownLayout, rigPrefix, TownLayout } from '../town/layout';
import type { SettingsProblem } from '../town/problems';
import { loadBuiltinPresets } from '../town/registry';
import type { RoleHome } from '../town/roles';
import type { AgentPreset } from '../town/schemas';

export interface TownEntry {
  location: TownLocation;
  layout: TownLayout;
  /** Workspace folders that map to this town, with what each one is inside it. */
  folders: { folder: string; place: FolderPlace }[];
}

export type TownChange = { kind: 'towns' } | { kind: 'layout'; root: string } | { kind: 'active'; root: string | undefined };

export interface DiscoveryInput {
  folders: string[];
  env: NodeJS.ProcessEnv;
  townRootSetting?: string;
}

/** The towns of the workspace and their layouts. Views render it; it never touches the UI. */
export class TownStore extends Disposable {
  private readonly changed = this.register(new Emitter<TownChange>());
  readonly onDidChange = this.changed.event;

  private entries: TownEntry[] = [];
  private activeRoot: string | undefined;
  private builtinsCache: { presets: Map<string, AgentPreset>; problems: SettingsProblem[] } | undefined;

  constructor(private readonly presetsDir: string) {
    super();
  }

  get towns(): readonly TownEntry[] {
    return this.entries;
  }

  get active(): TownEntry | undefined {
    return this.entries.find((t) => t.location.root === this.activeRoot) ?? this.entries[0];
  }

  /** Built-in presets are part of the extension, so they are read once. */
  get builtins(): { presets: Map<string, AgentPreset>; problems: SettingsProblem[] } {
    this.builtinsCache ??= loadBuiltinPresets(this.presetsDir);
    return this.builtinsCache;
  }

  setActive(root: string | undefined): void {
    if (root !== this.activeRoot) {
      this.activeRoot = root;
      this.changed.fire({ kind: 'active', root });
    }
  }

  /** Maps every workspace folder to its town (multi-root: one town per folder, shared when they agree). */
  discover(input: DiscoveryInput): void {
    const byRoot = new Map<string, TownEntry>();
    const candidates = input.folders.length > 0 ? input.folders : [];
    for (const folder of candidates) {
      const location = findTownRoot(folder, input.env, input.townRootSetting);
      if (!location) {
        continue;
      }
      let entry = byRoot.get(location.root);
      if (!entry) {
        entry = { location, layout: readTownLayout(location.root), folders: [] };
        byRoot.set(location.root, entry);
      }
      entry.folders.push({ folder, place: placeOfFolder(location.root, folder, (n) => entry.layout.rigs.some((r) => r.name === n)) });
    }
    if (candidates.length === 0) {
      // No folder open: the environment or the setting may still name a town.
      const location = findTownRoot(path.parse(process.cwd()).root, input.env, input.townRootSetting);
      if (location) {
        byRoot.set(location.root, { location, layout: readTownLayout(location.root), folders: [] });
      }
    }
    this.entries = [...byRoot.values()];
    this.changed.fire({ kind: 'towns' });
  }

  /** The beads prefix of the rig a role belongs to, from its town's layout. */
  prefixOf(home: RoleHome): string | undefined {
    const town = this.entries.find((t) => t.location.root === home.townRoot);
    return town ? rigPrefix(town.layout, home.rig) : undefined;
  }

  /** Re-reads one town's layout from disk (after a watcher saw a change). */
  reloadLayout(root: string): void {
    const entry = this.entries.find((t) => t.location.root === root);
    if (entry) {
      entry.layout = readTownLayout(root);
      this.changed.fire({ kind: 'layout', root });
    }
  }
}
