import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDir } from './fsCheck';
import { resolveDoltPort } from './roleEnv';
import { readNestedYamlScalar, readYamlScalars } from './yamlScalars';

/** Where the Dolt sql-server of a beads database listens, and which database on it holds the beads. */
export interface DoltTarget {
  host: string;
  port: number;
  /** A Unix socket, used instead of host/port when set. */
  socketPath?: string;
  user: string;
  password: string;
  database: string;
  /** The `.beads` directory after a `redirect`. */
  beadsDir: string;
  /** Where the port and the database name came from (for the log line and the "which read" indicator). */
  from: { port: string; database: string };
  /**
   * The database's `.dolt/noms` directory when the server's data is on this machine: its chunk journal
   * (`vvvv…`, 32 v) is rewritten on every write, committed or not, and never on a read, so a watcher on this
   * directory is a zero-cost "beads changed" signal (the manifest moves instead when the journal is off).
   */
  writeSignalDir?: string;
}

export type DoltTargetResult = { ok: true; target: DoltTarget } | { ok: false; reason: string };

export interface DoltTargetOptions {
  /** The town root, when the database belongs to a Gas Town (its `.dolt-data/config.yaml` names the port). */
  townRoot?: string;
  /** The environment bd would run with (the extension's bd environment). */
  env?: NodeJS.ProcessEnv;
  /** For the credentials file (`~/.config/beads/credentials`). */
  homeDir?: string;
}

interface Metadata {
  dolt_mode?: unknown;
  dolt_server_host?: unknown;
  dolt_server_port?: unknown;
  dolt_server_socket?: unknown;
  dolt_server_user?: unknown;
  dolt_server_tls?: unknown;
  dolt_database?: unknown;
  dolt_data_dir?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const portOf = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
};

/** bd's `.beads/redirect`: one level, relative paths from the project root (the parent of `.beads`). */
export function followBeadsRedirect(beadsDir: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path.join(beadsDir, 'redirect'), 'utf8');
  } catch {
    return beadsDir;
  }
  const target = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!target) {
    return beadsDir;
  }
  const abs = path.isAbsolute(target) ? target : path.join(path.dirname(beadsDir), target);
  return isDir(abs) ? abs : beadsDir;
}

/**
 * A key of `.beads/config.yaml` that viper reads as `dolt.port`: flat (`dolt.port: 3307`, a top-level scalar)
 * or nested (`dolt:` then an indented `port: 3307`). A line scan: the file is otherwise not needed here.
 */
function beadsYamlKey(file: string, section: string, key: string): string | undefined {
  const flat = readYamlScalars(file).value?.[`${section}.${key}`];
  if (flat !== undefined) {
    return flat;
  }
  return readNestedYamlScalar(file, section, key);
}

/** The `[host:port]` section's `password =` of bd's INI-style credentials file. */
function credentialsPassword(file: string, host: string, port: number): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let inSection = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.startsWith('[') && line.endsWith(']')) {
      if (inSection) {
        return undefined;
      }
      inSection = line.slice(1, -1) === `${host}:${port}`;
      continue;
    }
    const eq = line.indexOf('=');
    if (inSection && eq > 0 && line.slice(0, eq).trim() === 'password') {
      return line.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/**
 * Resolves the Dolt server of a `.beads` directory the way bd 1.2.2 does (configfile.go, doltserver.go,
 * dolt/store.go), with the town's server config in the place where gt feeds it to bd (`BEADS_DOLT_PORT`):
 *
 * - port: env `BEADS_DOLT_SERVER_PORT` → env `BEADS_DOLT_PORT` → town `.dolt-data/config.yaml`
 *   `listener.port` → env `GT_DOLT_PORT` → town `mayor/daemon.json` → `.beads/dolt-server.port` →
 *   `.beads/config.yaml` `dolt.port` → `metadata.json` `dolt_server_port`;
 * - host: env `BEADS_DOLT_SERVER_HOST` → `metadata.json` `dolt_server_host` → `config.yaml` `dolt.host` → 127.0.0.1;
 * - user: env `BEADS_DOLT_SERVER_USER` → `dolt_server_user` → root;
 * - password: env `BEADS_DOLT_PASSWORD` → `[host:port]` in `$BEADS_CREDENTIALS_FILE` or
 *   `~/.config/beads/credentials` → empty;
 * - database: env `BEADS_DOLT_SERVER_DATABASE` → `dolt_database` → `beads`.
 *
 * Not ok (the caller uses the CLI): embedded mode, TLS required, no port anywhere.
 */
export function resolveDoltTarget(beadsDirIn: string, opts: DoltTargetOptions = {}): DoltTargetResult {
  const env = opts.env ?? process.env;
  const beadsDir = followBeadsRedirect(beadsDirIn);
  let meta: Metadata = {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(beadsDir, 'metadata.json'), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      meta = parsed;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { ok: false, reason: `${path.join(beadsDir, 'metadata.json')} is not readable JSON` };
    }
  }
  const yamlFile = path.join(beadsDir, 'config.yaml');

  const serverModeEnv = env.BEADS_DOLT_SERVER_MODE === '1';
  if (!serverModeEnv && str(meta.dolt_mode)?.toLowerCase() === 'embedded') {
    return { ok: false, reason: 'the beads database is in embedded mode (no SQL server)' };
  }
  const tlsEnv = env.BEADS_DOLT_SERVER_TLS;
  if ((tlsEnv !== undefined && tlsEnv !== '' ? tlsEnv === '1' || tlsEnv.toLowerCase() === 'true' : meta.dolt_server_tls === true)) {
    return { ok: false, reason: 'the Dolt server requires TLS, which the SQL reader does not speak' };
  }

  const candidates: [string, unknown][] = [
    ['env BEADS_DOLT_SERVER_PORT', env.BEADS_DOLT_SERVER_PORT],
    ['env BEADS_DOLT_PORT', env.BEADS_DOLT_PORT],
  ];
  if (opts.townRoot) {
    // .dolt-data/config.yaml listener.port → env GT_DOLT_PORT → mayor/daemon.json (what gt passes to bd)
    candidates.push([`town ${opts.townRoot} (.dolt-data/config.yaml, GT_DOLT_PORT, mayor/daemon.json)`, resolveDoltPort(opts.townRoot, env)]);
  } else {
    candidates.push(['env GT_DOLT_PORT', env.GT_DOLT_PORT]);
  }
  let portFile: string | undefined;
  try {
    portFile = fs.readFileSync(path.join(beadsDir, 'dolt-server.port'), 'utf8');
  } catch {
    portFile = undefined;
  }
  candidates.push(['.beads/dolt-server.port', portFile], ['.beads/config.yaml dolt.port', beadsYamlKey(yamlFile, 'dolt', 'port')], ['.beads/metadata.json dolt_server_port', meta.dolt_server_port]);
  let port: number | undefined;
  let portFrom = '';
  for (const [from, value] of candidates) {
    port = portOf(value);
    if (port !== undefined) {
      portFrom = from;
      break;
    }
  }
  const socketPath = str(env.BEADS_DOLT_SERVER_SOCKET) ?? str(meta.dolt_server_socket);
  if (port === undefined && !socketPath) {
    return { ok: false, reason: `no Dolt server port for ${beadsDir} (is its server running?)` };
  }
  const host = str(env.BEADS_DOLT_SERVER_HOST) ?? str(meta.dolt_server_host) ?? str(beadsYamlKey(yamlFile, 'dolt', 'host')) ?? '127.0.0.1';
  const user = str(env.BEADS_DOLT_SERVER_USER) ?? str(meta.dolt_server_user) ?? 'root';
  const credFile = str(env.BEADS_CREDENTIALS_FILE) ?? path.join(opts.homeDir ?? os.homedir(), '.config', 'beads', 'credentials');
  const password = env.BEADS_DOLT_PASSWORD || (port !== undefined ? credentialsPassword(credFile, host, port) : undefined) || '';
  const dbEnv = str(env.BEADS_DOLT_SERVER_DATABASE);
  const dbMeta = str(meta.dolt_database);
  const database = dbEnv ?? dbMeta ?? 'beads';
  const dataDirs = [str(env.BEADS_DOLT_DATA_DIR), str(meta.dolt_data_dir), opts.townRoot && path.join(opts.townRoot, '.dolt-data'), path.join(beadsDir, 'dolt')];
  const writeSignalDir = dataDirs.map((d) => d && path.join(d, database, '.dolt', 'noms')).find((d) => d && isDir(d));
  return {
    ok: true,
    target: {
      host,
      port: port ?? 0,
      ...(socketPath ? { socketPath } : {}),
      user,
      password,
      database,
      beadsDir,
      from: { port: socketPath ? 'socket' : portFrom, database: dbEnv ? 'env BEADS_DOLT_SERVER_DATABASE' : dbMeta ? '.beads/metadata.json dolt_database' : 'default' },
      ...(writeSignalDir ? { writeSignalDir } : {}),
    },
  };
}
