/**
 * What the edge accepts from the internet before routing (docs/security.md "Edge"): one Host
 * that is a DNS name or IP literal with an optional port, an origin-form target (or an
 * absolute-form one naming the same host), and a path that is matched and forwarded in its
 * normalized form, so a route only ever sees requests its normalized path matches:
 * - percent-encoded unreserved characters are decoded (`/%61dmin` is `/admin`), other escapes
 *   upper-cased; `%2F`, `%5C`, `%00`, a raw `\` and control bytes are refused (400), because
 *   backends disagree on whether they separate segments (Envoy's REJECT_REQUEST choice);
 * - dot segments are removed (RFC 3986 §5.2.4; `%2e` included) and `//` merged (nginx's
 *   merge_slashes), so `/public/../admin` is `/admin`;
 * - a fragment is dropped; the query is kept as sent.
 */
// protocol-validate's helper, not node:net: the planner reaches this file through the validator.
import { isIpAddress } from './protocol-validate.js';

/**
 * Headers a route's RequestHeaderModifier may not touch: they frame the message or the
 * connection, so setting one (Content-Length: 0 on a request with a body) would make the backend
 * read the rest as another request on a pooled connection. Refused by the validator, skipped
 * when applying.
 */
export const PROTECTED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

export interface Authority {
  /** Lower case, no trailing dot; IPv6 literals keep their brackets. */
  host: string;
  port?: number;
}

const REG_NAME = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?\.?$/;

/** A Host header value (or a target's authority), or undefined when it is not one. */
export function parseAuthority(raw: string): Authority | undefined {
  const v = raw.toLowerCase();
  let host: string;
  let rest: string;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end < 0 || !v.slice(1, end).includes(':') || !isIpAddress(v.slice(1, end))) return undefined;
    host = v.slice(0, end + 1);
    rest = v.slice(end + 1);
  } else {
    const colon = v.indexOf(':');
    host = colon < 0 ? v : v.slice(0, colon);
    rest = colon < 0 ? '' : v.slice(colon);
    if (!REG_NAME.test(host) || host.includes('..')) return undefined;
    if (host.endsWith('.')) host = host.slice(0, -1);
  }
  if (rest === '') return { host };
  if (!/^:\d{1,5}$/.test(rest)) return undefined;
  const port = Number(rest.slice(1));
  return port >= 1 && port <= 65_535 ? { host, port } : undefined;
}

export type Target = { ok: true; path: string; query: string } | { ok: false; reason: string };

/**
 * The request target split and normalized. `host` is the parsed Host header: an absolute-form
 * target must name the same host, so routing by Host and the backend's view agree.
 */
export function parseTarget(target: string, host: Authority): Target {
  let t = target;
  if (!t.startsWith('/')) {
    const m = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(t);
    if (!m) return { ok: false, reason: 'the request target must be a path or an http(s) URL' };
    const authority = parseAuthority(m[2]!);
    if (!authority || authority.host !== host.host) return { ok: false, reason: 'the request target names another host than Host' };
    t = m[3]!.startsWith('/') ? m[3]! : `/${m[3]!}`;
  }
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const rawPath = q < 0 ? t : t.slice(0, q);
  const path = normalizePath(rawPath);
  if (path === undefined) return { ok: false, reason: 'the request path holds an encoded slash, backslash, NUL, control byte or bad escape' };
  return { ok: true, path, query: q < 0 ? '' : t.slice(q + 1) };
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** The normalized path (see the file comment), or undefined when it must be refused. */
export function normalizePath(raw: string): string | undefined {
  let decoded = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const code = raw.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || c === '\\') return undefined;
    if (c !== '%') {
      decoded += c;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    const ch = String.fromCharCode(parseInt(hex, 16));
    const up = hex.toUpperCase();
    if (up === '2F' || up === '5C' || up === '00') return undefined;
    decoded += UNRESERVED.test(ch) ? ch : `%${up}`;
    i += 2;
  }
  return removeDotSegments(decoded);
}

function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  for (const s of segments) {
    if (s === '..') out.pop();
    else if (s !== '.' && s !== '') out.push(s);
  }
  const last = segments.at(-1);
  // A trailing `/` (or a final dot segment, which names a directory) is kept: `/a/` is not `/a`.
  const slash = out.length > 0 && (last === '' || last === '.' || last === '..') ? '/' : '';
  return `/${out.join('/')}${slash}`;
}
