/**
 * What the host owner allows manifests to do (SPEC §8). Anything not allowed is refused at
 * validation time with file:line, so a forbidden manifest applies nothing.
 */
export interface HostPolicy {
  allowPrivileged: boolean;
  allowHostNetwork: boolean;
  /** Absolute path prefixes hostPath volumes may use; empty = hostPath refused. */
  hostPathPrefixes: readonly string[];
}

export const DEFAULT_HOST_POLICY: HostPolicy = Object.freeze({
  allowPrivileged: false,
  allowHostNetwork: false,
  hostPathPrefixes: Object.freeze([]) as readonly string[],
});

/** True when `path` is one of the prefixes or below one (component-wise, so /srv2 is not under /srv). */
export function hostPathAllowed(policy: HostPolicy, path: string): boolean {
  const norm = path.replace(/\/+$/, '') || '/';
  if (norm.split('/').includes('..')) return false;
  return policy.hostPathPrefixes.some((prefix) => {
    const p = prefix.replace(/\/+$/, '') || '/';
    return p === '/' || norm === p || norm.startsWith(`${p}/`);
  });
}
