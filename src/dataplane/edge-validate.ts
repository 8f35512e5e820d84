/**
 * Validation of an edge fragment (edge-types.ts), hand-written like protocol-validate.ts (the
 * image has no node_modules). Returns every problem as `path: message`; empty means valid.
 * Unknown fields are ignored so an older edge accepts a newer writer's additions.
 */
import { eachOf, isDnsName, isInt, isIpAddress, isRecord } from './protocol-validate.js';
import { normalizePath, PROTECTED_HEADERS } from './edge-request.js';

type Problems = string[];

const CERT_ID = /^sha256:[0-9a-f]{64}$/;
const APP = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REDIRECT_CODES = [301, 302, 303, 307, 308];
export const MAX_WEIGHT = 1_000_000;

export function validateEdgeConfig(payload: unknown): Problems {
  const p: Problems = [];
  if (!isRecord(payload)) return ['payload: must be an object'];
  if (typeof payload.app !== 'string' || !APP.test(payload.app)) p.push('payload.app: must be a DNS-1123 label');
  const certIds = new Set<string>();
  eachOf(payload.certificates, 'payload.certificates', p, (c, at) => {
    if (!isRecord(c)) return p.push(`${at}: must be an object`);
    if (typeof c.id !== 'string' || !CERT_ID.test(c.id)) p.push(`${at}.id: must be sha256:<64 lower-case hex digits>`);
    else if (certIds.has(c.id)) p.push(`${at}.id: duplicate certificate ${c.id}`);
    else certIds.add(c.id);
    if (typeof c.source !== 'string') p.push(`${at}.source: must be a string`);
  });
  const backendIds = new Set<string>();
  eachOf(payload.backends, 'payload.backends', p, (b, at) => {
    if (!isRecord(b)) return p.push(`${at}: must be an object`);
    if (typeof b.id !== 'string' || b.id === '') p.push(`${at}.id: must be a non-empty string`);
    else if (backendIds.has(b.id)) p.push(`${at}.id: duplicate backend ${JSON.stringify(b.id)}`);
    else backendIds.add(b.id);
    const svc = b.service;
    if (!isRecord(svc) || typeof svc.namespace !== 'string' || typeof svc.name !== 'string' || !isInt(svc.port, 1, 65_535)) {
      p.push(`${at}.service: must be {namespace, name, port 1..65535}`);
    }
    if (b.invalid !== undefined && typeof b.invalid !== 'string') p.push(`${at}.invalid: must be a string`);
    const names = new Set<string>();
    eachOf(b.endpoints, `${at}.endpoints`, p, (ep, epAt) => {
      if (!isRecord(ep)) return p.push(`${epAt}: must be an object`);
      if (typeof ep.name !== 'string' || ep.name === '') p.push(`${epAt}.name: must be a non-empty string`);
      else if (names.has(ep.name)) p.push(`${epAt}.name: duplicate endpoint ${JSON.stringify(ep.name)}`);
      else names.add(ep.name);
      if (typeof ep.ip !== 'string' || !isIpAddress(ep.ip)) p.push(`${epAt}.ip: must be an IPv4 or IPv6 address`);
      if (!isInt(ep.port, 1, 65_535)) p.push(`${epAt}.port: must be an integer from 1 to 65535`);
      if (typeof ep.ready !== 'boolean') p.push(`${epAt}.ready: must be true or false`);
    });
  });
  const routeIds = new Set<string>();
  const routes = (v: unknown, at: string) =>
    eachOf(v, at, p, (r, rAt) => {
      if (isRecord(r) && typeof r.id === 'string') {
        if (routeIds.has(r.id)) p.push(`${rAt}.id: duplicate route ${JSON.stringify(r.id)}`);
        routeIds.add(r.id);
      }
      validateRoute(r, rAt, backendIds, p);
    });
  const hosts = new Set<string>();
  eachOf(payload.virtualHosts, 'payload.virtualHosts', p, (vh, at) => {
    if (!isRecord(vh)) return p.push(`${at}: must be an object`);
    const host = vh.host;
    if (typeof host !== 'string' || !isHostPattern(host)) p.push(`${at}.host: must be a lower-case DNS name, optionally starting with "*."`);
    else {
      const key = `${host}|${String(vh.wildcard)}`;
      if (hosts.has(key)) p.push(`${at}.host: duplicate virtual host ${host}`);
      hosts.add(key);
      if (host.startsWith('*.') !== (vh.wildcard !== undefined)) p.push(`${at}.wildcard: required exactly when the host starts with "*."`);
    }
    if (vh.wildcard !== undefined && vh.wildcard !== 'one-label' && vh.wildcard !== 'suffix') p.push(`${at}.wildcard: must be one-label or suffix`);
    const listeners = vh.listeners;
    if (!Array.isArray(listeners) || listeners.length === 0 || listeners.some((l) => l !== 'http' && l !== 'https') || new Set(listeners).size !== listeners.length) {
      p.push(`${at}.listeners: must list http and/or https, each once`);
    }
    if (vh.certificate !== undefined && (typeof vh.certificate !== 'string' || !certIds.has(vh.certificate))) {
      p.push(`${at}.certificate: must be the id of an entry of payload.certificates`);
    }
    if (vh.redirectToHttps !== undefined && typeof vh.redirectToHttps !== 'boolean') p.push(`${at}.redirectToHttps: must be true or false`);
    routes(vh.routes, `${at}.routes`);
  });
  if (payload.catchAll !== undefined) {
    if (!isRecord(payload.catchAll)) p.push('payload.catchAll: must be an object');
    else routes(payload.catchAll.routes, 'payload.catchAll.routes');
  }
  return p;
}

function validateRoute(r: unknown, at: string, backendIds: Set<string>, p: Problems): void {
  if (!isRecord(r)) {
    p.push(`${at}: must be an object`);
    return;
  }
  if (typeof r.id !== 'string' || r.id === '') p.push(`${at}.id: must be a non-empty string`);
  const path = r.path;
  if (!isRecord(path) || (path.type !== 'Exact' && path.type !== 'Prefix')) p.push(`${at}.path.type: must be Exact or Prefix`);
  else if (!isPath(path.value) || normalizePath(path.value) === undefined) {
    p.push(`${at}.path.value: must start with "/" and hold printable ASCII only: no "?", "#", "\\", spaces, bad escapes or escaped "/", "\\" or NUL`);
  }
  if (r.method !== undefined && (typeof r.method !== 'string' || !TOKEN.test(r.method) || r.method !== r.method.toUpperCase())) {
    p.push(`${at}.method: must be an upper-case HTTP method`);
  }
  for (const key of ['headers', 'query'] as const) {
    if (r[key] !== undefined) eachOf(r[key], `${at}.${key}`, p, (h, hAt) => header(h, hAt, p));
  }
  eachOf(r.backends, `${at}.backends`, p, (b, bAt) => {
    if (!isRecord(b)) return p.push(`${bAt}: must be an object`);
    if (typeof b.backend !== 'string' || !backendIds.has(b.backend)) p.push(`${bAt}.backend: must be the id of an entry of payload.backends`);
    if (!isInt(b.weight, 0, MAX_WEIGHT)) p.push(`${bAt}.weight: must be an integer from 0 to ${MAX_WEIGHT}`);
  });
  if (r.filters !== undefined) eachOf(r.filters, `${at}.filters`, p, (f, fAt) => validateFilter(f, fAt, p));
  if (r.timeouts !== undefined) {
    if (!isRecord(r.timeouts)) p.push(`${at}.timeouts: must be an object`);
    else {
      for (const k of ['requestMs', 'backendRequestMs'] as const) {
        const v = r.timeouts[k];
        if (v !== undefined && !isInt(v, 1, 2_147_483_647)) p.push(`${at}.timeouts.${k}: must be a positive integer`);
      }
    }
  }
}

function validateFilter(f: unknown, at: string, p: Problems): void {
  if (!isRecord(f)) {
    p.push(`${at}: must be an object`);
    return;
  }
  switch (f.type) {
    case 'RequestHeaderModifier':
      for (const k of ['set', 'add'] as const) {
        if (f[k] !== undefined) {
          eachOf(f[k], `${at}.${k}`, p, (h, hAt) => {
            header(h, hAt, p);
            if (isRecord(h) && typeof h.name === 'string' && PROTECTED_HEADERS.has(h.name.toLowerCase())) p.push(`${hAt}: ${h.name} frames the message and cannot be modified`);
          });
        }
      }
      if (f.remove !== undefined) {
        eachOf(f.remove, `${at}.remove`, p, (n, nAt) => {
          if (typeof n !== 'string' || !TOKEN.test(n)) p.push(`${nAt}: must be a header name`);
          else if (PROTECTED_HEADERS.has(n.toLowerCase())) p.push(`${nAt}: ${n} frames the message and cannot be modified`);
        });
      }
      return;
    case 'RequestRedirect':
      if (f.scheme !== undefined && f.scheme !== 'http' && f.scheme !== 'https') p.push(`${at}.scheme: must be http or https`);
      if (f.hostname !== undefined && (typeof f.hostname !== 'string' || !isDnsName(f.hostname))) p.push(`${at}.hostname: must be a DNS name`);
      if (f.port !== undefined && !isInt(f.port, 1, 65_535)) p.push(`${at}.port: must be an integer from 1 to 65535`);
      if (!REDIRECT_CODES.includes(f.statusCode as number)) p.push(`${at}.statusCode: must be one of ${REDIRECT_CODES.join(', ')}`);
      if (f.path !== undefined) pathModifier(f.path, `${at}.path`, p);
      return;
    case 'URLRewrite':
      if (f.hostname !== undefined && (typeof f.hostname !== 'string' || !isDnsName(f.hostname))) p.push(`${at}.hostname: must be a DNS name`);
      if (f.path !== undefined) pathModifier(f.path, `${at}.path`, p);
      return;
    default:
      p.push(`${at}.type: must be RequestHeaderModifier, RequestRedirect or URLRewrite`);
  }
}

function pathModifier(v: unknown, at: string, p: Problems): void {
  if (!isRecord(v) || (v.type !== 'ReplaceFullPath' && v.type !== 'ReplacePrefixMatch') || !isPath(v.value)) {
    p.push(`${at}: must be {type: ReplaceFullPath | ReplacePrefixMatch, value: a path starting with "/"}`);
  }
}

function header(h: unknown, at: string, p: Problems): void {
  // Node throws on any other byte when writing the header: a throw mid-request.
  if (!isRecord(h) || typeof h.name !== 'string' || !TOKEN.test(h.name) || typeof h.value !== 'string' || !/^[\t\x20-\x7e\x80-\xff]*$/.test(h.value)) {
    p.push(`${at}: must be {name: a header or parameter name, value: tabs and printable Latin-1 only}`);
  }
}

/** `shop.example.com` or `*.example.com`, lower case. */
export function isHostPattern(host: string): boolean {
  const name = host.startsWith('*.') ? host.slice(2) : host;
  return name === name.toLowerCase() && isDnsName(name) && !name.includes('*');
}

/** Written into request lines and Location headers as is: printable ASCII, escapes well formed. */
function isPath(v: unknown): v is string {
  return typeof v === 'string' && /^\/[\x21-\x7e]*$/.test(v) && !/[?#\\]/.test(v) && !/%(?![0-9A-Fa-f]{2})/.test(v);
}

