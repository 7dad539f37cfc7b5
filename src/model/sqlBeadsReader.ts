import * as path from 'node:path';
import type { BdClient, BeadsDb } from '../cli/bdClient';
import { BeadsSchema, beadsListToken, listBeadsSql, schemaCheck } from '../cli/beadsSql';
import { MysqlConnection } from '../cli/mysqlWire';
import type { CliLogger } from '../cli/runner';
import { resolveDoltTarget } from '../town/doltTarget';
import type { BeadsReader } from './beadsModel';
import { cliBeadsReader } from './beadsReaders';

/**
 * Reads a database's bead list and change token with read-only SQL on its Dolt server (DESIGN.md's measured
 * exception: `bd list` takes tens of seconds at 10,000 beads), behind bd's schema check; everything else, and
 * every read when SQL is not possible (embedded mode, unknown schema, server unreachable), goes through bd.
 * One connection per database, opened on first use and reopened after an error.
 */
export function sqlFirstBeadsReader(bd: BdClient, log: CliLogger): BeadsReader & { dispose(): void } {
  const cli = cliBeadsReader(bd);
  let conn: MysqlConnection | undefined;
  let schema: BeadsSchema | undefined;
  let refusedWhy: string | undefined;
  let opening: Promise<{ conn: MysqlConnection; schema: BeadsSchema } | undefined> | undefined;

  const drop = (): void => {
    conn?.destroy();
    conn = undefined;
    schema = undefined;
  };

  const open = (db: BeadsDb): Promise<{ conn: MysqlConnection; schema: BeadsSchema } | undefined> => {
    if (conn && !conn.closed && schema) {
      return Promise.resolve({ conn, schema });
    }
    opening ??= (async () => {
      drop();
      const target = resolveDoltTarget(path.join(db.cwd, '.beads'), { townRoot: db.townRoot });
      if (!target.ok) {
        note(db, target.reason);
        return undefined;
      }
      const t = target.target;
      const c = await MysqlConnection.connect({ host: t.host, port: t.port, socketPath: t.socketPath, user: t.user, password: t.password, connectTimeoutMs: 2000, queryTimeoutMs: 15_000 });
      const check = await schemaCheck(c, t.database);
      if (!check.ok) {
        c.destroy();
        note(db, check.reason);
        return undefined;
      }
      conn = c;
      schema = check.schema;
      refusedWhy = undefined;
      log.info(`beads ${db.name}: reading through Dolt SQL on ${t.host}:${t.port}/${t.database} (bd schema ${check.schema.schemaVersion})`);
      return { conn: c, schema: check.schema };
    })().finally(() => {
      opening = undefined;
    });
    return opening;
  };

  const note = (db: BeadsDb, why: string): void => {
    if (why !== refusedWhy) {
      refusedWhy = why;
      log.info(`beads ${db.name}: reading through bd (no SQL: ${why})`);
    }
  };

  return {
    list: async (db, signal) => {
      try {
        const s = await open(db);
        if (s) {
          return { beads: await listBeadsSql(s.conn, s.schema, { all: true }), via: 'Dolt SQL' };
        }
      } catch (err) {
        drop();
        note(db, (err as Error).message);
      }
      // bd then says what is wrong in its own words (Dolt down, no database).
      return cli.list(db, signal);
    },
    readyIds: (db, signal) => cli.readyIds(db, signal),
    blockedIds: (db, signal) => cli.blockedIds(db, signal),
    changeToken: async (db) => {
      try {
        const s = await open(db);
        // Hashes of the tables the list reads: wisp writes (mail, heartbeats) do not move it.
        return s ? await beadsListToken(s.conn, s.schema) : undefined;
      } catch {
        drop();
        return undefined;
      }
    },
    // Until SQL has worked once, a poll would mean a bd process a second: none then.
    canProbe: () => !!conn && !conn.closed,
    dispose: drop,
  };
}
