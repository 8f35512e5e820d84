/**
 * TLS for the edge: certificates are content-addressed files `certs/sha256-<hex>.pem` (private key
 * and chain in one PEM) that fragments name by id. A file is used only when its SHA-256 matches
 * its id, so a half-extracted upload never loads. The SNI map is built aside on each reload and
 * swapped in one assignment read by SNICallback: listeners and open TLS sessions are untouched.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import tls from 'node:tls';
import type { CompiledHost } from './edge-table.js';
import { normalizeHost } from './edge-table.js';
import { readRegularFile, UnsafeFileError } from './safe-file.js';

/** A key and chain PEM larger than this is not one. */
const MAX_CERT_FILE = 1024 * 1024;

export interface CertEntry {
  id: string;
  state: 'loaded' | 'invalid' | 'missing';
  /** DNS names of the leaf certificate (subjectAltName, else CN). */
  names: string[];
  notAfter?: string;
  error?: string;
  context?: tls.SecureContext;
  /** Key and chain PEM (loaded only): the no-SNI default context is set from them. */
  key?: string;
  cert?: string;
}

/** An unreferenced certificate file is deleted once this old (a writer uploads certs just before the fragment naming them). */
export const UNREFERENCED_CERT_MS = 10 * 60_000;

export function certFileName(id: string): string {
  return `sha256-${id.slice('sha256:'.length)}.pem`;
}

/** Loaded certificates by id; a loaded one never changes (content-addressed), others are retried. */
export class CertStore {
  private readonly loaded = new Map<string, CertEntry>();

  constructor(private readonly dir: string) {}

  async load(ids: Iterable<string>): Promise<Map<string, CertEntry>> {
    const out = new Map<string, CertEntry>();
    for (const id of ids) {
      let e = this.loaded.get(id);
      if (!e) {
        e = await this.read(id);
        if (e.state === 'loaded') this.loaded.set(id, e);
      }
      out.set(id, e);
    }
    for (const id of this.loaded.keys()) if (!out.has(id)) this.loaded.delete(id);
    return out;
  }

  /** Deletes certificate files no fragment names that are older than UNREFERENCED_CERT_MS. */
  async sweep(referenced: Set<string>, now: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const keep = new Set([...referenced].map(certFileName));
    for (const name of names) {
      if (!/^sha256-[0-9a-f]{64}\.pem$/.test(name) || keep.has(name)) continue;
      const file = join(this.dir, name);
      const st = await lstat(file).catch(() => undefined);
      if (st && now - st.mtimeMs > UNREFERENCED_CERT_MS) await unlink(file).catch(() => {});
    }
  }

  private async read(id: string): Promise<CertEntry> {
    let pem: Buffer;
    try {
      // Never through a symlink, never a FIFO: the volume's content is hostile.
      pem = await readRegularFile(join(this.dir, certFileName(id)), MAX_CERT_FILE);
    } catch (err) {
      return { id, state: err instanceof UnsafeFileError ? 'invalid' : 'missing', names: [], error: (err as Error).message };
    }
    const digest = `sha256:${createHash('sha256').update(pem).digest('hex')}`;
    if (digest !== id) return { id, state: 'invalid', names: [], error: `content hashes to ${digest}` };
    try {
      const text = pem.toString('utf8');
      const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g)];
      const key = blocks.filter((b) => b[1]!.endsWith('PRIVATE KEY')).map((b) => b[0]);
      const certs = blocks.filter((b) => b[1] === 'CERTIFICATE').map((b) => b[0]);
      if (key.length !== 1 || certs.length === 0) throw new Error('expected one private key and at least one certificate');
      const context = tls.createSecureContext({ key: key[0]!, cert: certs.join('\n') });
      const leaf = new X509Certificate(certs[0]!);
      const san = (leaf.subjectAltName ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('DNS:'))
        .map((s) => s.slice(4).toLowerCase());
      const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1];
      return { id, state: 'loaded', names: san.length > 0 ? san : cn ? [cn.toLowerCase()] : [], notAfter: new Date(leaf.validTo).toISOString(), context, key: key[0]!, cert: certs.join('\n') };
    } catch (err) {
      return { id, state: 'invalid', names: [], error: (err as Error).message };
    }
  }
}

/** Server name → secure context, with the same host precedence as the route table. */
export class SniMap {
  private readonly exact = new Map<string, tls.SecureContext>();
  private readonly oneLabel = new Map<string, tls.SecureContext>();
  private readonly suffixes: Array<{ suffix: string; context: tls.SecureContext }> = [];
  /** For clients without SNI (and hosts only the catch-all serves): the catch-all app's first certificate. */
  fallback: CertEntry | undefined;

  static build(hosts: CompiledHost[], certs: Map<string, CertEntry>, fallbackId?: string): SniMap {
    const m = new SniMap();
    const fallback = fallbackId === undefined ? undefined : certs.get(fallbackId);
    if (fallback?.context) m.fallback = fallback;
    for (const h of hosts) {
      const vh = h.vhost;
      const ctx = vh?.certificate === undefined ? undefined : certs.get(vh.certificate)?.context;
      if (!vh || !ctx || !vh.listeners.includes('https')) continue;
      if (vh.wildcard === 'one-label') m.oneLabel.set(vh.host.slice(2), ctx);
      else if (vh.wildcard === 'suffix') m.suffixes.push({ suffix: vh.host.slice(1), context: ctx });
      else m.exact.set(vh.host, ctx);
    }
    m.suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
    return m;
  }

  lookup(servername: string): tls.SecureContext | undefined {
    const name = normalizeHost(servername);
    const hit = this.exact.get(name);
    if (hit) return hit;
    const dot = name.indexOf('.');
    const one = dot > 0 ? this.oneLabel.get(name.slice(dot + 1)) : undefined;
    if (one) return one;
    for (const s of this.suffixes) if (name.length > s.suffix.length && name.endsWith(s.suffix)) return s.context;
    return undefined;
  }

  /**
   * True when a request's Host is served by another certificate than the connection was made
   * with (SNI name, or the no-SNI fallback): 421, so a certificate never fronts another host.
   */
  misdirected(servername: string | false | null | undefined, host: string | undefined): boolean {
    const fallback = this.fallback?.context;
    const made = typeof servername === 'string' && servername !== '' ? (this.lookup(servername) ?? fallback) : fallback;
    const wanted = this.lookup(host ?? '') ?? fallback;
    return made !== wanted;
  }
}

/** The certificate for clients without SNI: the first one of the app holding the catch-all. */
export function fallbackCertificate(hosts: CompiledHost[], fragments: Map<string, { certificates: Array<{ id: string }> }>): string | undefined {
  const app = hosts.find((h) => h.vhost === undefined)?.app;
  return app === undefined ? undefined : fragments.get(app)?.certificates[0]?.id;
}

/** Which certificate ids the merged table uses (only the winners' hosts). */
export function usedCertificates(hosts: CompiledHost[]): Set<string> {
  const ids = new Set<string>();
  for (const h of hosts) if (h.vhost?.certificate !== undefined) ids.add(h.vhost.certificate);
  return ids;
}
