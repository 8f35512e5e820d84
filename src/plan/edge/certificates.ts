import { createHash } from 'node:crypto';
import type { EdgeCertificateRef } from '../../dataplane/edge-types.js';
import type { Secret } from '../../model/types.js';
import type { CompiledEdge } from './compiled.js';

/** A file for the edge's volume, uploaded in the same archive as the fragment and before it. */
export interface EdgeFile {
  /** Relative to the edge's config dir: `certs/sha256-<hex>.pem`. */
  path: string;
  content: string;
  mode: number;
}

export interface BoundCertificates {
  /** Compiled certificate id (`Secret/ns/name`) → the content-addressed id the fragment names. */
  ids: Map<string, string>;
  refs: EdgeCertificateRef[];
  files: EdgeFile[];
  /** Why a certificate the table names could not be made (the host then has none: a TLS alert). */
  missing: Array<{ source: string; why: string }>;
}

/**
 * The TLS Secrets the route table names, as the edge loads them: private key then chain in one
 * PEM, named by its SHA-256 (docs/ingress.md), so a changed Secret is a new file and a new id,
 * and the fragment naming it switches every host at once. A Secret that is not there or not a
 * usable `kubernetes.io/tls` one gives its hosts no certificate rather than a wrong one.
 */
export function bindCertificates(compiled: CompiledEdge, secrets: ReadonlyMap<string, Secret>): BoundCertificates {
  const out: BoundCertificates = { ids: new Map(), refs: [], files: [], missing: [] };
  for (const c of compiled.certificates) {
    const secret = secrets.get(`${c.secret.namespace}/${c.secret.name}`);
    const source = `Secret/${c.secret.namespace}/${c.secret.name}`;
    const crt = decoded(secret?.data?.['tls.crt']);
    const key = decoded(secret?.data?.['tls.key']);
    if (!secret || !crt || !key) {
      out.missing.push({ source, why: !secret ? 'no such Secret in the revision' : 'the Secret has no tls.crt and tls.key' });
      continue;
    }
    const pem = `${key.trim()}\n${crt.trim()}\n`;
    const hex = createHash('sha256').update(pem).digest('hex');
    const id = `sha256:${hex}`;
    out.ids.set(c.id, id);
    if (out.refs.some((r) => r.id === id)) continue;
    out.refs.push({ id, source });
    out.files.push({ path: `certs/sha256-${hex}.pem`, content: pem, mode: 0o600 });
  }
  return out;
}

function decoded(b64: string | undefined): string | undefined {
  if (!b64) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  return text.includes('-----BEGIN') ? text : undefined;
}
