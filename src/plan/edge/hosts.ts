/**
 * Host names as the edge compares them: lower-case, no trailing dot. A leading `*.` is a
 * wildcard whose meaning depends on the API: an Ingress `*.x` matches exactly one label
 * (`a.x`, not `a.b.x`), a Gateway API `*.x` any non-empty run of labels (`a.x` and `a.b.x`);
 * neither matches `x` itself.
 */
import type { EdgeVirtualHost } from '../../dataplane/edge-types.js';

export type WildcardFlavour = NonNullable<EdgeVirtualHost['wildcard']>;

export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

export function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/** Whether `host` (a name or a wildcard) is covered by `pattern`, read with the given flavour. */
export function hostCovers(pattern: string, host: string, flavour: WildcardFlavour): boolean {
  if (pattern === host) return true;
  if (!isWildcard(pattern)) return false;
  const suffix = pattern.slice(1); // `.x`
  if (!host.endsWith(suffix) || host.length <= suffix.length) return false;
  const head = host.slice(0, host.length - suffix.length);
  if (flavour === 'suffix') return true;
  // One label: the part before the suffix is one label (or, for a wildcard host, `*` itself).
  return !head.includes('.');
}

/**
 * The Gateway API's intersection of a listener hostname and a route hostname (both suffix
 * wildcards when they start with `*.`): the more specific of the two when one covers the
 * other, else none. An absent side matches everything.
 */
export function intersectHostnames(listener: string | undefined, route: string | undefined): string | undefined | null {
  if (listener === undefined) return route;
  if (route === undefined) return listener;
  if (hostCovers(listener, route, 'suffix')) return route;
  if (hostCovers(route, listener, 'suffix')) return listener;
  return null;
}

/** Exact hosts first (alphabetical), then wildcards by length, longest first; one-label before suffix. */
export function compareVirtualHosts(a: EdgeVirtualHost, b: EdgeVirtualHost): number {
  const wa = isWildcard(a.host) ? 1 : 0;
  const wb = isWildcard(b.host) ? 1 : 0;
  if (wa !== wb) return wa - wb;
  if (wa === 1 && a.host.length !== b.host.length) return b.host.length - a.host.length;
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  return (a.wildcard === 'suffix' ? 1 : 0) - (b.wildcard === 'suffix' ? 1 : 0);
}
