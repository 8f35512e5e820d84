import { normalizePath, PROTECTED_HEADERS } from '../../dataplane/edge-request.js';
import { quote } from '../../model/excerpt.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkHostname, checkRoutePath, HEADER_NAME } from './edge-names.js';
import type { Rec } from './values.js';
import { arr, rec, str } from './values.js';

// Values berth's edge refuses in its route fragment (dataplane/edge-validate.ts) that a manifest
// can carry past the Kubernetes and Gateway API rules. The edge refuses a whole app's routing when
// one value is bad, at write time; refusing the manifest here names the field instead, and nothing
// is applied. test/manifests/edge-values.test.ts holds one row per value, and a parity test that
// every manifest passing these checks compiles to a fragment the edge accepts.

/** The Gateway API's HTTPPathMatch value pattern for Exact and PathPrefix (a CEL rule of the CRD). */
const GATEWAY_PATH = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
/** The Gateway API's PreciseHostname (redirect and rewrite hostnames): no wildcard. */
const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** What Node.js writes in a header value (edge-validate.ts): tabs and printable Latin-1. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** The longest timeout the edge takes, in milliseconds: Node's timers hold a signed 32-bit delay. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** A host name as the API checks it, then as DNS (and the edge) does: no label over 63 characters. */
export function checkEdgeHostname(host: string): string | undefined {
  const err = checkHostname(host);
  if (err) return err;
  const long = host.split('.').find((l) => l.length > 63);
  return long ? `its label ${quote(long)} is ${long.length} characters long; a DNS label holds at most 63, and berth's edge refuses the name` : undefined;
}

/** A redirect or rewrite hostname: the Gateway API's PreciseHostname, within DNS limits. */
export function checkPreciseHostname(host: string): string | undefined {
  if (host.length > 253 || !PRECISE_HOSTNAME.test(host)) return "must be a lower-case DNS name without a wildcard (the Gateway API's PreciseHostname), such as 'www.example.com'";
  return checkEdgeHostname(host);
}

/**
 * A route path match: the API's rules (edge-names.ts; for an HTTPRoute its character pattern
 * too), then the edge's. An ImplementationSpecific Ingress path only has to be absolute for the
 * API; the edge's rules apply to it all the same.
 */
export function checkEdgePath(path: string, api: 'ingress' | 'ingress-implementation-specific' | 'gateway'): string | undefined {
  if (api === 'ingress-implementation-specific') {
    if (!path.startsWith('/')) return "must be an absolute path (start with '/')";
  } else {
    const err = checkRoutePath(path, api === 'gateway');
    if (err) return err;
    if (api === 'gateway' && !GATEWAY_PATH.test(path))
      return "must only hold the characters the Gateway API allows (letters, digits, -._~!$&'()*+,;=:@/ and %XX escapes); percent-encode the others";
  }
  return edgePathRefusal(path);
}

/** Why the edge refuses a path it would match or write (edge-validate.ts isPath and normalizePath), or undefined. */
function edgePathRefusal(path: string): string | undefined {
  if (!/^[\x21-\x7e]*$/.test(path)) return "holds a space, a control character or a non-ASCII character; berth's edge matches printable ASCII paths only: percent-encode it (a space is %20)";
  if (/[?#]/.test(path)) return "holds '?' or '#'; a path never holds the query or the fragment (match the query with queryParams)";
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) return "holds a '%' that does not start a two-hex-digit escape; write %25 for a literal '%'";
  if (path.includes('\\') || normalizePath(path) === undefined)
    return "holds '\\' or an escaped '/', '\\' or NUL (%2F, %5C, %00); berth's edge refuses every request whose path holds one, because backends disagree on whether it separates segments (path confusion, request smuggling), so this route could never match: remove it";
  return undefined;
}

/** A ReplaceFullPath or ReplacePrefixMatch value: written into the request line or Location as is. */
function pathModifierRefusal(value: string, prefix: boolean): string | undefined {
  if (!value.startsWith('/'))
    return `must be an absolute path (start with '/'); berth's edge writes it into the request line or the Location header${prefix ? " (write '/' to remove the matched prefix)" : ''}`;
  if (!/^[\x21-\x7e]*$/.test(value)) return "holds a space, a control character or a non-ASCII character; berth's edge writes printable ASCII paths only: percent-encode it (a space is %20)";
  if (/[?#\\]/.test(value)) return "holds '?', '#' or '\\'; berth's edge writes the value as the path, where they would change what the backend or the client reads";
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return "holds a '%' that does not start a two-hex-digit escape; write %25 for a literal '%'";
  return undefined;
}

/** Why the edge refuses a header (or query parameter) value, or undefined. */
function headerValueRefusal(value: string, query = false): string | undefined {
  if (HEADER_VALUE.test(value)) return undefined;
  return query
    ? "holds a control character or a character outside Latin-1; berth's edge compares query values as Latin-1 text and refuses it"
    : "holds a control character (a line break, NUL) or a character outside Latin-1; berth's edge refuses it: Node.js cannot write it in a header, and a line break would inject headers toward the backend";
}

/** Header and query parameter matches of one HTTPRoute match: names and values the edge compares. */
export function checkEdgeMatchValues(m: Rec, path: Path, r: Reporter): void {
  for (const list of ['headers', 'queryParams'] as const) {
    arr(m[list]).forEach((h, i) => {
      const match = rec(h);
      if (!match || str(match.type) === 'RegularExpression') return;
      const name = str(match.name);
      if (list === 'queryParams' && name !== undefined && !HEADER_NAME.test(name))
        r.report('invalid-value', [...path, list, i, 'name'], `query parameter name ${quote(name)} is not valid: the Gateway API takes letters, digits and !#$%&'*+-.^_\`|~ only`);
      const value = str(match.value);
      const err = value !== undefined ? headerValueRefusal(value, list === 'queryParams') : undefined;
      if (err) r.report('invalid-value', [...path, list, i, 'value'], `${list === 'headers' ? 'header' : 'query parameter'} value ${quote(value!)} ${err}`);
    });
  }
}

/** The values of a served filter (`modifier` is its requestHeaderModifier, requestRedirect or urlRewrite). */
export function checkEdgeFilterValues(type: string, modifier: Rec | undefined, path: Path, r: Reporter): void {
  if (!modifier) return;
  if (type === 'RequestHeaderModifier') {
    for (const list of ['set', 'add', 'remove'] as const)
      arr(modifier[list]).forEach((h, i) => {
        const name = list === 'remove' ? str(h) : str(rec(h)?.name);
        if (name !== undefined && PROTECTED_HEADERS.has(name.toLowerCase()))
          r.report('invalid-value', [...path, list, i], `header ${quote(name)} frames the message or the connection, which is the edge's own to write; berth's edge refuses to ${list} it, because a changed framing header would let one request smuggle another toward the backend on a shared connection`, { at: 'key' });
        const value = list === 'remove' ? undefined : str(rec(h)?.value);
        const err = value !== undefined ? headerValueRefusal(value) : undefined;
        if (err) r.report('invalid-value', [...path, list, i, 'value'], `header value ${quote(value!)} ${err}`);
      });
    return;
  }
  if (type !== 'RequestRedirect' && type !== 'URLRewrite') return;
  const hostname = str(modifier.hostname);
  const hostErr = hostname !== undefined ? checkPreciseHostname(hostname) : undefined;
  if (hostErr) r.report('invalid-host', [...path, 'hostname'], `hostname ${quote(hostname!)} ${hostErr}`);
  const p = rec(modifier.path);
  for (const field of ['replaceFullPath', 'replacePrefixMatch'] as const) {
    const value = str(p?.[field]);
    const err = value !== undefined ? pathModifierRefusal(value, field === 'replacePrefixMatch') : undefined;
    if (err) r.report('invalid-value', [...path, 'path', field], `${field} ${quote(value!)} ${err}`);
  }
}

/** A rule's timeouts in milliseconds (already known to be Gateway API durations): the edge's ceiling. */
export function checkEdgeTimeout(field: string, text: string, ms: number, path: Path, r: Reporter): void {
  if (ms > MAX_TIMEOUT_MS)
    r.report('invalid-value', path, `${field} ${quote(text)} is longer than berth's edge can wait (${MAX_TIMEOUT_MS} ms, about 24.8 days, the longest delay Node.js timers hold); use a shorter one, or 0s for none`);
}
