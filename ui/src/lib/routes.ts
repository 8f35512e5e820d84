/**
 * The UI's addresses, read and written by one pair of pure functions so a link and the page it
 * opens cannot disagree. History API paths (no hash): the daemon answers every non-/api path
 * with the shell, so a reload or a pasted link opens the same page.
 */
export interface ObjectRef {
  kind: string;
  /** Absent for cluster-scoped kinds (Namespace, PersistentVolume, StorageClass). */
  namespace?: string;
  name: string;
}

export type Route =
  | { page: 'overview' }
  | { page: 'tree' }
  | { page: 'resource'; ref: ObjectRef }
  | { page: 'diff' }
  | { page: 'events' }
  | { page: 'not-found'; path: string };

const seg = (s: string) => encodeURIComponent(s);

export function routePath(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'tree':
      return '/tree';
    case 'diff':
      return '/diff';
    case 'events':
      return '/events';
    case 'resource': {
      const { kind, namespace, name } = route.ref;
      return namespace === undefined ? `/resources/${seg(kind)}/${seg(name)}` : `/resources/${seg(kind)}/${seg(namespace)}/${seg(name)}`;
    }
    case 'not-found':
      return route.path;
  }
}

export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { page: 'overview' };
  if (path === '/tree') return { page: 'tree' };
  if (path === '/diff') return { page: 'diff' };
  if (path === '/events') return { page: 'events' };
  const parts = path.split('/').slice(1);
  if (parts[0] === 'resources' && (parts.length === 3 || parts.length === 4)) {
    try {
      const [kind, a, b] = parts.slice(1).map(decodeURIComponent) as [string, string, string | undefined];
      if (kind && a && (b === undefined || b !== '')) {
        return { page: 'resource', ref: b === undefined ? { kind, name: a } : { kind, namespace: a, name: b } };
      }
    } catch {
      // A malformed %-escape is a path nobody linked to: not found, like any other.
    }
  }
  return { page: 'not-found', path };
}

/** The page a route belongs to in the navigation (a resource page sits under the tree). */
export function navSection(route: Route): 'overview' | 'tree' | 'diff' | 'events' | undefined {
  if (route.page === 'resource') return 'tree';
  return route.page === 'not-found' ? undefined : route.page;
}
