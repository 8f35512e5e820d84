/**
 * Assembles the compiled table from what the Ingress and Gateway API compilers contribute:
 * virtual hosts merged by (host, wildcard flavour), routes sorted by the one precedence
 * comparator, backends and certificates deduplicated by id, ids made unique in the fragment.
 */
import type { EdgeRoute } from '../../dataplane/edge-types.js';
import type { CompiledBackend, CompiledCertificate, CompiledEdge, CompiledVirtualHost, EdgeNote } from './compiled.js';
import type { WildcardFlavour } from './hosts.js';
import { compareVirtualHosts } from './hosts.js';
import type { RouteEntry } from './precedence.js';
import { compareRoutes, sameMatch } from './precedence.js';

/** Who set a virtual host's certificate, for a deterministic winner when two objects disagree. */
interface CertificateClaim {
  id: string;
  object: string;
  createdAt?: string;
  redirect: boolean;
}

interface HostDraft {
  host: string;
  wildcard?: WildcardFlavour;
  listeners: Set<'http' | 'https'>;
  certificate?: CertificateClaim;
  routes: RouteEntry[];
}

export const CATCH_ALL_HOST = '*';

export class TableBuilder {
  private readonly hosts = new Map<string, HostDraft>();
  private readonly backends = new Map<string, CompiledBackend>();
  private readonly certificates = new Map<string, CompiledCertificate>();
  private catchAll: RouteEntry[] | undefined;
  readonly notes: EdgeNote[] = [];

  private draft(host: string, wildcard: WildcardFlavour | undefined): HostDraft {
    const key = `${host}|${wildcard ?? ''}`;
    let d = this.hosts.get(key);
    if (!d) {
      d = { host, wildcard, listeners: new Set(), routes: [] };
      this.hosts.set(key, d);
    }
    return d;
  }

  /** Declares a virtual host served on `listener` (routes may come from other objects). */
  listen(host: string, wildcard: WildcardFlavour | undefined, listener: 'http' | 'https'): void {
    this.draft(host, wildcard).listeners.add(listener);
  }

  /** Adds a route to a host, or to the catch-all when host is CATCH_ALL_HOST. */
  route(host: string, wildcard: WildcardFlavour | undefined, entry: RouteEntry): void {
    if (host === CATCH_ALL_HOST) {
      this.catchAll ??= [];
      if (!this.catchAll.some((e) => e.route.id === entry.route.id)) this.catchAll.push(entry);
      return;
    }
    const d = this.draft(host, wildcard);
    if (!d.routes.some((e) => e.route.id === entry.route.id)) d.routes.push(entry);
  }

  /** A certificate for a host; when two objects name different ones, the older (then smaller name) wins. */
  certificate(host: string, wildcard: WildcardFlavour | undefined, cert: CompiledCertificate, claim: Omit<CertificateClaim, 'id'>): void {
    this.certificates.set(cert.id, cert);
    const d = this.draft(host, wildcard);
    d.listeners.add('https');
    const next: CertificateClaim = { id: cert.id, ...claim };
    const current = d.certificate;
    if (!current) d.certificate = next;
    else if (current.id !== next.id) {
      const [win, lose] = older(next, current) ? [next, current] : [current, next];
      d.certificate = win;
      this.notes.push({ object: lose.object, severity: 'warning', reason: 'CertificateConflict', message: `host ${host} already has certificate ${win.id} from ${win.object}; ${lose.id} is not used for it` });
    } else if (older(next, current)) d.certificate = { ...next };
  }

  backend(b: CompiledBackend): string {
    if (!this.backends.has(b.id)) this.backends.set(b.id, b);
    return b.id;
  }

  finish(): CompiledEdge {
    const virtualHosts: CompiledVirtualHost[] = [];
    const placed: Array<{ list: EdgeRoute[]; host: string }> = [];
    for (const d of this.hosts.values()) {
      if (d.listeners.size === 0 && d.routes.length === 0) continue;
      // A host only routes declare (no listener yet) is served on plain HTTP.
      const listeners = d.listeners.size === 0 ? new Set<'http' | 'https'>(['http']) : d.listeners;
      const vh: CompiledVirtualHost = { host: d.host, listeners: (['http', 'https'] as const).filter((l) => listeners.has(l)), routes: this.ordered(d.routes, d.host) };
      if (d.wildcard) vh.wildcard = d.wildcard;
      if (d.certificate) {
        vh.certificate = d.certificate.id;
        if (d.certificate.redirect) vh.redirectToHttps = true;
      }
      virtualHosts.push(vh);
      placed.push({ list: vh.routes, host: d.host });
    }
    virtualHosts.sort(compareVirtualHosts);
    const edge: CompiledEdge = {
      virtualHosts,
      backends: [...this.backends.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      certificates: [...this.certificates.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    };
    if (this.catchAll) {
      edge.catchAll = { routes: this.ordered(this.catchAll, CATCH_ALL_HOST) };
      placed.push({ list: edge.catchAll.routes, host: CATCH_ALL_HOST });
    }
    uniqueIds(placed);
    return edge;
  }

  private ordered(entries: RouteEntry[], host: string): EdgeRoute[] {
    const sorted = [...entries].sort(compareRoutes);
    // A route that matches exactly what an earlier one matches is never reached: say so once.
    sorted.forEach((e, i) => {
      if (e.fallback) return;
      const winner = sorted.slice(0, i).find((w) => !w.fallback && sameMatch(w.route, e.route));
      if (winner && winner.object !== e.object)
        this.notes.push({ object: e.object, severity: 'warning', reason: 'RouteShadowed', message: `on host ${host}, ${describeMatch(e.route)} is also routed by ${winner.object}, which takes precedence (older, or first by namespace/name); this route is never used` });
    });
    return sorted.map((e) => e.route);
  }
}

function older(a: Omit<CertificateClaim, 'id'>, b: Omit<CertificateClaim, 'id'>): boolean {
  if (a.createdAt !== b.createdAt) {
    if (a.createdAt === undefined) return false;
    if (b.createdAt === undefined) return true;
    return a.createdAt < b.createdAt;
  }
  return a.object < b.object;
}

function describeMatch(r: EdgeRoute): string {
  return `${r.path.type} path ${r.path.value}${r.method ? ` (${r.method})` : ''}`;
}

/** A route placed on several hosts (a defaultBackend, an HTTPRoute with two hostnames) gets `@host`. */
function uniqueIds(placed: Array<{ list: EdgeRoute[]; host: string }>): void {
  const count = new Map<string, number>();
  for (const p of placed) for (const r of p.list) count.set(r.id, (count.get(r.id) ?? 0) + 1);
  for (const p of placed)
    p.list.forEach((r, i) => {
      if ((count.get(r.id) ?? 0) > 1) p.list[i] = { ...r, id: `${r.id}@${p.host}` };
    });
}
