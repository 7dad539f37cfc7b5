import * as path from 'node:path';
import { BeadsSchema, schemaCheck } from '../cli/beadsSql';
import { MysqlConnection } from '../cli/mysqlWire';
import type { CliLogger } from '../cli/runner';
import { resolveDoltTarget } from '../town/doltTarget';

export interface SqlOpen {
  conn: MysqlConnection;
  schema: BeadsSchema;
}

/**
 * One read-only SQL connection to a beads database's Dolt server, behind bd's schema check: opened on first
 * use, shared by concurrent callers while it opens, dropped after an error and reopened by the next call.
 * When SQL is not possible (no server, unknown schema) `open` gives undefined and the reason is logged once.
 */
export class SqlSession {
  private conn: MysqlConnection | undefined;
  private schema: BeadsSchema | undefined;
  private opening: Promise<SqlOpen | undefined> | undefined;
  private refusedWhy: string | undefined;

  /**
   * @param what names the reader in the log (`beads hq`, `mail`).
   * @param cli what reads instead when SQL cannot (for the log).
   */
  constructor(
    private readonly what: string,
    private readonly log: CliLogger,
    private readonly cli = 'bd',
  ) {}

  get isOpen(): boolean {
    return !!this.conn && !this.conn.closed;
  }

  /** The database of the project whose `.beads` is in `projectDir` (a town's when `townRoot` is given). */
  open(projectDir: string, townRoot: string | undefined): Promise<SqlOpen | undefined> {
    if (this.conn && !this.conn.closed && this.schema) {
      return Promise.resolve({ conn: this.conn, schema: this.schema });
    }
    this.opening ??= this.connect(projectDir, townRoot).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(projectDir: string, townRoot: string | undefined): Promise<SqlOpen | undefined> {
    this.drop();
    const target = resolveDoltTarget(path.join(projectDir, '.beads'), { townRoot });
    if (!target.ok) {
      this.refused(target.reason);
      return undefined;
    }
    const t = target.target;
    const c = await MysqlConnection.connect({ host: t.host, port: t.port, socketPath: t.socketPath, user: t.user, password: t.password, connectTimeoutMs: 2000, queryTimeoutMs: 15_000 });
    const check = await schemaCheck(c, t.database);
    if (!check.ok) {
      c.destroy();
      this.refused(check.reason);
      return undefined;
    }
    this.conn = c;
    this.schema = check.schema;
    this.refusedWhy = undefined;
    this.log.info(`${this.what}: reading through Dolt SQL on ${t.host}:${t.port}/${t.database} (bd schema ${check.schema.schemaVersion})`);
    return { conn: c, schema: check.schema };
  }

  /** A read on the connection failed: drop it (the next `open` reconnects) and say reads go through the CLI. */
  failed(err: unknown): void {
    this.drop();
    this.refused((err as Error).message);
  }

  /** Logs, once per distinct reason, that reads go through the CLI. */
  private refused(why: string): void {
    if (why !== this.refusedWhy) {
      this.refusedWhy = why;
      this.log.info(`${this.what}: reading through ${this.cli} (no SQL: ${why})`);
    }
  }

  drop(): void {
    this.conn?.destroy();
    this.conn = undefined;
    this.schema = undefined;
  }
}
