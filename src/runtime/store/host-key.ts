import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { BerthError } from '../../model/errors.js';
import { deriveHashKey, HASH_KEY_BYTES, sealLegacyTemplateHash } from '../../model/hash.js';
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
  /**
   * Rewrites `legacy` pod-template hashes in the app's event and rollout messages to their sealed
   * form (model/hash.ts): for what a pass recorded about pods an older berth named, such as the
   * deletions of the one-time roll to keyed names. `templateKey` is the app's template key.
   */
  sealLegacyHashesInMessages(app: string, templateKey: Buffer, legacy: readonly string[]): void;
}

/**
 * Kept in `meta` (created with the schema, never app-scoped) rather than a table of its own:
 * no schema version is spent on it, an older berth opening the file ignores the row, and a
 * backup (`backupTo`) carries it, so a restored store keeps naming pods as before. Two
 * processes creating it at once are serialised by BEGIN IMMEDIATE; the loser reads the
 * winner's key. `random` is swappable for tests only.
 */
export function createHostKeyStore(db: Db, random: (size: number) => Buffer = randomBytes, keyFile?: string): HostKeyStore {
  const select = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
  let cached: Buffer | undefined;
  let fileSynced = keyFile === undefined;
  const read = () => select.get(HOST_KEY_META) as string | undefined;
  /** The key file mirrors the store's key; a failed write (a full disk) is retried at the next call. */
  const syncFile = (hex: string) => {
    if (fileSynced || keyFile === undefined) return;
    try {
      writeHostKeyFile(keyFile, hex);
      fileSynced = true;
    } catch {
      // The store keeps the key; only the copy that survives losing the store is missing for now.
    }
  };
  return {
    sealLegacyHashesInMessages: (app, templateKey, legacy) => {
      if (legacy.length === 0) return;
      inWriteTransaction(db, () => {
        for (const h of legacy) sealInMessages(db, app, h, sealLegacyTemplateHash(templateKey, h));
      });
    },
    hostKey: () => {
      if (cached) {
        if (!fileSynced) syncFile(cached.toString('hex'));
        return Buffer.from(cached);
      }
      const hex =
        read() ??
        inWriteTransaction(db, () => {
          // A store rebuilt or recreated after the file was lost adopts the key its pods were
          // named with, so no Deployment rolls; only a host that never had one gets a new key.
          const key = (keyFile !== undefined ? readHostKeyFile(keyFile) : undefined) ?? random(HASH_KEY_BYTES);
          // The key is new: whatever the store holds was written under unkeyed hashes.
          if (insert.run(HOST_KEY_META, key.toString('hex')).changes === 1) sealLegacyHashes(db, key);
          return read();
        });
      if (hex === undefined || !/^[0-9a-f]+$/.test(hex) || hex.length < HASH_KEY_BYTES * 2) {
        // Never regenerate silently: a new key renames every pod (each Deployment rolls).
        throw new BerthError('STORE_ERROR', `state store holds an unreadable host hash key (meta.${HOST_KEY_META})`, { key: HOST_KEY_META });
      }
      cached = Buffer.from(hex, 'hex');
      syncFile(hex);
      return Buffer.from(cached);
    },
  };
}

/** `<state-dir>/host-key`: the host key outside the store, so losing the store does not rename every pod. */
export const HOST_KEY_FILE = 'host-key';

/** The key in `file` (hex, one line), or undefined when the file is missing or not a key. */
export function readHostKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  return /^[0-9a-f]+$/.test(text) && text.length >= HASH_KEY_BYTES * 2 && text.length % 2 === 0 ? Buffer.from(text, 'hex') : undefined;
}

/** Written whole or not at all (temp file + rename), 0600: the key is as secret as the store. */
export function writeHostKeyFile(file: string, hex: string): void {
  if (readHostKeyFile(file)?.toString('hex') === hex) return;
  const tmp = `${file}.tmp`;
  try {
    writeFileSync(tmp, `${hex}\n`, { mode: 0o600, flag: 'w' });
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Legacy hashes shorter than this are not replaced inside free text (a short one could match a word). */
const MIN_REPLACED_IN_TEXT = 6;

/**
 * Runs once per store, in the transaction that creates the host key: every pod-template-hash an
 * older berth recorded (rollout history, pins, failed templates, pending restarts) was unkeyed,
 * and `rollout history`, the API and events would go on showing it, the current Secret values
 * included, until it aged out. Each is replaced by its sealed form (model/hash.ts), which the
 * rollout tracker recomputes from the same content, so the history keeps its meaning; event and
 * rollout messages that name it, and events about pods named with it, are rewritten too.
 */
export function sealLegacyHashes(db: Db, hostKey: Buffer): void {
  const apps = db
    .prepare('SELECT app FROM rollouts UNION SELECT app FROM rollout_pins UNION SELECT app FROM failed_templates UNION SELECT app FROM deployment_overrides')
    .pluck()
    .all() as string[];
  for (const app of apps) {
    const templateKey = deriveHashKey(hostKey, 'pod-template-hash', app);
    const sealed = new Map<string, string>();
    const seal = (h: string) => {
      let out = sealed.get(h);
      if (out === undefined) sealed.set(h, (out = sealLegacyTemplateHash(templateKey, h)));
      return out;
    };
    for (const table of ['rollouts', 'rollout_pins', 'failed_templates'] as const) {
      const hashes = db.prepare(`SELECT DISTINCT template_hash FROM ${table} WHERE app = ?`).pluck().all(app) as string[];
      const update = db.prepare(`UPDATE ${table} SET template_hash = ? WHERE app = ? AND template_hash = ?`);
      for (const h of hashes) update.run(seal(h), app, h);
    }
    const restarts = db.prepare("SELECT deployment, value FROM deployment_overrides WHERE app = ? AND kind = 'restart'").all(app) as Array<{ deployment: string; value: string }>;
    for (const r of restarts) {
      const value = parseObject(r.value);
      // A value berth cannot read is left alone: failing here would fail every command.
      if (typeof value?.sourceHash !== 'string') continue;
      db.prepare("UPDATE deployment_overrides SET value = ? WHERE app = ? AND deployment = ? AND kind = 'restart'").run(
        JSON.stringify({ ...value, sourceHash: seal(value.sourceHash) }),
        app,
        r.deployment,
      );
    }
    for (const [legacy, replacement] of sealed) sealInMessages(db, app, legacy, replacement);
  }
}

function sealInMessages(db: Db, app: string, legacy: string, replacement: string): void {
  if (legacy.length < MIN_REPLACED_IN_TEXT) return;
  db.prepare('UPDATE events SET message = replace(message, ?, ?) WHERE app = ? AND instr(message, ?) > 0').run(legacy, replacement, app, legacy);
  // Events about a pod are keyed by its name, which carries the hash (`Pod/ns/web-<hash>-x7k2q`).
  db.prepare("UPDATE events SET object_key = replace(object_key, ?, ?) WHERE app = ? AND object_key LIKE 'Pod/%' AND instr(object_key, ?) > 0").run(legacy, replacement, app, legacy);
  db.prepare('UPDATE rollouts SET message = replace(message, ?, ?) WHERE app = ? AND instr(message, ?) > 0').run(legacy, replacement, app, legacy);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
