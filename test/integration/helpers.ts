import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GasTownApi } from '../../src/extension';
import type { RoleHome } from '../../src/town/roles';
import type { TownNode } from '../../src/ui/views/townTree';

export const EXT_ID = 'gastown-vscode.gastown-vscode';

/** The demo town the harness opened. */
export function townRoot(): string {
  const root = process.env.GASTOWN_TEST_TOWN;
  assert.ok(root, 'GASTOWN_TEST_TOWN is not set: run this suite through npm test');
  return root;
}

export async function api(): Promise<GasTownApi> {
  const ext = vscode.extensions.getExtension<GasTownApi>(EXT_ID);
  assert.ok(ext, `${EXT_ID} is not installed in this extension host`);
  return ext.activate();
}

export function screenshot(name: string): Promise<void> {
  // The harness takes a screenshot of the workbench when it sees this line; give it a moment.
  console.log(`HARNESS_SCREENSHOT:${name}`);
  return sleep(1200);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a value (not undefined/false), or fails with `what` (and `seen`: what was there instead). */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000, pollMs = 200, seen?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) {
        return v;
      }
    } catch (err) {
      last = err;
    }
    await sleep(pollMs);
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}${seen ? ` (instead: ${seen()})` : ''}`);
}

export async function demoRoles(): Promise<{ crew: RoleHome; polecat: RoleHome; all: RoleHome[] }> {
  const { store } = await api();
  const demo = store.active?.layout.rigs.find((r) => r.name === 'demo');
  assert.ok(demo, 'no demo rig');
  const crew = demo.roles.find((r) => r.kind === 'crew');
  const polecat = demo.roles.find((r) => r.kind === 'polecat');
  assert.ok(crew && polecat, `demo rig lacks a crew member or a polecat: ${demo.roles.map((r) => r.dir).join(', ')}`);
  return { crew, polecat, all: demo.roles };
}

/** The Town view's item for a role and its agent child, as the user sees them. */
export async function roleItems(home: RoleHome): Promise<{ role: vscode.TreeItem; agent?: vscode.TreeItem }> {
  const { townTree } = await api();
  const walk = (nodes: TownNode[]): TownNode | undefined => {
    for (const n of nodes) {
      if (n.type === 'role' && n.role.dir === home.dir) {
        return n;
      }
      const found = n.type === 'role' || n.type === 'agent' ? undefined : walk(townTree.getChildren(n));
      if (found) {
        return found;
      }
    }
    return undefined;
  };
  const node = walk(townTree.getChildren());
  assert.ok(node, `no tree item for ${home.dir}`);
  const children = townTree.getChildren(node);
  return { role: townTree.getTreeItem(node), agent: children[0] ? townTree.getTreeItem(children[0]) : undefined };
}

/** The last line of the agent's output that starts with `tag`, parsed as JSON. */
export function tagged<T>(output: string, tag: string): T | undefined {
  const lines = output.split('\n').filter((l) => l.startsWith(tag));
  const last = lines[lines.length - 1];
  return last === undefined ? undefined : (JSON.parse(last.slice(tag.length)) as T);
}

/** A bead as `bd … --json` prints it (the fields the tests compare). */
export interface CliBead {
  id: string;
  title?: string;
  status?: string;
  priority?: number;
  issue_type?: string;
  assignee?: string;
  labels?: string[];
  parent?: string;
  ephemeral?: boolean;
  dependencies?: { id: string; depends_on_id?: string; dependency_type?: string; type?: string }[];
  comments?: { text?: string }[];
  close_reason?: string;
}

/**
 * Gives a crew member its own variant of the demo town's test agent (`name`: the test agent's preset plus
 * `changes`) in the town's settings, and returns a function that puts both settings files back.
 */
export function crewAgentVariant(home: RoleHome, name: string, changes: Record<string, unknown>): () => void {
  const agentsFile = path.join(home.townRoot, 'settings', 'agents.json');
  const configFile = path.join(home.townRoot, 'settings', 'config.json');
  const saved = [agentsFile, configFile].map((f) => fs.readFileSync(f, 'utf8'));
  const agents = JSON.parse(saved[0]) as { agents: Record<string, Record<string, unknown>> };
  agents.agents[name] = { ...agents.agents.testagent, ...changes };
  fs.writeFileSync(agentsFile, JSON.stringify(agents, null, 2));
  const config = JSON.parse(saved[1]) as { crew_agents?: Record<string, string> };
  config.crew_agents = { ...config.crew_agents, [home.name ?? '']: name };
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return () => {
    fs.writeFileSync(agentsFile, saved[0]);
    fs.writeFileSync(configFile, saved[1]);
  };
}

/**
 * Runs `body` while recording the messages the extension shows with `vscode.window[kind]` (the notification itself
 * is not readable from a test); the real function is put back afterwards.
 */
export async function capturingMessages(kind: 'showErrorMessage' | 'showWarningMessage', body: (messages: string[]) => Promise<void>): Promise<string[]> {
  const messages: string[] = [];
  const win = vscode.window as unknown as Record<string, unknown>;
  const orig = win[kind];
  win[kind] = (m: string) => {
    messages.push(m);
    return Promise.resolve(undefined);
  };
  try {
    await body(messages);
  } finally {
    win[kind] = orig;
  }
  return messages;
}
