import { randomBytes } from 'node:crypto';
import { BerthError } from '../../model/errors.js';
import { HASH_KEY_BYTES } from '../../model/hash.js';
import { inWriteTransaction, type Db } from './database.js';

/** Row of the `meta` table that holds the host's hash key, hex. */
export const HOST_KEY_META = 'host_hash_key';

export interface HostKeyStore {
  /**
   * The host's hash key (model/hash.ts HashKey): 32 random bytes created the first time any
   * berth process asks, then the same for every process that opens this state dir (the daemon
   * and the CLI manage the same containers through it, so they must name pods alike).
   * As secret as the Secret data the store holds next to it: the file is 0600.
   */
  hostKey(): Buffer;
}

/**
 * Kept in `meta` (created with the schema, never app-scoped) rather than a table of its own:
 * no schema version is spent on it, an older berth opening the file ignores the row, and a
 * backup (`backupTo`) carries it, so a restored store keeps naming pods as before. Two
 * processes creating it at once are serialised by BEGIN IMMEDIATE; the loser reads the
 * winner's key. `random` is swappable for tests only.
 */
export function createHostKeyStore(db: Db, random: (size: number) => Buffer = randomBytes): HostKeyStore {
  const select = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  let cached: Buffer | undefined;
  const read = () => select.get(HOST_KEY_META) as string | undefined;
  return {
    hostKey: () => {
      if (cached) return Buffer.from(cached);
      const hex =
        read() ??
        inWriteTransaction(db, () => {
          insert.run(HOST_KEY_META, random(HASH_KEY_BYTES).toString('hex'));
          return read();
        });
      if (hex === undefined || !/^[0-9a-f]+$/.test(hex) || hex.length < HASH_KEY_BYTES * 2) {
        // Never regenerate silently: a new key renames every pod (each Deployment rolls).
        throw new BerthError('STORE_ERROR', `state store holds an unreadable host hash key (meta.${HOST_KEY_META})`, { key: HOST_KEY_META });
      }
      cached = Buffer.from(hex, 'hex');
      return Buffer.from(cached);
    },
  };
}
