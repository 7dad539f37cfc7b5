import type { BdClient, BeadsDb } from '../cli/bdClient';
import { beadsListToken, listBeadsSql } from '../cli/beadsSql';
import type { CliLogger } from '../cli/runner';
import type { BeadsReader } from './beadsModel';
import { cliBeadsReader } from './beadsReaders';
import { SqlOpen, SqlSession } from './sqlSession';

/**
 * Reads a database's bead list and change token with read-only SQL on its Dolt server (DESIGN.md's measured
 * exception: `bd list` takes tens of seconds at 10,000 beads), behind bd's schema check; everything else, and
 * every read when SQL is not possible (embedded mode, unknown schema, server unreachable), goes through bd.
 * One connection per database, opened on first use and reopened after an error.
 */
export function sqlFirstBeadsReader(bd: BdClient, log: CliLogger): BeadsReader & { dispose(): void } {
  const cli = cliBeadsReader(bd);
  let session: SqlSession | undefined;
  const open = (db: BeadsDb): Promise<SqlOpen | undefined> => (session ??= new SqlSession(`beads ${db.name}`, log)).open(db.cwd, db.townRoot);
  const drop = (): void => session?.drop();

  return {
    list: async (db, signal) => {
      try {
        const s = await open(db);
        if (s) {
          return { beads: await listBeadsSql(s.conn, s.schema, { all: true }), via: 'Dolt SQL' };
        }
      } catch (err) {
        session?.failed(err);
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
    canProbe: () => session?.isOpen ?? false,
    dispose: drop,
  };
}
