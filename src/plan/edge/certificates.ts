import type { EdgeCertificateRef } from '../../dataplane/edge-types.js';
import { readTlsSecret } from '../../model/tls-secret.js';
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
 * PEM, named by its SHA-256 (model/tls-secret.ts, docs/ingress.md), so a changed Secret is a new file and a new id,
 * and the fragment naming it switches every host at once. A Secret that is not there or not a
 * usable `kubernetes.io/tls` one (wrong type, key not the certificate's) gives its hosts no
 * certificate rather than a wrong one, and says why (`missing`: validation warned already).
 */
export function bindCertificates(compiled: CompiledEdge, secrets: ReadonlyMap<string, Secret>): BoundCertificates {
  const out: BoundCertificates = { ids: new Map(), refs: [], files: [], missing: [] };
  for (const c of compiled.certificates) {
    const secret = secrets.get(`${c.secret.namespace}/${c.secret.name}`);
    const source = `Secret/${c.secret.namespace}/${c.secret.name}`;
    if (!secret) {
      out.missing.push({ source, why: 'no such Secret in the revision' });
      continue;
    }
    const pair = readTlsSecret(secret);
    if ('error' in pair) {
      out.missing.push({ source, why: pair.error });
      continue;
    }
    const { id, pem } = pair;
    const hex = id.slice('sha256:'.length);
    out.ids.set(c.id, id);
    if (out.refs.some((r) => r.id === id)) continue;
    out.refs.push({ id, source });
    out.files.push({ path: `certs/sha256-${hex}.pem`, content: pem, mode: 0o600 });
  }
  return out;
}
