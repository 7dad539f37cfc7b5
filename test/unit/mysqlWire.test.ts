import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as net from 'node:net';
import {
  buildHandshakeResponse,
  CAP,
  encodeLenencInt,
  encodeLenencString,
  encodePackets,
  errFromPacket,
  MysqlConnection,
  MysqlError,
  nativePasswordAuth,
  PacketFramer,
  parseHandshake,
  PayloadReader,
  QueryResponseReader,
  sqlIdentifier,
  sqlIdLiteral,
  sqlTextLiteral,
} from '../../src/cli/mysqlWire';

const sha1 = (b: Buffer): Buffer => crypto.createHash('sha1').update(b).digest();

/** A server-side check of a mysql_native_password response, the way a server verifies it. */
function serverAccepts(password: string, nonce: Buffer, response: Buffer): boolean {
  if (password === '') {
    return response.length === 0;
  }
  const stored = sha1(sha1(Buffer.from(password)));
  const mix = sha1(Buffer.concat([nonce, stored]));
  const candidate = Buffer.alloc(20);
  for (let i = 0; i < 20; i++) {
    candidate[i] = response[i] ^ mix[i];
  }
  return sha1(candidate).equals(stored);
}

// --- packet builders for the scripted server ------------------------------------------------------------

const NONCE = Buffer.from('abcdefghijklmnopqrst');

function handshakePayload(caps: number, plugin = 'mysql_native_password', nonce = NONCE): Buffer {
  const head = Buffer.concat([Buffer.from([10]), Buffer.from('8.0.33-test\0'), Buffer.from([7, 0, 0, 0]), nonce.subarray(0, 8), Buffer.from([0])]);
  const mid = Buffer.alloc(2 + 1 + 2 + 2 + 1 + 10);
  mid.writeUInt16LE(caps & 0xffff, 0);
  mid[2] = 45;
  mid.writeUInt16LE(2, 3);
  mid.writeUInt16LE(caps >>> 16, 5);
  mid[7] = 21;
  return Buffer.concat([head, mid, nonce.subarray(8), Buffer.from([0]), Buffer.from(plugin + '\0')]);
}

const ok = (status = 2): Buffer => Buffer.from([0x00, 0, 0, status & 0xff, status >> 8, 0, 0]);
const eof = (status = 2): Buffer => Buffer.from([0xfe, 0, 0, status & 0xff, status >> 8]);
const okEof = (status = 2): Buffer => Buffer.from([0xfe, 0, 0, status & 0xff, status >> 8, 0, 0]);
function err(code: number, state: string, msg: string): Buffer {
  const b = Buffer.alloc(3);
  b[0] = 0xff;
  b.writeUInt16LE(code, 1);
  return Buffer.concat([b, Buffer.from('#' + state + msg)]);
}
function columnDef(name: string, type = 0xfd): Buffer {
  const fixed = Buffer.alloc(13);
  fixed[0] = 0x0c;
  fixed.writeUInt16LE(45, 1);
  fixed.writeUInt32LE(1024, 3);
  fixed[7] = type;
  return Buffer.concat([encodeLenencString('def'), encodeLenencString('db'), encodeLenencString('t'), encodeLenencString('t'), encodeLenencString(name), encodeLenencString(name), fixed]);
}
function textRow(values: (string | null)[]): Buffer {
  return Buffer.concat(values.map((v) => (v === null ? Buffer.from([0xfb]) : encodeLenencString(v))));
}
function resultSet(cols: string[], rows: (string | null)[][], deprecateEof: boolean): Buffer[] {
  const out = [encodeLenencInt(cols.length), ...cols.map((c) => columnDef(c))];
  if (!deprecateEof) {
    out.push(eof());
  }
  out.push(...rows.map(textRow));
  out.push(deprecateEof ? okEof() : eof());
  return out;
}

type Script = (s: ScriptedSocket) => Promise<void>;

/** The server end of one connection: reads whole payloads, writes payloads with sequence ids. */
class ScriptedSocket {
  private framer = new PacketFramer();
  private queued: { seq: number; payload: Buffer }[] = [];
  private waiting: ((p: { seq: number; payload: Buffer }) => void) | undefined;
  constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      for (const p of this.framer.push(d)) {
        if (this.waiting) {
          const w = this.waiting;
          this.waiting = undefined;
          w(p);
        } else {
          this.queued.push(p);
        }
      }
    });
  }
  read(): Promise<{ seq: number; payload: Buffer }> {
    const q = this.queued.shift();
    return q ? Promise.resolve(q) : new Promise((r) => (this.waiting = r));
  }
  write(seq: number, ...payloads: Buffer[]): void {
    for (const p of payloads) {
      this.sock.write(encodePackets(p, seq).bytes);
      seq++;
    }
  }
}

async function withServer(script: Script, fn: (port: number) => Promise<void>): Promise<void> {
  const failures: unknown[] = [];
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    script(new ScriptedSocket(sock)).catch((e: unknown) => failures.push(e));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as net.AddressInfo).port);
  } finally {
    await new Promise<void>((r) => {
      server.close(() => r());
      setTimeout(r, 200).unref();
    });
  }
  assert.deepEqual(failures, []);
}

const SERVER_CAPS = CAP.LONG_PASSWORD | CAP.CONNECT_WITH_DB | CAP.PROTOCOL_41 | CAP.TRANSACTIONS | CAP.SECURE_CONNECTION | CAP.PLUGIN_AUTH | CAP.DEPRECATE_EOF | CAP.MULTI_STATEMENTS | CAP.LOCAL_FILES;

describe('mysqlWire: codec', () => {
  it('length-encoded integers round-trip at every width boundary', () => {
    for (const n of [0, 1, 250, 251, 252, 0xffff, 0x10000, 0xffffff, 0x1000000, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const enc = encodeLenencInt(n);
      const r = new PayloadReader(enc);
      assert.equal(r.lenencInt(), n, `n=${n}`);
      assert.equal(r.remaining, 0);
    }
    assert.deepEqual([...encodeLenencInt(250)], [250]);
    assert.deepEqual([...encodeLenencInt(251)], [0xfc, 251, 0]);
    assert.deepEqual([...encodeLenencInt(0x10000)], [0xfd, 0, 0, 1]);
    assert.equal(encodeLenencInt(0x1000000)[0], 0xfe);
    assert.equal(new PayloadReader(Buffer.from([0xfb])).lenencInt(), null, '0xfb is NULL');
    assert.throws(() => new PayloadReader(Buffer.from([0xff])).lenencInt(), MysqlError);
    assert.throws(() => new PayloadReader(Buffer.from([0xfc, 1])).lenencInt(), /too short/);
  });

  it('length-encoded strings carry UTF-8 and NULL', () => {
    const r = new PayloadReader(Buffer.concat([encodeLenencString('héllo ✓'), Buffer.from([0xfb]), encodeLenencString('')]));
    assert.equal(r.lenencString(), 'héllo ✓');
    assert.equal(r.lenencString(), null);
    assert.equal(r.lenencString(), '');
  });

  it('frames packets and reassembles them from arbitrary chunks', () => {
    const a = encodePackets(Buffer.from('hello'), 0).bytes;
    const b = encodePackets(Buffer.from([]), 1).bytes;
    assert.deepEqual([...a.subarray(0, 4)], [5, 0, 0, 0]);
    const all = Buffer.concat([a, b]);
    const f = new PacketFramer();
    const got = [];
    for (let i = 0; i < all.length; i++) {
      got.push(...f.push(all.subarray(i, i + 1)));
    }
    assert.deepEqual(
      got.map((p) => [p.seq, p.payload.toString()]),
      [
        [0, 'hello'],
        [1, ''],
      ],
    );
  });

  it('splits a payload of 2^24-1 bytes or more and joins it back', () => {
    const big = Buffer.alloc(0xffffff + 10, 7);
    const { bytes, nextSeq } = encodePackets(big, 3);
    assert.equal(nextSeq, 5);
    assert.equal(bytes.length, big.length + 8);
    const exact = encodePackets(Buffer.alloc(0xffffff, 1), 0);
    assert.equal(exact.nextSeq, 2, 'an exact multiple ends with an empty packet');
    const f = new PacketFramer();
    const out = [...f.push(bytes.subarray(0, 1000)), ...f.push(bytes.subarray(1000))];
    assert.equal(out.length, 1);
    assert.equal(out[0].payload.length, big.length);
    assert.equal(out[0].seq, 4);
  });

  it('parses a v10 handshake: version, capabilities, the 20-byte nonce, the plugin', () => {
    const hs = parseHandshake(handshakePayload(SERVER_CAPS, 'caching_sha2_password'));
    assert.equal(hs.serverVersion, '8.0.33-test');
    assert.equal(hs.connectionId, 7);
    assert.equal(hs.capabilities, SERVER_CAPS);
    assert.deepEqual(hs.nonce, NONCE);
    assert.equal(hs.authPlugin, 'caching_sha2_password');
    assert.throws(() => parseHandshake(Buffer.from([9, 0])), /protocol 9/);
    assert.throws(() => parseHandshake(err(1040, '08004', 'Too many connections')), /1040.*Too many connections/);
  });

  it('mysql_native_password: a server accepts the scramble; an empty password sends nothing', () => {
    for (const pw of ['secret', 'pässwörd', 'x'.repeat(100)]) {
      assert.ok(serverAccepts(pw, NONCE, nativePasswordAuth(pw, NONCE)), pw);
      assert.ok(!serverAccepts(pw, NONCE, nativePasswordAuth(pw + '!', NONCE)));
    }
    assert.equal(nativePasswordAuth('', NONCE).length, 0);
  });

  it('builds a HandshakeResponse41 with user, auth, database and plugin', () => {
    const p = buildHandshakeResponse({ capabilities: CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.CONNECT_WITH_DB | CAP.PLUGIN_AUTH, user: 'root', authResponse: Buffer.from([1, 2]), database: 'hq', authPlugin: 'mysql_native_password' });
    assert.equal(p.readUInt32LE(0), CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.CONNECT_WITH_DB | CAP.PLUGIN_AUTH);
    assert.equal(p[8], 45);
    assert.ok(p.subarray(9, 32).every((b) => b === 0));
    assert.equal(p.subarray(32).toString('latin1'), 'root\0\x02\x01\x02hq\0mysql_native_password\0');
  });

  it('turns an ERR packet into a typed error', () => {
    const e = errFromPacket(err(1146, '42S02', "table not found: nope"));
    assert.equal(e.kind, 'server');
    assert.equal(e.code, 1146);
    assert.equal(e.sqlState, '42S02');
    assert.match(e.message, /table not found: nope/);
  });

  for (const deprecateEof of [false, true]) {
    it(`reads a text result set (${deprecateEof ? 'OK' : 'EOF'}-terminated), NULLs included`, () => {
      const r = new QueryResponseReader(deprecateEof);
      const packets = resultSet(['id', 'assignee'], [['a-1', null], ['a-2', 'rig/crew/max']], deprecateEof);
      const results = packets.map((p) => r.feed(p));
      assert.ok(results.slice(0, -1).every((x) => x === undefined));
      const res = results[results.length - 1];
      assert.deepEqual(
        res?.columns.map((c) => c.name),
        ['id', 'assignee'],
      );
      assert.deepEqual(res?.rows, [
        { id: 'a-1', assignee: null },
        { id: 'a-2', assignee: 'rig/crew/max' },
      ]);
    });
  }

  it('a row starting with 0xfe is a row, not the end, under DEPRECATE_EOF', () => {
    const r = new QueryResponseReader(true);
    r.feed(encodeLenencInt(1));
    r.feed(columnDef('x'));
    const long = 'y'.repeat(0x1000000 + 1); // lenenc prefix 0xfe
    assert.equal(r.feed(textRow([long])), undefined);
    const res = r.feed(okEof());
    assert.equal(res?.rows[0].x?.length, long.length);
  });

  it('an OK answer (no result set) and an ERR answer', () => {
    assert.deepEqual(new QueryResponseReader(false).feed(ok()), { columns: [], rows: [] });
    assert.throws(() => new QueryResponseReader(false).feed(err(1064, '42000', 'syntax error')), (e: MysqlError) => e.kind === 'server' && e.code === 1064);
    const r = new QueryResponseReader(false);
    r.feed(encodeLenencInt(1));
    r.feed(columnDef('x'));
    r.feed(eof());
    assert.throws(() => r.feed(err(1105, 'HY000', 'mid-stream')), /mid-stream/);
    assert.throws(() => new QueryResponseReader(false).feed(Buffer.from([0xfb, 0x41])), /LOCAL INFILE/);
  });

  it('keeps the first of several result sets', () => {
    const r = new QueryResponseReader(false);
    const first = resultSet(['a'], [['1']], false);
    first[first.length - 1] = eof(2 | 8); // SERVER_MORE_RESULTS_EXISTS
    for (const p of first) {
      assert.equal(r.feed(p), undefined);
    }
    const second = resultSet(['b'], [['2']], false);
    const res = second.map((p) => r.feed(p)).pop();
    assert.deepEqual(res?.rows, [{ a: '1' }]);
  });

  it('quotes only safe literals; anything else is hex or refused', () => {
    assert.equal(sqlIdLiteral('hq-cv-1a.2_b'), "'hq-cv-1a.2_b'");
    for (const bad of ["x' OR 1=1 --", 'a b', 'a\\b', '', 'é', 'a;b', 'a`b', 'a/b']) {
      assert.throws(() => sqlIdLiteral(bad), MysqlError, bad);
    }
    assert.equal(sqlIdentifier('hq'), '`hq`');
    assert.throws(() => sqlIdentifier('x`; DROP'), MysqlError);
    assert.equal(sqlTextLiteral('open'), "'open'");
    assert.equal(sqlTextLiteral("it's"), "CONVERT(X'69742773' USING utf8mb4)");
  });
});

describe('mysqlWire: connection (scripted server)', () => {
  /** Handshake, then verify the client's response; returns what the client sent. */
  async function login(s: ScriptedSocket, caps = SERVER_CAPS, password = ''): Promise<Buffer> {
    s.write(0, handshakePayload(caps));
    const { seq, payload } = await s.read();
    assert.equal(seq, 1);
    const userEnd = payload.indexOf(0, 32);
    const authLen = payload[userEnd + 1];
    const auth = payload.subarray(userEnd + 2, userEnd + 2 + authLen);
    assert.ok(serverAccepts(password, NONCE, auth), 'password scramble');
    s.write(2, ok());
    return payload;
  }

  it('logs in, selects the database, and runs queries (EOF framing by default)', async () => {
    let sentCaps = 0;
    await withServer(
      async (s) => {
        const resp = await login(s, SERVER_CAPS, 'pw');
        sentCaps = resp.readUInt32LE(0);
        const q1 = await s.read();
        assert.equal(q1.payload[0], 0x03);
        assert.equal(q1.payload.subarray(1).toString(), 'SELECT 1');
        s.write(1, ...resultSet(['1'], [['1']], false));
        const q2 = await s.read();
        assert.equal(q2.payload[0], 0x02, 'COM_INIT_DB');
        s.write(1, ok());
        const quit = await s.read();
        assert.equal(quit.payload[0], 0x01, 'COM_QUIT');
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port, user: 'root', password: 'pw', database: 'hq' });
        assert.equal(c.serverVersion, '8.0.33-test');
        assert.deepEqual(await c.query('SELECT 1'), [{ '1': '1' }]);
        await c.useDatabase('beads');
        await c.close();
      },
    );
    assert.ok(sentCaps & CAP.CONNECT_WITH_DB);
    assert.ok(!(sentCaps & CAP.DEPRECATE_EOF), 'DEPRECATE_EOF only on request');
    assert.ok(!(sentCaps & CAP.MULTI_STATEMENTS), 'never multi-statements');
    assert.ok(!(sentCaps & CAP.LOCAL_FILES), 'never LOCAL INFILE');
    assert.ok(!(sentCaps & CAP.SSL));
  });

  it('with deprecateEof, reads OK-terminated result sets; queued queries run in order', async () => {
    await withServer(
      async (s) => {
        const resp = await login(s);
        assert.ok(resp.readUInt32LE(0) & CAP.DEPRECATE_EOF);
        for (const n of ['1', '2', '3']) {
          const q = await s.read();
          assert.equal(q.payload.subarray(1).toString(), `SELECT ${n}`);
          s.write(1, ...resultSet(['n'], [[n], [null]], true));
        }
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port, deprecateEof: true });
        const all = await Promise.all(['1', '2', '3'].map((n) => c.query(`SELECT ${n}`)));
        assert.deepEqual(all, ['1', '2', '3'].map((n) => [{ n }, { n: null }]));
        c.destroy();
      },
    );
  });

  it('answers an auth-switch request to mysql_native_password with the new nonce', async () => {
    const nonce2 = Buffer.from('ZYXWVUTSRQPONMLKJIHG');
    await withServer(
      async (s) => {
        s.write(0, handshakePayload(SERVER_CAPS, 'caching_sha2_password'));
        await s.read();
        s.write(2, Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0'), nonce2, Buffer.from([0])]));
        const { seq, payload } = await s.read();
        assert.equal(seq, 3);
        assert.ok(serverAccepts('s3cret', nonce2, payload));
        s.write(4, ok());
        await s.read();
        s.write(1, ...resultSet(['x'], [['y']], false));
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port, password: 's3cret' });
        assert.deepEqual(await c.query('SELECT x'), [{ x: 'y' }]);
        c.destroy();
      },
    );
  });

  it('fails clearly on another auth plugin, on access denied, and on a server ERR (connection stays usable)', async () => {
    await withServer(
      async (s) => {
        s.write(0, handshakePayload(SERVER_CAPS, 'caching_sha2_password'));
        await s.read();
        s.write(2, Buffer.concat([Buffer.from([0xfe]), Buffer.from('caching_sha2_password\0'), NONCE, Buffer.from([0])]));
      },
      async (port) => {
        await assert.rejects(MysqlConnection.connect({ port }), (e: MysqlError) => e.kind === 'unsupported' && /caching_sha2_password/.test(e.message));
      },
    );
    await withServer(
      async (s) => {
        s.write(0, handshakePayload(SERVER_CAPS));
        await s.read();
        s.write(2, err(1045, '28000', "Access denied for user 'root'"));
      },
      async (port) => {
        await assert.rejects(MysqlConnection.connect({ port }), (e: MysqlError) => e.kind === 'auth' && e.code === 1045);
      },
    );
    await withServer(
      async (s) => {
        await login(s);
        await s.read();
        s.write(1, err(1146, '42S02', 'table not found: nope'));
        await s.read();
        s.write(1, ...resultSet(['ok'], [['1']], false));
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port });
        await assert.rejects(c.query('SELECT * FROM nope'), (e: MysqlError) => e.kind === 'server' && e.code === 1146);
        assert.deepEqual(await c.query('SELECT 1'), [{ ok: '1' }]);
        c.destroy();
      },
    );
  });

  it('times out a silent server (connect) and a slow query, and refuses a closed port', async () => {
    await withServer(
      async () => {
        // never says hello
      },
      async (port) => {
        const t = Date.now();
        await assert.rejects(MysqlConnection.connect({ port, connectTimeoutMs: 150 }), (e: MysqlError) => e.kind === 'timeout');
        assert.ok(Date.now() - t < 2000);
      },
    );
    await withServer(
      async (s) => {
        await login(s);
        await s.read(); // and never answers
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port, queryTimeoutMs: 150 });
        await assert.rejects(c.query('SELECT SLEEP(10)'), (e: MysqlError) => e.kind === 'timeout');
        assert.ok(c.closed);
        await assert.rejects(c.query('SELECT 1'), (e: MysqlError) => e.kind === 'timeout' || e.kind === 'closed');
      },
    );
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    await assert.rejects(MysqlConnection.connect({ port }), (e: MysqlError) => e.kind === 'connect' && /ECONNREFUSED/.test(e.message));
  });

  it('rejects a pending query when the server hangs up', async () => {
    await withServer(
      async (s) => {
        await login(s);
        await s.read();
        s.sock.destroy();
      },
      async (port) => {
        const c = await MysqlConnection.connect({ port });
        await assert.rejects(c.query('SELECT 1'), (e: MysqlError) => e.kind === 'closed');
      },
    );
  });
});
