import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveDoltTarget } from '../../src/town/doltTarget';
import { buildTown, tempDir, writeJson, writeText } from './fixtures/townBuilder';

describe('doltTarget: where the beads SQL server is', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.cleanup());

  const gtMetadata = (db: string, port?: number) => ({ database: 'dolt', backend: 'dolt', dolt_mode: 'server', dolt_database: db, dolt_server_host: '127.0.0.1', ...(port ? { dolt_server_port: port } : {}) });

  it("a town's database: the town's listener.port, metadata's dolt_database, root without password", () => {
    const town = buildTown(path.join(t.dir, 'gt'), { doltPort: 43111, rigs: [{ name: 'demo', prefix: 'de' }] });
    writeJson(path.join(town, '.beads', 'metadata.json'), gtMetadata('hq', 3307));
    writeJson(path.join(town, 'demo', '.beads', 'metadata.json'), gtMetadata('demo'));
    const hq = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env: {}, homeDir: t.dir });
    assert.deepEqual(hq, {
      ok: true,
      target: { host: '127.0.0.1', port: 43111, user: 'root', password: '', database: 'hq', beadsDir: path.join(town, '.beads'), from: { port: `town ${town} (.dolt-data/config.yaml, GT_DOLT_PORT, mayor/daemon.json)`, database: '.beads/metadata.json dolt_database' } },
    });
    const rig = resolveDoltTarget(path.join(town, 'demo', '.beads'), { townRoot: town, env: {}, homeDir: t.dir });
    assert.equal(rig.ok && rig.target.database, 'demo');
    assert.equal(rig.ok && rig.target.port, 43111);
  });

  it('env wins as in bd: BEADS_DOLT_SERVER_PORT, then BEADS_DOLT_PORT; host, user, password, database from env', () => {
    const town = buildTown(path.join(t.dir, 'gt'), { doltPort: 43111 });
    writeJson(path.join(town, '.beads', 'metadata.json'), gtMetadata('hq'));
    const env = { BEADS_DOLT_PORT: '5000', BEADS_DOLT_SERVER_HOST: 'db.local', BEADS_DOLT_SERVER_USER: 'bob', BEADS_DOLT_PASSWORD: 'pw', BEADS_DOLT_SERVER_DATABASE: 'other' };
    const r = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env, homeDir: t.dir });
    assert.ok(r.ok);
    assert.deepEqual([r.target.host, r.target.port, r.target.user, r.target.password, r.target.database, r.target.from.port], ['db.local', 5000, 'bob', 'pw', 'other', 'env BEADS_DOLT_PORT']);
    const r2 = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env: { ...env, BEADS_DOLT_SERVER_PORT: '6000' }, homeDir: t.dir });
    assert.equal(r2.ok && r2.target.port, 6000);
  });

  it('outside a town: port file, then config.yaml dolt.port (nested or flat), then metadata; GT_DOLT_PORT before them', () => {
    const beads = path.join(t.dir, 'proj', '.beads');
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server', dolt_database: 'proj', dolt_server_port: 3999 });
    const port = () => {
      const r = resolveDoltTarget(beads, { env: {}, homeDir: t.dir });
      return r.ok ? [r.target.port, r.target.from.port] : r.reason;
    };
    assert.deepEqual(port(), [3999, '.beads/metadata.json dolt_server_port']);
    writeText(path.join(beads, 'config.yaml'), 'dolt:\n  port: 3888\n  host: 10.0.0.2\n');
    assert.deepEqual(port(), [3888, '.beads/config.yaml dolt.port']);
    writeText(path.join(beads, 'config.yaml'), 'dolt.port: 3777\n');
    assert.deepEqual(port(), [3777, '.beads/config.yaml dolt.port']);
    writeText(path.join(beads, 'dolt-server.port'), '3666\n');
    assert.deepEqual(port(), [3666, '.beads/dolt-server.port']);
    const r = resolveDoltTarget(beads, { env: { GT_DOLT_PORT: '3555' }, homeDir: t.dir });
    assert.equal(r.ok && r.target.port, 3555);
  });

  it('host from metadata, then config.yaml; password from the credentials file section [host:port]', () => {
    const beads = path.join(t.dir, 'p', '.beads');
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server', dolt_server_port: 3307 });
    writeText(path.join(beads, 'config.yaml'), 'dolt:\n  host: 10.0.0.2\n');
    writeText(path.join(t.dir, '.config', 'beads', 'credentials'), '# mine\n[10.0.0.1:3307]\npassword = wrong\n[10.0.0.2:3307]\nuser = x\npassword = right # comment\n');
    const r = resolveDoltTarget(beads, { env: {}, homeDir: t.dir });
    assert.ok(r.ok);
    assert.deepEqual([r.target.host, r.target.password, r.target.database], ['10.0.0.2', 'right', 'beads']);
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server', dolt_server_port: 3307, dolt_server_host: '10.0.0.1' });
    const r2 = resolveDoltTarget(beads, { env: {}, homeDir: t.dir });
    assert.deepEqual(r2.ok && [r2.target.host, r2.target.password], ['10.0.0.1', 'wrong']);
    const r3 = resolveDoltTarget(beads, { env: { BEADS_CREDENTIALS_FILE: path.join(t.dir, 'none') }, homeDir: t.dir });
    assert.equal(r3.ok && r3.target.password, '');
  });

  it('follows .beads/redirect (relative to the project root)', () => {
    const main = path.join(t.dir, 'repo', '.beads');
    writeJson(path.join(main, 'metadata.json'), { dolt_mode: 'server', dolt_database: 'main', dolt_server_port: 3307 });
    const wt = path.join(t.dir, 'repo', 'worktrees', 'a', '.beads');
    writeText(path.join(wt, 'redirect'), '# worktree\n../../.beads\n');
    const r = resolveDoltTarget(wt, { env: {}, homeDir: t.dir });
    assert.ok(r.ok);
    assert.equal(r.target.database, 'main');
    assert.equal(r.target.beadsDir, path.join(t.dir, 'repo', 'worktrees', 'a', '..', '..', '.beads'));
  });

  it('not ok: embedded mode, TLS, no port, broken metadata', () => {
    const beads = path.join(t.dir, 'e', '.beads');
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'embedded', dolt_server_port: 3307 });
    assert.match(String((resolveDoltTarget(beads, { env: {} }) as { reason: string }).reason), /embedded/);
    assert.equal(resolveDoltTarget(beads, { env: { BEADS_DOLT_SERVER_MODE: '1' } }).ok, true);
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server', dolt_server_port: 3307, dolt_server_tls: true });
    assert.match(String((resolveDoltTarget(beads, { env: {} }) as { reason: string }).reason), /TLS/);
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server' });
    assert.match(String((resolveDoltTarget(beads, { env: {} }) as { reason: string }).reason), /no Dolt server port/);
    writeText(path.join(beads, 'metadata.json'), '{ not json');
    assert.match(String((resolveDoltTarget(beads, { env: {} }) as { reason: string }).reason), /not readable JSON/);
  });

  it("the write-signal directory: the database's .dolt/noms under the town's .dolt-data, when it is there", () => {
    const town = buildTown(path.join(t.dir, 'gt'), { doltPort: 43111 });
    writeJson(path.join(town, '.beads', 'metadata.json'), gtMetadata('hq'));
    const r0 = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env: {} });
    assert.equal(r0.ok && r0.target.writeSignalDir, undefined, 'no data on this machine');
    fs.mkdirSync(path.join(town, '.dolt-data', 'hq', '.dolt', 'noms'), { recursive: true });
    const r = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env: {} });
    assert.equal(r.ok && r.target.writeSignalDir, path.join(town, '.dolt-data', 'hq', '.dolt', 'noms'));
    const elsewhere = path.join(t.dir, 'data');
    fs.mkdirSync(path.join(elsewhere, 'hq', '.dolt', 'noms'), { recursive: true });
    const r2 = resolveDoltTarget(path.join(town, '.beads'), { townRoot: town, env: { BEADS_DOLT_DATA_DIR: elsewhere } });
    assert.equal(r2.ok && r2.target.writeSignalDir, path.join(elsewhere, 'hq', '.dolt', 'noms'));
  });

  it('a socket path replaces host and port', () => {
    const beads = path.join(t.dir, 's', '.beads');
    writeJson(path.join(beads, 'metadata.json'), { dolt_mode: 'server', dolt_server_socket: '/tmp/dolt.sock' });
    const r = resolveDoltTarget(beads, { env: {} });
    assert.ok(r.ok);
    assert.equal(r.target.socketPath, '/tmp/dolt.sock');
    assert.equal(r.target.from.port, 'socket');
  });
});
