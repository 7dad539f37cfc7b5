import * as crypto from 'node:crypto';
import * as net from 'node:net';

// A minimal MySQL client/server protocol client over node:net, for read-only queries to a town's Dolt
// sql-server (DESIGN.md, "one measured exception"). It spawns no process.
//
// Supported: handshake v10 with protocol 4.1, `mysql_native_password` (including an empty password and an
// auth-switch request to it), COM_INIT_DB, COM_QUERY with the text result-set protocol (both EOF- and
// OK-terminated, i.e. with or without CLIENT_DEPRECATE_EOF), ERR packets, COM_QUIT.
// Deliberately not supported: TLS, compression, other auth plugins, multi-statements, LOAD DATA LOCAL,
// prepared statements. Anything else fails with a `MysqlError`, and the caller falls back to the CLI.

// --- capability flags (only those we use or check) --------------------------------------------------
export const CAP = {
  LONG_PASSWORD: 0x1,
  CONNECT_WITH_DB: 0x8,
  LOCAL_FILES: 0x80,
  PROTOCOL_41: 0x200,
  SSL: 0x800,
  TRANSACTIONS: 0x2000,
  SECURE_CONNECTION: 0x8000,
  MULTI_STATEMENTS: 0x10000,
  MULTI_RESULTS: 0x20000,
  PLUGIN_AUTH: 0x80000,
  DEPRECATE_EOF: 0x1000000,
} as const;

const COM_QUIT = 0x01;
const COM_INIT_DB = 0x02;
const COM_QUERY = 0x03;
const SERVER_MORE_RESULTS_EXISTS = 0x0008;
/** utf8mb4_general_ci: every server that speaks utf8mb4 knows it. */
const CHARSET_UTF8MB4 = 45;
const MAX_PACKET = 0xffffff;
const NATIVE_PASSWORD = 'mysql_native_password';

export type MysqlErrorKind = 'connect' | 'timeout' | 'auth' | 'unsupported' | 'protocol' | 'server' | 'closed';

/** Every failure of this client: `kind` says what went wrong; `code`/`sqlState` come from an ERR packet. */
export class MysqlError extends Error {
  constructor(
    readonly kind: MysqlErrorKind,
    message: string,
    readonly code?: number,
    readonly sqlState?: string,
  ) {
    super(message);
    this.name = 'MysqlError';
  }
}

// --- packet-level codec (pure; unit-tested) -----------------------------------------------------------

/** Frames one payload as wire packets (split at 2^24-1 bytes, an exact multiple ends with an empty packet). */
export function encodePackets(payload: Buffer, firstSeq: number): { bytes: Buffer; nextSeq: number } {
  const parts: Buffer[] = [];
  let seq = firstSeq & 0xff;
  let off = 0;
  for (;;) {
    const len = Math.min(MAX_PACKET, payload.length - off);
    const header = Buffer.alloc(4);
    header.writeUIntLE(len, 0, 3);
    header[3] = seq;
    parts.push(header, payload.subarray(off, off + len));
    seq = (seq + 1) & 0xff;
    off += len;
    if (len < MAX_PACKET) {
      break;
    }
  }
  return { bytes: Buffer.concat(parts), nextSeq: seq };
}

/** Reassembles packets from a byte stream; a payload split over several 2^24-1 packets comes out whole. */
export class PacketFramer {
  private buf: Buffer = Buffer.alloc(0);
  private partial: Buffer[] = [];

  /** Adds bytes; returns the complete payloads with the sequence id of their last packet. */
  push(chunk: Buffer): { seq: number; payload: Buffer }[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: { seq: number; payload: Buffer }[] = [];
    let off = 0;
    while (this.buf.length - off >= 4) {
      const len = this.buf.readUIntLE(off, 3);
      if (this.buf.length - off < 4 + len) {
        break;
      }
      const seq = this.buf[off + 3];
      const body = this.buf.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      if (len === MAX_PACKET) {
        this.partial.push(body);
        continue;
      }
      const payload = this.partial.length ? Buffer.concat([...this.partial, body]) : body;
      this.partial = [];
      out.push({ seq, payload });
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
    return out;
  }
}

/** A cursor over one payload: the protocol's integer and string encodings. */
export class PayloadReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new MysqlError('protocol', `packet too short: needed ${n} byte(s) at offset ${this.pos} of ${this.buf.length}`);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  uint(bytes: number): number {
    this.need(bytes);
    const v = this.buf.readUIntLE(this.pos, bytes);
    this.pos += bytes;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A length-encoded integer; `null` for the 0xFB NULL marker (valid only in a row). */
  lenencInt(): number | null {
    const first = this.u8();
    if (first < 0xfb) {
      return first;
    }
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return this.uint(2);
      case 0xfd:
        return this.uint(3);
      case 0xfe: {
        this.need(8);
        const v = this.buf.readBigUInt64LE(this.pos);
        this.pos += 8;
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw new MysqlError('protocol', `length-encoded integer ${v} is too large`);
        }
        return Number(v);
      }
      default:
        throw new MysqlError('protocol', 'invalid length-encoded integer prefix 0xff');
    }
  }

  /** A length-encoded string (UTF-8), `null` for the NULL marker. */
  lenencString(): string | null {
    const len = this.lenencInt();
    if (len === null) {
      return null;
    }
    this.need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** A NUL-terminated string; without a NUL, the rest of the payload. */
  nulString(): string {
    const end = this.buf.indexOf(0, this.pos);
    const stop = end < 0 ? this.buf.length : end;
    const s = this.buf.toString('utf8', this.pos, stop);
    this.pos = end < 0 ? stop : stop + 1;
    return s;
  }

  restString(): string {
    const s = this.buf.toString('utf8', this.pos);
    this.pos = this.buf.length;
    return s;
  }
}

/** Encodes a length-encoded integer. */
export function encodeLenencInt(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`not a length: ${n}`);
  }
  if (n < 0xfb) {
    return Buffer.from([n]);
  }
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = 0xfc;
    b.writeUInt16LE(n, 1);
    return b;
  }
  if (n < 0x1000000) {
    const b = Buffer.alloc(4);
    b[0] = 0xfd;
    b.writeUIntLE(n, 1, 3);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

export function encodeLenencString(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([encodeLenencInt(body.length), body]);
}

export interface Handshake {
  protocolVersion: number;
  serverVersion: string;
  connectionId: number;
  capabilities: number;
  /** The auth nonce ("scramble"), 20 bytes for mysql_native_password. */
  nonce: Buffer;
  authPlugin: string;
  statusFlags: number;
}

/** Parses the server's Initial Handshake Packet (protocol version 10). */
export function parseHandshake(payload: Buffer): Handshake {
  if (payload[0] === 0xff) {
    throw errFromPacket(payload, 'connect');
  }
  const r = new PayloadReader(payload);
  const protocolVersion = r.u8();
  if (protocolVersion !== 10) {
    throw new MysqlError('unsupported', `server speaks handshake protocol ${protocolVersion}, not 10`);
  }
  const serverVersion = r.nulString();
  const connectionId = r.uint(4);
  const part1 = r.bytes(8);
  r.skip(1);
  let capabilities = r.uint(2);
  let statusFlags = 0;
  let authDataLen = 0;
  let part2: Buffer = Buffer.alloc(0);
  let authPlugin = NATIVE_PASSWORD;
  if (r.remaining > 0) {
    r.skip(1); // character set
    statusFlags = r.uint(2);
    capabilities |= r.uint(2) << 16;
    capabilities >>>= 0;
    authDataLen = r.u8();
    r.skip(10);
    if (capabilities & CAP.SECURE_CONNECTION) {
      // max(13, len - 8) bytes, of which the last is a NUL terminator, not part of the nonce
      const n = Math.max(13, authDataLen - 8);
      part2 = r.bytes(Math.min(n, r.remaining));
      if (part2.length && part2[part2.length - 1] === 0) {
        part2 = part2.subarray(0, part2.length - 1);
      }
    }
    if (capabilities & CAP.PLUGIN_AUTH && r.remaining > 0) {
      authPlugin = r.nulString();
    }
  }
  return { protocolVersion, serverVersion, connectionId, capabilities, nonce: Buffer.concat([part1, part2]), authPlugin, statusFlags };
}

/** mysql_native_password: SHA1(pw) XOR SHA1(nonce + SHA1(SHA1(pw))); empty for an empty password. */
export function nativePasswordAuth(password: string, nonce: Buffer): Buffer {
  if (password === '') {
    return Buffer.alloc(0);
  }
  const sha1 = (b: Buffer): Buffer => crypto.createHash('sha1').update(b).digest();
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const stage2 = sha1(stage1);
  const mix = sha1(Buffer.concat([nonce.subarray(0, 20), stage2]));
  for (let i = 0; i < mix.length; i++) {
    mix[i] ^= stage1[i];
  }
  return mix;
}

/** The HandshakeResponse41 payload. */
export function buildHandshakeResponse(o: { capabilities: number; user: string; authResponse: Buffer; database?: string; authPlugin: string }): Buffer {
  const head = Buffer.alloc(32);
  head.writeUInt32LE(o.capabilities >>> 0, 0);
  head.writeUInt32LE(MAX_PACKET + 1, 4);
  head[8] = CHARSET_UTF8MB4;
  const parts = [head, Buffer.from(o.user + '\0', 'utf8'), Buffer.from([o.authResponse.length]), o.authResponse];
  if (o.capabilities & CAP.CONNECT_WITH_DB && o.database !== undefined) {
    parts.push(Buffer.from(o.database + '\0', 'utf8'));
  }
  if (o.capabilities & CAP.PLUGIN_AUTH) {
    parts.push(Buffer.from(o.authPlugin + '\0', 'utf8'));
  }
  return Buffer.concat(parts);
}

/** An ERR packet as an error (`0xff`, code, `#` + SQLSTATE, message). */
export function errFromPacket(payload: Buffer, kind: MysqlErrorKind = 'server'): MysqlError {
  const r = new PayloadReader(payload, 1);
  const code = r.remaining >= 2 ? r.uint(2) : 0;
  let sqlState: string | undefined;
  if (r.remaining > 0 && payload[r.pos] === 0x23 /* # */ && r.remaining >= 6) {
    r.skip(1);
    sqlState = r.bytes(5).toString('latin1');
  }
  const message = r.restString();
  return new MysqlError(kind, `MySQL error ${code}${sqlState ? ` (${sqlState})` : ''}: ${message}`, code, sqlState);
}

/** Status flags of an OK packet (header 0x00, or 0xfe when it ends a result set under DEPRECATE_EOF). */
export function okStatusFlags(payload: Buffer): number {
  const r = new PayloadReader(payload, 1);
  r.lenencInt(); // affected rows
  r.lenencInt(); // last insert id
  return r.remaining >= 2 ? r.uint(2) : 0;
}

/** Status flags of a classic EOF packet (0xfe, warnings 2, status 2). */
function eofStatusFlags(payload: Buffer): number {
  return payload.length >= 5 ? payload.readUInt16LE(3) : 0;
}

export interface ColumnInfo {
  name: string;
  table: string;
  /** MySQL type code (e.g. 0xfd VAR_STRING, 0x0c DATETIME). */
  type: number;
  flags: number;
}

/** Parses a ColumnDefinition41 packet. */
export function parseColumnDefinition(payload: Buffer): ColumnInfo {
  const r = new PayloadReader(payload);
  r.lenencString(); // catalog ("def")
  r.lenencString(); // schema
  const table = r.lenencString() ?? '';
  r.lenencString(); // org_table
  const name = r.lenencString() ?? '';
  r.lenencString(); // org_name
  r.lenencInt(); // length of the fixed fields (0x0c)
  r.skip(2); // character set
  r.skip(4); // column length
  const type = r.u8();
  const flags = r.uint(2);
  return { name, table, type, flags };
}

export type Row = Record<string, string | null>;

/** Parses a text-protocol row: one length-encoded string or NULL (0xfb) per column. */
export function parseTextRow(payload: Buffer, columns: readonly ColumnInfo[]): Row {
  const r = new PayloadReader(payload);
  const row: Row = {};
  for (const c of columns) {
    row[c.name] = r.lenencString();
  }
  return row;
}

export interface QueryResult {
  columns: ColumnInfo[];
  rows: Row[];
}

/**
 * The COM_QUERY response as a state machine over payloads: `feed` returns the result when the response is
 * complete, `undefined` while more packets are needed, and throws on an ERR packet or a protocol violation.
 * Only the first result set is kept (further ones, which we never ask for, are drained).
 */
export class QueryResponseReader {
  private state: 'first' | 'columns' | 'columnsEof' | 'rows' = 'first';
  private columnCount = 0;
  private result: QueryResult | undefined;
  private current: QueryResult = { columns: [], rows: [] };

  constructor(private readonly deprecateEof: boolean) {}

  feed(payload: Buffer): QueryResult | undefined {
    const head = payload[0];
    switch (this.state) {
      case 'first': {
        if (head === 0xff) {
          throw errFromPacket(payload);
        }
        if (head === 0x00) {
          // A statement without a result set.
          return this.endOf(okStatusFlags(payload));
        }
        if (head === 0xfb) {
          throw new MysqlError('unsupported', 'the server asked for a LOCAL INFILE upload, which this client never allows');
        }
        const n = new PayloadReader(payload).lenencInt();
        if (!n) {
          throw new MysqlError('protocol', 'result set with no columns');
        }
        this.columnCount = n;
        this.current = { columns: [], rows: [] };
        this.state = 'columns';
        return undefined;
      }
      case 'columns':
        this.current.columns.push(parseColumnDefinition(payload));
        if (this.current.columns.length === this.columnCount) {
          this.state = this.deprecateEof ? 'rows' : 'columnsEof';
        }
        return undefined;
      case 'columnsEof':
        if (head !== 0xfe || payload.length >= 9) {
          throw new MysqlError('protocol', 'expected an EOF packet after the column definitions');
        }
        this.state = 'rows';
        return undefined;
      case 'rows':
        if (head === 0xff) {
          throw errFromPacket(payload);
        }
        // End of rows: a classic EOF (< 9 bytes), or under DEPRECATE_EOF an OK packet with the 0xfe header.
        // A row cannot be mistaken for it: a row starting with 0xfe (an 8-byte length) is at least 9 bytes
        // long, and an OK packet is always shorter than a maximal packet.
        if (head === 0xfe && (this.deprecateEof ? payload.length < MAX_PACKET : payload.length < 9)) {
          return this.endOf(this.deprecateEof ? okStatusFlags(payload) : eofStatusFlags(payload));
        }
        this.current.rows.push(parseTextRow(payload, this.current.columns));
        return undefined;
    }
  }

  private endOf(status: number): QueryResult | undefined {
    this.result ??= this.current;
    if (status & SERVER_MORE_RESULTS_EXISTS) {
      this.state = 'first';
      this.current = { columns: [], rows: [] };
      return undefined;
    }
    return this.result;
  }
}

// --- literals: SQL here is built from constants; the few values that must go in are checked --------

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/** A quoted SQL string literal for an id-like value; throws unless the value is only `[A-Za-z0-9._-]`. */
export function sqlIdLiteral(value: string): string {
  if (!SAFE_ID.test(value)) {
    throw new MysqlError('unsupported', `refusing to put ${JSON.stringify(value)} into SQL: only [A-Za-z0-9._-] is allowed`);
  }
  return `'${value}'`;
}

/** A backquoted identifier (a database name); same strict character set. */
export function sqlIdentifier(name: string): string {
  if (!SAFE_ID.test(name)) {
    throw new MysqlError('unsupported', `refusing to use ${JSON.stringify(name)} as an SQL identifier: only [A-Za-z0-9._-] is allowed`);
  }
  return `\`${name}\``;
}

/**
 * A string literal for any text (a group value such as an assignee `rig/crew/max` or a label with spaces):
 * the id form when it is id-like, else a hex literal converted to utf8mb4 — hex digits cannot break out.
 */
export function sqlTextLiteral(value: string): string {
  if (SAFE_ID.test(value)) {
    return `'${value}'`;
  }
  return `CONVERT(X'${Buffer.from(value, 'utf8').toString('hex')}' USING utf8mb4)`;
}

// --- the connection ----------------------------------------------------------------------------------

export interface ConnectOptions {
  host?: string;
  port?: number;
  /** A Unix socket path instead of host/port. */
  socketPath?: string;
  user?: string;
  password?: string;
  /** Selected at login (CLIENT_CONNECT_WITH_DB). */
  database?: string;
  /** TCP connect + handshake + auth. Default 3 s. */
  connectTimeoutMs?: number;
  /** Per query. Default 10 s. On expiry the connection is destroyed (there is no in-band cancel). */
  queryTimeoutMs?: number;
  /**
   * Ask for CLIENT_DEPRECATE_EOF (result sets end with an OK packet instead of EOF packets) when the server
   * offers it. Default false: the classic EOF framing is the one every server implements; both are handled.
   */
  deprecateEof?: boolean;
}

/**
 * One connection, one command at a time (calls queue). Capabilities asked for: protocol 4.1, secure
 * connection, plugin auth, transactions, connect-with-db when a database is given, and DEPRECATE_EOF only on
 * request. Never: multi-statements (one statement per query), LOCAL INFILE, SSL, compression.
 */
export class MysqlConnection {
  private readonly framer = new PacketFramer();
  private onPayload: ((seq: number, payload: Buffer) => void) | undefined;
  private onFailure: ((err: MysqlError) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closedError: MysqlError | undefined;
  private capabilities = 0;
  private handshakeInfo: Handshake | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly opts: ConnectOptions,
  ) {
    socket.on('data', (chunk: Buffer) => {
      let packets: { seq: number; payload: Buffer }[];
      try {
        packets = this.framer.push(chunk);
      } catch (e) {
        this.fail(e instanceof MysqlError ? e : new MysqlError('protocol', String(e)));
        return;
      }
      for (const p of packets) {
        if (!this.onPayload) {
          this.fail(new MysqlError('protocol', 'the server sent a packet nobody asked for'));
          return;
        }
        this.onPayload(p.seq, p.payload);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new MysqlError('connect', `${this.where()}: ${err.code ?? err.message}`)));
    socket.on('close', () => this.fail(new MysqlError('closed', `${this.where()}: the connection was closed`)));
  }

  /** Opens a connection and logs in; rejects with a `MysqlError`. */
  static connect(opts: ConnectOptions): Promise<MysqlConnection> {
    const timeoutMs = opts.connectTimeoutMs ?? 3000;
    const socket = opts.socketPath ? net.connect({ path: opts.socketPath }) : net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 3306 });
    socket.setNoDelay(true);
    const conn = new MysqlConnection(socket, opts);
    return conn.withTimeout(timeoutMs, 'connect', conn.login()).then(
      () => conn,
      (e: unknown) => {
        conn.destroy();
        throw e;
      },
    );
  }

  get serverVersion(): string {
    return this.handshakeInfo?.serverVersion ?? '';
  }

  /** The capability flags in effect (ours AND the server's). */
  get negotiatedCapabilities(): number {
    return this.capabilities;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Runs one statement and returns its rows (an empty array for a statement without a result set). */
  async query(sql: string): Promise<Row[]> {
    return (await this.queryResult(sql)).rows;
  }

  /** Runs one statement and returns its columns and rows. */
  queryResult(sql: string): Promise<QueryResult> {
    return this.enqueue(() => {
      const reader = new QueryResponseReader((this.capabilities & CAP.DEPRECATE_EOF) !== 0);
      return this.command(COM_QUERY, Buffer.from(sql, 'utf8'), (payload) => reader.feed(payload));
    }, `query ${sql.replace(/\s+/g, ' ').slice(0, 80)}`);
  }

  /** COM_INIT_DB: makes `database` the default for the following queries. */
  async useDatabase(database: string): Promise<void> {
    await this.enqueue(
      () =>
        this.command(COM_INIT_DB, Buffer.from(database, 'utf8'), (payload) => {
          if (payload[0] === 0xff) {
            throw errFromPacket(payload);
          }
          return true;
        }),
      `use ${database}`,
    );
  }

  /** After the queued commands, sends COM_QUIT and closes the socket. */
  async close(): Promise<void> {
    await this.queue;
    return new Promise((resolve) => {
      if (this.closedError || this.socket.destroyed) {
        this.socket.destroy();
        resolve();
        return;
      }
      this.closedError = new MysqlError('closed', `${this.where()}: the connection was closed`);
      this.socket.once('close', () => resolve());
      this.socket.end(encodePackets(Buffer.from([COM_QUIT]), 0).bytes);
      setTimeout(() => this.socket.destroy(), 500).unref();
    });
  }

  /** Closes at once without COM_QUIT. */
  destroy(): void {
    this.fail(new MysqlError('closed', `${this.where()}: the connection was closed`));
  }

  // --- internals ---

  private where(): string {
    return this.opts.socketPath ?? `${this.opts.host ?? '127.0.0.1'}:${this.opts.port ?? 3306}`;
  }

  private fail(err: MysqlError): void {
    this.closedError ??= err;
    const onFailure = this.onFailure;
    this.onPayload = undefined;
    this.onFailure = undefined;
    this.socket.destroy();
    onFailure?.(err);
  }

  private withTimeout<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const err = new MysqlError('timeout', `${this.where()}: ${what} did not finish within ${ms} ms`);
        reject(err);
        this.fail(err);
      }, ms);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new MysqlError('protocol', String(e)));
        },
      );
    });
  }

  private enqueue<T>(run: () => Promise<T>, what: string): Promise<T> {
    const timeoutMs = this.opts.queryTimeoutMs ?? 10_000;
    const next = this.queue.then(() => {
      if (this.closedError) {
        throw this.closedError;
      }
      return this.withTimeout(timeoutMs, what, run());
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Waits for server payloads in sequence; `handle` returns a value when the exchange is complete, else
   * undefined, or throws. Sequence ids are checked.
   */
  private exchange<T>(expectSeq: number, handle: (payload: Buffer, seq: number) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closedError) {
        reject(this.closedError);
        return;
      }
      let expected = expectSeq & 0xff;
      this.onFailure = reject;
      this.onPayload = (seq, payload) => {
        try {
          if (seq !== expected) {
            throw new MysqlError('protocol', `packet sequence ${seq}, expected ${expected}`);
          }
          expected = (expected + 1) & 0xff;
          const done = handle(payload, seq);
          if (done !== undefined) {
            this.onPayload = undefined;
            this.onFailure = undefined;
            resolve(done);
          }
        } catch (e) {
          const err = e instanceof MysqlError ? e : new MysqlError('protocol', String(e));
          if (err.kind === 'server') {
            // An ERR packet ends the exchange; the connection stays usable.
            this.onPayload = undefined;
            this.onFailure = undefined;
            reject(err);
          } else {
            this.onFailure = undefined;
            reject(err);
            this.fail(err);
          }
        }
      };
    });
  }

  private command<T>(code: number, body: Buffer, handle: (payload: Buffer) => T | undefined): Promise<T> {
    const response = this.exchange(1, handle);
    this.socket.write(encodePackets(Buffer.concat([Buffer.from([code]), body]), 0).bytes);
    return response;
  }

  private async login(): Promise<void> {
    const hs = await this.exchange(0, (payload) => parseHandshake(payload));
    this.handshakeInfo = hs;
    const required = CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION;
    if ((hs.capabilities & required) !== required) {
      throw new MysqlError('unsupported', `server ${hs.serverVersion} lacks protocol 4.1 with secure connection`);
    }
    let want = CAP.LONG_PASSWORD | CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.TRANSACTIONS | CAP.PLUGIN_AUTH;
    if (this.opts.database !== undefined) {
      want |= CAP.CONNECT_WITH_DB;
    }
    if (this.opts.deprecateEof) {
      want |= CAP.DEPRECATE_EOF;
    }
    this.capabilities = (want & hs.capabilities) >>> 0;
    const password = this.opts.password ?? '';
    // We always answer with mysql_native_password; a server whose default plugin differs either accepts it
    // or sends an auth-switch request (handled below, to mysql_native_password only).
    const response = buildHandshakeResponse({
      capabilities: this.capabilities,
      user: this.opts.user ?? 'root',
      authResponse: nativePasswordAuth(password, hs.nonce),
      database: this.opts.database,
      authPlugin: NATIVE_PASSWORD,
    });
    const first = await this.send(response, 1);
    if (this.authDone(first)) {
      return;
    }
    if (first[0] !== 0xfe) {
      throw new MysqlError('unsupported', `unexpected authentication reply 0x${first[0].toString(16)} (server plugin ${hs.authPlugin}; only ${NATIVE_PASSWORD} is supported)`);
    }
    // Auth switch request: the plugin name, then a new nonce (NUL-terminated).
    const r = new PayloadReader(first, 1);
    const plugin = r.remaining > 0 ? r.nulString() : 'mysql_old_password';
    if (plugin !== NATIVE_PASSWORD) {
      throw new MysqlError('unsupported', `the server asks for the ${plugin} auth plugin; only ${NATIVE_PASSWORD} is supported (use the bd CLI)`);
    }
    let nonce = r.bytes(r.remaining);
    if (nonce.length && nonce[nonce.length - 1] === 0) {
      nonce = nonce.subarray(0, nonce.length - 1);
    }
    const second = await this.send(nativePasswordAuth(password, nonce), 3);
    if (!this.authDone(second)) {
      throw new MysqlError('unsupported', `unexpected reply 0x${second[0].toString(16)} after the switch to ${NATIVE_PASSWORD}`);
    }
  }

  /** Sends one login-phase packet with sequence id `seq` and waits for the server's next payload. */
  private send(payload: Buffer, seq: number): Promise<Buffer> {
    const reply = this.exchange(seq + 1, (p) => p);
    this.socket.write(encodePackets(payload, seq).bytes);
    return reply;
  }

  /** True on OK; throws on ERR (kind `auth` for access denied / unknown database); false otherwise. */
  private authDone(payload: Buffer): boolean {
    if (payload[0] === 0x00) {
      return true;
    }
    if (payload[0] === 0xff) {
      const err = errFromPacket(payload, 'auth');
      // 1045 access denied, 1044 access denied to the database, 1049 unknown database
      throw [1044, 1045, 1049].includes(err.code ?? 0) ? err : new MysqlError('server', err.message, err.code, err.sqlState);
    }
    return false;
  }
}

/** Connects, selects `database`, runs `fn`, and always closes. */
export async function withConnection<T>(opts: ConnectOptions, fn: (conn: MysqlConnection) => Promise<T>): Promise<T> {
  const conn = await MysqlConnection.connect(opts);
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}
