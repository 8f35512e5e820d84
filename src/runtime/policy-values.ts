import { isIP } from 'node:net';
import { posix } from 'node:path';
import { normalizeCapability } from '../model/pod-policy.js';

/**
 * The values a host policy lists (flags and the daemon's config keys), checked once where the
 * operator gives them: a value that can never match anything (a relative or unnormalised path,
 * a misspelt capability, a URL where a host name goes) would otherwise pass silently as a
 * policy that allows nothing, or something else than meant. Each returns why the value is
 * refused, phrased to follow the flag or key, or undefined when it is fine.
 */

/** hostPath prefixes are compared component-wise with absolute, normalised hostPaths. */
export function hostPathPrefixProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must be an absolute path (starting with /), such as /srv/data';
  // posix.normalize keeps a trailing slash; it removes //, /./ and resolves /../.
  if (posix.normalize(value) !== value) return `must be a normalized absolute path (no //, . or .. components), such as ${posix.normalize(value).replace(/(.)\/$/, '$1')}`;
  return undefined;
}

/** Like pod-policy's normalizeCapability; ALL is what --allow-privileged says. */
export function capabilityProblem(value: string): string | undefined {
  const n = normalizeCapability(value);
  if (n === undefined) return 'is not a Linux capability (e.g. NET_ADMIN, SYS_TIME; a CAP_ prefix is optional)';
  if (n === 'ALL') return 'means every capability, which is what --allow-privileged (host policy allowPrivileged) allows; use that instead';
  return undefined;
}

/**
 * A sysctl name (`net.core.somaxconn`, or with slashes `net/core/somaxconn`), or a prefix ending
 * in `*` (`net.core.*`, `kernel.msg*`), or `*` alone. A `*` anywhere else would be taken literally.
 */
const SYSCTL = /^(\*|[A-Za-z0-9_-]+([./][A-Za-z0-9_-]+)*([./]?\*)?)$/;

export function sysctlPatternProblem(value: string): string | undefined {
  if (SYSCTL.test(value)) return undefined;
  return 'must be a sysctl name such as net.core.somaxconn, or a prefix ending in * such as net.core.* (a * only at the end)';
}

/** Probe hosts are compared with httpGet.host / tcpSocket.host: a host name or an IP address, nothing more. */
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/;

export function probeHostProblem(value: string): string | undefined {
  if (value === '*') return undefined;
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0 || HOST_NAME.test(value)) return undefined;
  return 'must be a host name or an IP address as a probe names it in httpGet.host or tcpSocket.host (no scheme, port or path), or * for any host';
}
