/**
 * What a `kubernetes.io/tls` Secret holds, as the edge loads it: the private key, then the chain,
 * in one PEM whose SHA-256 names the file (dataplane/edge-tls.ts), so a Secret's content decides
 * the id: a changed Secret is a new file and a new fragment, an unchanged one writes nothing.
 * One reader for the planner (plan/edge/certificates.ts) and for validation, which warns at the
 * line naming a Secret that cannot be used (manifests/checks/edge-refs.ts): a Secret whose key
 * does not match its certificate is refused the same way in both places.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { Secret } from './types.js';
import { own } from './own.js';

export interface TlsKeyPair {
  /** `sha256:<hex>` of `pem`. */
  id: string;
  /** Private key then certificate chain, each block ending in a newline. */
  pem: string;
  /** The leaf's DNS names (subjectAltName, else CN), lower-case. */
  names: string[];
  /** ISO time the leaf expires. */
  notAfter: string;
}

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** The Secret's key pair as the edge loads it, or why it cannot be one. `data` is base64 (defaulted: stringData folded in). */
export function readTlsSecret(secret: Pick<Secret, 'type' | 'data'>): TlsKeyPair | { error: string } {
  if (secret.type !== TLS_SECRET_TYPE) return { error: `its type is ${JSON.stringify(secret.type)}, not ${TLS_SECRET_TYPE}` };
  const crt = decode(own(secret.data ?? {}, 'tls.crt'));
  const key = decode(own(secret.data ?? {}, 'tls.key'));
  if (crt === undefined || key === undefined) return { error: 'it needs both tls.crt and tls.key' };
  const chain = [...crt.matchAll(PEM_BLOCK)].filter((b) => b[1] === 'CERTIFICATE').map((b) => b[0]);
  const keys = [...key.matchAll(PEM_BLOCK)].filter((b) => b[1]!.endsWith('PRIVATE KEY')).map((b) => b[0]);
  if (chain.length === 0) return { error: 'tls.crt holds no PEM CERTIFICATE block' };
  if (keys.length !== 1) return { error: `tls.key must hold exactly one PEM private key (found ${keys.length})` };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0]!);
  } catch (err) {
    return { error: `tls.crt's first certificate does not parse (${(err as Error).message})` };
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(keys[0]!))) return { error: "tls.key is not the private key of tls.crt's first certificate" };
  } catch (err) {
    return { error: `tls.key does not parse (${(err as Error).message})` };
  }
  const pem = [keys[0]!, ...chain].map((b) => `${b.replace(/\r\n/g, '\n')}\n`).join('');
  const san = (leaf.subjectAltName ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
  return {
    id: `sha256:${createHash('sha256').update(pem).digest('hex')}`,
    pem,
    names: san.length > 0 ? san : cn ? [cn.toLowerCase()] : [],
    notAfter: new Date(leaf.validTo).toISOString(),
  };
}

function decode(b64: string | undefined): string | undefined {
  if (b64 === undefined) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  return text.trim() === '' ? undefined : text;
}
