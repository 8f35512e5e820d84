import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { secretsEqual } from './webhook.js';
import { isLoopbackHost } from '../../model/image-ref.js';

/**
 * The request checks every route of the daemon's API goes through, in one place (SPEC §8:
 * "the API checks Host and Origin, refuses unauthenticated writes, and guards reads with the
 * token when one is set"). Pure: headers in, a refusal or nothing out; the server applies it
 * before any handler runs.
 *
 * Why each check exists:
 * - Host: any web page the operator visits can reach a loopback API. Through DNS rebinding a
 *   page at `attacker.example` makes its own name resolve to 127.0.0.1, and the browser then
 *   treats the API as same-origin and lets the page read the answers. The browser still sends
 *   `Host: attacker.example`, so only names the operator chose (and the listen address) are
 *   served. An IP literal cannot be rebound (a page at http://1.2.3.4/ is that host's own
 *   origin), which is why a wildcard listener accepts IP literals.
 * - Origin and Sec-Fetch-Site: a cross-site page may still *send* requests (forms, no-cors
 *   fetch) without reading the answer; a write must never be one of them.
 * - The non-simple marker: browsers that send neither header (old ones, some redirects) can
 *   still only send "simple" requests cross-site: a form or no-cors fetch cannot set
 *   `Content-Type: application/json` or a custom header without a CORS preflight, which this
 *   API never approves (it sends no CORS headers). So a tokenless write must carry one.
 * - The token: when one is set, it guards everything but the health probes.
 */

export interface HostPolicy {
  /** Host names (lowercase, IPv6 in brackets) served, from the listen address and --api-host. */
  names: ReadonlySet<string>;
  /** A wildcard listener (0.0.0.0, ::) serves every address of the host: any IP literal. */
  anyAddress: boolean;
}

/**
 * `privileged-read` and `privileged-write` are `read` and `write` for what reaches into the
 * containers or changes the workloads (exec, logs, rollout and scale actions): they also need
 * the daemon to have a token. Without one, the loopback API is open to every local user and
 * process (browsers are kept out by the Host and Origin checks, a local program is not), and
 * that must not hand out a shell in every container, as reading status or asking for a sync
 * never could.
 */
export type RouteAccess = 'open' | 'read' | 'write' | 'privileged-read' | 'privileged-write' | 'webhook';

export interface GuardOptions {
  hosts: HostPolicy;
  /** Bearer token; when set, every route but `open` ones and the webhook needs it. */
  token?: string;
}

export type Refusal = { status: 400 | 401 | 403 | 421; error: string; wwwAuthenticate?: true };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** The custom header a non-browser client may send instead of a JSON content type. */
export const CSRF_HEADER = 'x-berth-request';

/**
 * Names served for a server bound to `address` (what the socket reports: an IP, or `::`/
 * `0.0.0.0`), plus the operator's `--api-host` names. A loopback listener answers to
 * `localhost`, `127.0.0.1` and `[::1]` too (all three reach it from the same machine).
 */
export function hostPolicy(address: string, configured: readonly string[] = []): HostPolicy {
  const names = new Set<string>();
  for (const n of configured) {
    const parsed = parseHostHeader(n);
    if (parsed) names.add(parsed.hostname);
  }
  const anyAddress = address === '0.0.0.0' || address === '::';
  if (!anyAddress) names.add(bracket(address.toLowerCase()));
  if (anyAddress || isLoopbackHost(address)) for (const n of LOOPBACK_NAMES) names.add(n);
  return { names, anyAddress };
}

/** Why `configured` is not a usable --api-host value, or undefined when it is. */
export function invalidApiHost(configured: string): string | undefined {
  const parsed = parseHostHeader(configured);
  if (!parsed || parsed.port !== undefined) return 'a host name or IP address without scheme, port or path (e.g. berth.example.com)';
  return undefined;
}

function bracket(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

/** `name`, `name:port`, `1.2.3.4:port`, `[::1]:port`; undefined when it is none of them. */
export function parseHostHeader(value: string): { hostname: string; port?: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/\\@?#]+)(?::([0-9]{1,5}))?$/.exec(value);
  if (!m) return undefined;
  let hostname = m[1]!.toLowerCase().replace(/\.$/, '');
  if (hostname.startsWith('[')) {
    if (isIP(hostname.slice(1, -1)) !== 6) return undefined;
  } else if (!/^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$/.test(hostname)) return undefined;
  if (hostname === '') return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  hostname = hostname.startsWith('[') ? `[${hostname.slice(1, -1)}]` : hostname;
  return port === undefined ? { hostname } : { hostname, port };
}

function hostAllowed(policy: HostPolicy, hostname: string): boolean {
  if (policy.names.has(hostname)) return true;
  const literal = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return policy.anyAddress && isIP(literal) !== 0;
}

/**
 * Same origin as the request's Host: an http(s) Origin whose host and port are the Host's
 * (the port defaulting by the Origin's scheme when either leaves it out). A page on another
 * port of localhost is another origin: it must not write.
 */
function sameOrigin(origin: string, host: { hostname: string; port?: number }): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.pathname !== '/' || u.username || u.password) return false;
  const defaultPort = u.protocol === 'https:' ? 443 : 80;
  const originPort = u.port === '' ? defaultPort : Number(u.port);
  return u.hostname.toLowerCase() === host.hostname && originPort === (host.port ?? defaultPort);
}

/**
 * A WebSocket handshake from another site (the exec socket): an Origin that is not this API's
 * own. Browsers always send Origin on a WebSocket handshake, and the same-origin policy does not
 * apply to WebSockets, so this is the check that keeps a foreign page off the socket. A client
 * that sends no Origin is not a browser, and still needs a ticket.
 */
export function foreignOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = one(headers, 'origin');
  if (origin === undefined) return false;
  const host = parseHostHeader(one(headers, 'host') ?? '');
  return !host || !sameOrigin(origin, host);
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Media type of the Content-Type header without parameters, lowercase. */
function mediaType(headers: IncomingHttpHeaders): string {
  return (one(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(one(headers, 'authorization') ?? '');
  return m?.[1];
}

/**
 * The one check every request passes before its handler: undefined lets it through. `access`
 * is undefined for a path no route serves (only the Host check applies: a 404 reveals
 * nothing a foreign page may not know, but a foreign name is refused before anything).
 */
export function guardRequest(method: string, headers: IncomingHttpHeaders, access: RouteAccess | undefined, options: GuardOptions): Refusal | undefined {
  // Duplicate Host headers are refused by node itself; a missing one is HTTP/1.0 or a forgery.
  const rawHost = one(headers, 'host');
  const host = rawHost === undefined ? undefined : parseHostHeader(rawHost);
  if (!host || !hostAllowed(options.hosts, host.hostname))
    return { status: 421, error: 'this API does not answer to that Host header; name it with --api-host (allowedHosts in the config file) if it is one of this host\'s names' };
  if (access === undefined || access === 'open') return undefined;
  if ((access === 'privileged-read' || access === 'privileged-write') && !options.token)
    return { status: 403, error: 'exec, logs and actions need the daemon to run with an API token (--token-file): without one, any local user could use them' };
  const safe = method === 'GET' || method === 'HEAD';
  if (!safe && access !== 'webhook') {
    const site = one(headers, 'sec-fetch-site');
    const origin = one(headers, 'origin');
    if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !sameOrigin(origin, host)))
      return { status: 403, error: 'cross-origin writes are refused' };
    if (!options.token && mediaType(headers) !== 'application/json' && one(headers, CSRF_HEADER) === undefined)
      return { status: 403, error: `a write needs Content-Type: application/json or an ${CSRF_HEADER} header (a web page's form cannot send either)` };
  }
  if (options.token && access !== 'webhook') {
    const given = bearer(headers);
    if (given === undefined || !secretsEqual(given, options.token)) return { status: 401, error: 'a valid bearer token is required', wwwAuthenticate: true };
  }
  return undefined;
}
