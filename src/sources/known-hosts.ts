import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * OpenSSH known_hosts, read purely (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): the only place an
 * SSH source learns which host keys to trust. Nothing is ever trusted on first use: a host
 * with no line here is refused, however its key looks.
 *
 * Supported: plain host patterns (comma lists, `*`/`?` wildcards, `!` negation), `[host]:port`
 * for ports other than 22, hashed names (`|1|salt|hash`, HMAC-SHA1 as `ssh-keygen -H` writes
 * them), comments and blank lines, and the `@revoked` marker (a key that must be refused even
 * when another line lists it). `@cert-authority` lines are skipped: berth does not verify host
 * certificates, so a host known only through a CA is unknown to it (docs/sources.md).
 */
export interface KnownHostLine {
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  /** Key type as written, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The public key blob (SSH wire format), what the server presents in its handshake. */
  key: Buffer;
}

export interface KnownHostsProblem {
  line: number;
  message: string;
}

export function parseKnownHosts(text: string): { lines: KnownHostLine[]; problems: KnownHostsProblem[] } {
  const lines: KnownHostLine[] = [];
  const problems: KnownHostsProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return void problems.push({ line: i + 1, message: `unknown marker ${m}` });
    }
    const [hosts, keyType, blob] = fields;
    if (!hosts || !keyType || !blob) return void problems.push({ line: i + 1, message: 'expected: [marker] hosts key-type base64-key [comment]' });
    const key = Buffer.from(blob, 'base64');
    // The blob starts with its own type name: a line whose two disagree is damaged.
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob) || blobType(key) !== keyType) {
      return void problems.push({ line: i + 1, message: `the key of type ${keyType} is not valid base64 of a ${keyType} key` });
    }
    lines.push({ line: i + 1, marker, hosts, keyType, key });
  });
  return { lines, problems };
}

/** The key type name a wire-format key blob starts with. */
export function blobType(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const len = key.readUInt32BE(0);
  return len > 0 && len < 64 && key.length >= 4 + len ? key.toString('latin1', 4, 4 + len) : undefined;
}

/** The name a host is listed under: `host` on port 22, `[host]:port` otherwise (as ssh writes it). */
export function hostEntryName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** True when the host field of a line names `host:port`. */
export function lineMatchesHost(hosts: string, host: string, port: number): boolean {
  const name = hostEntryName(host, port);
  if (hosts.startsWith('|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const p = (negated ? pattern.slice(1) : pattern).toLowerCase();
    if (!wildcardMatches(p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`. */
function hashedMatches(field: string, name: string): boolean {
  const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(field);
  if (!m) return false;
  const want = Buffer.from(m[2]!, 'base64');
  const got = createHmac('sha1', Buffer.from(m[1]!, 'base64')).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, the rest literal; the whole name. */
function wildcardMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return re.test(name);
}

export type HostKeyVerdict =
  /** A line lists this key for this host. */
  | { ok: true; line: number }
  /** `unknown`: no line names the host; `mismatch`: lines do, none with this key; `revoked`: an @revoked line lists the key. */
  | { ok: false; reason: 'unknown' | 'mismatch' | 'revoked'; knownTypes: string[] };

/** Judges the key `host:port` presented in its handshake against the file's lines. */
export function verifyHostKey(lines: readonly KnownHostLine[], host: string, port: number, presented: Buffer): HostKeyVerdict {
  // A revoked key is refused whatever the host field says (ssh does the same).
  if (lines.some((l) => l.marker === 'revoked' && l.key.equals(presented))) return { ok: false, reason: 'revoked', knownTypes: [] };
  const forHost = lines.filter((l) => l.marker === undefined && lineMatchesHost(l.hosts, host, port));
  const hit = forHost.find((l) => l.key.equals(presented));
  if (hit) return { ok: true, line: hit.line };
  return { ok: false, reason: forHost.length ? 'mismatch' : 'unknown', knownTypes: [...new Set(forHost.map((l) => l.keyType))] };
}

/**
 * The host key algorithms to offer for `host:port`, most preferred first: only those of the
 * keys known for it, so the server presents a key we can check (a host with an ed25519 and an
 * RSA key would otherwise be judged on whichever the server prefers). Undefined when none
 * is known: the handshake then runs with the defaults and is refused at the verifier, which
 * reports the key the server offered.
 */
export function hostKeyAlgorithms(lines: readonly KnownHostLine[], host: string, port: number): string[] | undefined {
  const types = new Set(lines.filter((l) => l.marker === undefined && lineMatchesHost(l.hosts, host, port)).map((l) => l.keyType));
  const out = HOST_KEY_PREFERENCE.filter(([type]) => types.has(type)).flatMap(([, algorithms]) => algorithms);
  return out.length ? out : undefined;
}

/** Key type → the signature algorithms that prove it, in OpenSSH's order of preference. */
const HOST_KEY_PREFERENCE: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['ssh-ed25519', ['ssh-ed25519']],
  ['ecdsa-sha2-nistp256', ['ecdsa-sha2-nistp256']],
  ['ecdsa-sha2-nistp384', ['ecdsa-sha2-nistp384']],
  ['ecdsa-sha2-nistp521', ['ecdsa-sha2-nistp521']],
  ['ssh-rsa', ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']],
];

/** `SHA256:…` as `ssh-keygen -lf` and ssh print it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
