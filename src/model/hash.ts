import { createHash, createHmac } from 'node:crypto';

/** JSON with sorted keys so equal objects hash equally whatever order the YAML had. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/**
 * Short unkeyed content hash, for content that holds no secret (the proxy's published ports,
 * an image's bytes, the inventory's change detection next to the object it describes). A hash
 * that may include Secret data, is shown somewhere and needs recomputing by this host only uses
 * a keyed hash instead (below): an unkeyed hash of a short secret is as good as the secret.
 * Revision ids are the exception by design: content ids every reader must agree on, like Git
 * commit SHAs (model/revision.ts, docs/security.md "Hashes and names").
 */
export function specHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex').slice(0, 16);
}

/**
 * Kubernetes' alphabet for generated names: no vowels (no accidental words) and no
 * look-alikes (0/o, 1/l, 3/e).
 */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Bytes of a host's hash key (HMAC-SHA256's block size would allow more; 32 is its strength). */
export const HASH_KEY_BYTES = 32;

/**
 * A secret that keys the hashes berth shows of content that may hold Secret data and that no
 * one else computes (the pod-template-hash in pod names and labels). The host's key lives in
 * the state store (runtime/host-key.ts); planning never creates one, it is passed in like the
 * clock. Revision ids are not keyed: a folder's id is a content id like a Git commit SHA, the
 * same for every reader (docs/security.md, "Hashes and names").
 */
export type HashKey = Uint8Array;

/** What a derived key is for; a new keyed hash gets a purpose of its own. */
export type HashPurpose = 'pod-template-hash';

/**
 * The key for one purpose and one app: HMAC(hostKey, purpose \0 scope). A hash made for one
 * purpose or app can never be replayed as another's, so an author of one app cannot use their
 * own pods' names as an oracle for another app's Secrets.
 */
export function deriveHashKey(hostKey: HashKey, purpose: HashPurpose, scope: string): HashKey {
  if (hostKey.length < HASH_KEY_BYTES) throw new RangeError(`a hash key has at least ${HASH_KEY_BYTES} bytes`);
  return createHmac('sha256', hostKey).update(`berth/${purpose}/v1\0${scope}`).digest();
}

/** HMAC-SHA256 of `value`'s stable JSON: the keyed content hash. */
export function keyedDigest(key: HashKey, value: unknown): Buffer {
  return createHmac('sha256', key).update(stableStringify(value)).digest();
}

/**
 * The pod-template-hash of `content`, keyed: Kubernetes' shape (a 32-bit number, decimal,
 * safe-encoded: up to 10 characters of SAFE_ALPHABET) taken from the first 4 bytes of the HMAC.
 * Without the key nothing about the content, Secret values included, can be tested from it.
 */
export function keyedTemplateHash(key: HashKey, content: unknown): string {
  return safeEncode(String(keyedDigest(key, content).readUInt32BE(0)));
}

/**
 * The unkeyed hash berth used for pod-template-hash before it was keyed (issue 11). Read-only:
 * it is compared with what older versions wrote (pod labels, rollout records) so an upgrade
 * neither re-runs a finished Job nor forgets a failed template; nothing new is ever named by it.
 */
export function legacyTemplateHash(content: unknown): string {
  return safeEncode(String(fnv32a(stableStringify(content))));
}

/**
 * What a legacy hash became in the store when the host key was made (store/host-key.ts): the
 * rollout history, pins and failed templates an older berth recorded, and the events that named
 * them, show this keyed stand-in instead of the guessable hash. Same shape as a template hash;
 * `templateKey` is the app's pod-template-hash key.
 */
export function sealLegacyTemplateHash(templateKey: HashKey, legacy: string): string {
  return keyedTemplateHash(templateKey, { legacy });
}

/** FNV-1a, 32 bit: the hash Kubernetes uses for pod-template-hash (unkeyed: see legacyTemplateHash). */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(text, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `rand.SafeEncodeString(fmt.Sprint(hash))`, as the Deployment controller names ReplicaSets. */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** Random suffix for pod names (`<rs>-<5 chars>`); randomness is passed in so planning stays pure. */
export function randomSuffix(random: () => number, length = 5): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE_ALPHABET[Math.floor(random() * SAFE_ALPHABET.length)];
  return out;
}
