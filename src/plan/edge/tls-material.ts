/**
 * The certificate files an app's edge fragment needs, from the `kubernetes.io/tls` Secrets its
 * routes name (compiled.ts CompiledCertificate). The edge reads a certificate as one PEM file
 * (private key, then the chain) named by the SHA-256 of its bytes (dataplane/edge-tls.ts), so a
 * Secret's content decides the id: a changed Secret is a new file and a new fragment, which the
 * edge swaps in without touching open connections, and an unchanged one writes nothing.
 *
 * A Secret that is missing, of another type, or whose key does not match its certificate is not
 * loaded: the host keeps serving plain HTTP routes, and HTTPS for it answers with a TLS alert
 * (what ingress-nginx does with its fake certificate is to serve a certificate the browser
 * refuses anyway). The note says which Secret and what to fix. docs/ingress.md "TLS".
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { Resource, Secret } from '../../model/types.js';
import { own } from '../../model/own.js';
import type { CompiledCertificate, EdgeNote } from './compiled.js';

export interface EdgeCertificateFile {
  /** `sha256:<hex>` of `pem`: the id the fragment names and the file name's digest. */
  id: string;
  /** Private key then certificate chain, each block ending in a newline. */
  pem: string;
  /** `Secret/<namespace>/<name>`, for status and messages. */
  source: string;
  /** The leaf's DNS names (subjectAltName, else CN), lower-case. */
  names: string[];
  /** ISO time the leaf expires. */
  notAfter: string;
}

export interface TlsMaterial {
  /** Compiled certificate id (`Secret/ns/name`) → its file; absent when the Secret cannot be used. */
  files: Map<string, EdgeCertificateFile>;
  notes: EdgeNote[];
}

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/**
 * `now` is only for the expiry note: an expired certificate is still served (clients decide),
 * as every ingress controller does, but the user hears about it.
 */
export function tlsMaterial(certificates: readonly CompiledCertificate[], resources: readonly Resource[], now: Date): TlsMaterial {
  const secrets = new Map<string, Secret>();
  // Resource keys are `Secret/<namespace>/<name>`, the compiled certificates' ids.
  for (const r of resources) if (r.object.kind === 'Secret') secrets.set(r.key, r.object as Secret);
  const files = new Map<string, EdgeCertificateFile>();
  const notes: EdgeNote[] = [];
  for (const c of certificates) {
    const secret = secrets.get(c.id);
    const fail = (why: string) => notes.push({ object: c.id, severity: 'warning', message: `${c.id} cannot be used for TLS: ${why}; HTTPS for its hosts answers with a TLS alert until it is fixed` });
    if (!secret) {
      fail(`no such Secret in the revision (add a ${TLS_SECRET_TYPE} Secret named ${c.secret.name} in namespace ${c.secret.namespace}, or an issuer annotation so berth issues one)`);
      continue;
    }
    const result = readTlsSecret(secret);
    if ('error' in result) {
      fail(result.error);
      continue;
    }
    const file = { ...result, source: c.id };
    files.set(c.id, file);
    if (Date.parse(file.notAfter) <= now.getTime()) {
      notes.push({ object: c.id, severity: 'warning', message: `${c.id}: its certificate expired at ${file.notAfter}; clients will refuse it` });
    }
  }
  return { files, notes };
}

/** The edge's file for one Secret, or why it cannot be one. Exported for the views and the ACME controller. */
export function readTlsSecret(secret: Secret): Omit<EdgeCertificateFile, 'source'> | { error: string } {
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
