import type { BdClient } from '../cli/bdClient';
import type { BeadsReader } from './beadsModel';

/** Reads through bd's CLI only: right at any size, slow at thousands of beads (about 23 s at 10,000). */
export function cliBeadsReader(bd: BdClient): BeadsReader {
  return {
    list: async (db, signal) => ({ beads: await bd.list(db, signal), via: 'bd list' }),
    readyIds: async (db, signal) => new Set((await bd.ready(db, signal)).map((b) => b.id)),
    blockedIds: async (db, signal) => new Set((await bd.blocked(db, signal)).map((b) => b.id)),
  };
}
