import { quote } from '../../model/excerpt.js';
import { parseGoDuration } from '../../model/go-duration.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkControllerName, HEADER_NAME } from './edge-names.js';
import { checkEdgeFilterValues, checkEdgeHostname, checkEdgeMatchValues, checkEdgePath, checkEdgeTimeout } from './edge-values.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';

// GatewayClass, Gateway and HTTPRoute, checked as the Gateway API v1 CRDs' schemas and CEL
// rules validate them: what an API server with the CRDs installed rejects is an error here.
// What is valid but not served by berth's edge is a warning (`unsupported-route-feature`): a
// Gateway API controller accepts the object and reports the part it does not support in status.

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** The filters the edge runs; the others make the rule not accepted (UnsupportedValue), as the API says. */
const SERVED_FILTERS = new Set(['RequestHeaderModifier', 'RequestRedirect', 'URLRewrite']);
/** The field of each filter type (`type: URLRewrite` → `urlRewrite`). */
const FILTER_FIELD: Record<string, string> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
  ExternalAuth: 'externalAuth',
};

export function checkGatewayClass(object: Rec, r: Reporter): void {
  const name = str(rec(object.spec)?.controllerName);
  const err = name !== undefined ? checkControllerName(name) : undefined;
  if (err) r.report('invalid-value', ['spec', 'controllerName'], `controllerName ${quote(name!)} ${err}`);
}

export function checkGateway(object: Rec, r: Reporter): void {
  const listeners = arr(rec(object.spec)?.listeners);
  const names = new Set<string>();
  const combos = new Set<string>();
  listeners.forEach((l, i) => {
    const listener = rec(l);
    if (!listener) return;
    const path: Path = ['spec', 'listeners', i];
    const name = str(listener.name);
    if (name !== undefined && names.has(name)) r.report('invalid-value', [...path, 'name'], `listener name ${quote(name)} is used by another listener of this Gateway; names must be unique`);
    if (name !== undefined) names.add(name);
    const protocol = str(listener.protocol) ?? '';
    const hostname = str(listener.hostname);
    const combo = `${String(listener.port)}/${protocol}/${hostname ?? ''}`;
    if (combos.has(combo)) r.report('invalid-value', path, `another listener has the same port, protocol and hostname (${combo}); the combination must be unique`, { at: 'key' });
    combos.add(combo);
    if (hostname !== undefined) {
      const err = checkEdgeHostname(hostname);
      if (err) r.report('invalid-host', [...path, 'hostname'], `hostname ${quote(hostname)} is invalid: ${err}`);
    }
    const tls = rec(listener.tls);
    if (protocol === 'HTTP' && has(listener, 'tls')) r.report('invalid-value', [...path, 'tls'], 'tls must not be specified for protocol HTTP', { at: 'key' });
    if ((protocol === 'HTTPS' || protocol === 'TLS') && !tls) r.report('missing-field', [...path, 'protocol'], `tls must be specified for protocol ${protocol}`, { at: 'key' });
    if (protocol !== 'HTTP' && protocol !== 'HTTPS')
      r.report('unsupported-route-feature', [...path, 'protocol'], `protocol ${quote(protocol)} is valid, but berth's edge serves HTTP and HTTPS listeners only; this listener will not be programmed`);
    if (!tls) return;
    const mode = str(tls.mode) ?? 'Terminate';
    if (mode === 'Terminate' && arr(tls.certificateRefs).length === 0 && !has(tls, 'options'))
      r.report('missing-field', [...path, 'tls'], 'certificateRefs or options must be specified when mode is Terminate', { at: 'key' });
    if (mode === 'Passthrough') r.report('unsupported-route-feature', [...path, 'tls', 'mode'], "tls mode Passthrough is valid, but berth's edge terminates TLS only");
    arr(tls.certificateRefs).forEach((c, j) => {
      const ref = rec(c);
      const kind = str(ref?.kind) ?? 'Secret';
      const group = str(ref?.group) ?? '';
      if (kind !== 'Secret' || group !== '') r.report('unsupported-route-feature', [...path, 'tls', 'certificateRefs', j], `a certificate from ${group || 'core'}/${kind} is not read; berth's edge reads kubernetes.io/tls Secrets`, { at: 'key' });
    });
  });
}

export function checkHTTPRoute(object: Rec, r: Reporter): void {
  const spec = rec(object.spec);
  if (!spec) return;
  arr(spec.hostnames).forEach((h, i) => {
    const host = str(h);
    const err = host !== undefined ? checkEdgeHostname(host) : undefined;
    if (err) r.report('invalid-host', ['spec', 'hostnames', i], `hostname ${quote(host!)} is invalid: ${err}`);
  });
  arr(spec.parentRefs).forEach((p, i) => {
    const ref = rec(p);
    const kind = str(ref?.kind) ?? 'Gateway';
    const group = str(ref?.group) ?? GATEWAY_GROUP;
    if (kind !== 'Gateway' || group !== GATEWAY_GROUP) r.report('unsupported-route-feature', ['spec', 'parentRefs', i], `a parent ${group}/${kind} is not served; berth attaches routes to Gateways`, { at: 'key' });
  });
  arr(spec.rules).forEach((rule, i) => checkRule(rec(rule), ['spec', 'rules', i], r));
}

function checkRule(rule: Rec | undefined, path: Path, r: Reporter): void {
  if (!rule) return;
  const matches = arr(rule.matches).map(rec);
  matches.forEach((m, i) => checkMatch(m, [...path, 'matches', i], r));
  const filters = arr(rule.filters).map(rec);
  filters.forEach((f, i) => checkFilter(f, [...path, 'filters', i], r));
  const types = filters.map((f) => str(f?.type));
  for (const once of ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite']) {
    const at = types.indexOf(once, types.indexOf(once) + 1);
    if (types.indexOf(once) >= 0 && at > 0) r.report('invalid-value', [...path, 'filters', at, 'type'], `${once} may appear at most once in a rule's filters`);
  }
  const redirect = types.indexOf('RequestRedirect');
  const rewrite = types.indexOf('URLRewrite');
  if (redirect >= 0 && rewrite >= 0) r.report('invalid-value', [...path, 'filters', Math.max(redirect, rewrite), 'type'], 'a rule may have a RequestRedirect or a URLRewrite filter, not both');
  if (redirect >= 0 && arr(rule.backendRefs).length > 0) r.report('invalid-value', [...path, 'backendRefs'], 'a rule with a RequestRedirect filter must not have backendRefs (the redirect is its whole answer)', { at: 'key' });
  // ReplacePrefixMatch rewrites the matched prefix: the rule needs exactly one PathPrefix match to have one.
  filters.forEach((f, i) => {
    const field = str(f?.type) === 'URLRewrite' ? 'urlRewrite' : str(f?.type) === 'RequestRedirect' ? 'requestRedirect' : undefined;
    if (!field || str(rec(rec(f?.[field])?.path)?.type) !== 'ReplacePrefixMatch') return;
    const prefixes = matches.filter((m) => (str(rec(m?.path)?.type) ?? 'PathPrefix') === 'PathPrefix').length;
    if (matches.length > 1 || prefixes !== matches.length)
      r.report('invalid-value', [...path, 'filters', i, field, 'path'], 'ReplacePrefixMatch needs the rule to have exactly one match, a PathPrefix one (or none: PathPrefix /)');
  });
  arr(rule.backendRefs).forEach((b, i) => checkBackendRef(rec(b), [...path, 'backendRefs', i], r));
  checkTimeouts(rec(rule.timeouts), [...path, 'timeouts'], r);
}

/** GEP-2257 durations: up to four `<1–5 digits><h|m|s|ms>` parts (`10s`, `1m30s`); `0s` disables the timeout. */
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

function checkTimeouts(timeouts: Rec | undefined, path: Path, r: Reporter): void {
  if (!timeouts) return;
  const ms: Record<string, number | undefined> = {};
  for (const field of ['request', 'backendRequest']) {
    const text = str(timeouts[field]);
    if (text === undefined) continue;
    if (!GATEWAY_DURATION.test(text)) r.report('invalid-value', [...path, field], `${field} ${quote(text)} is not a Gateway API duration (up to four parts of 1–5 digits and h, m, s or ms: 10s, 1m30s)`);
    else {
      ms[field] = parseGoDuration(text);
      checkEdgeTimeout(field, text, ms[field]!, [...path, field], r);
    }
  }
  const { request, backendRequest } = ms;
  // 0s disables a timeout; the CRD's CEL rule compares only set, non-zero ones.
  if (request !== undefined && backendRequest !== undefined && request > 0 && backendRequest > request)
    r.report('invalid-value', [...path, 'backendRequest'], `backendRequest (${String(timeouts.backendRequest)}) cannot be longer than request (${String(timeouts.request)})`);
}

function checkMatch(m: Rec | undefined, path: Path, r: Reporter): void {
  if (!m) return;
  const p = rec(m.path);
  const type = str(p?.type) ?? 'PathPrefix';
  const value = str(p?.value) ?? '/';
  if (type === 'RegularExpression') r.report('unsupported-route-feature', [...path, 'path', 'type'], "RegularExpression path matches are valid, but berth's edge matches Exact and PathPrefix only; this rule will not be accepted");
  else {
    const err = checkEdgePath(value, 'gateway');
    if (err) r.report('invalid-route-path', [...path, 'path', 'value'], `path ${quote(value)} ${err}`);
  }
  for (const list of ['headers', 'queryParams'] as const) {
    const seen = new Set<string>();
    arr(m[list]).forEach((h, i) => {
      const match = rec(h);
      const name = str(match?.name);
      if (name === undefined) return;
      const key = list === 'headers' ? name.toLowerCase() : name;
      if (seen.has(key)) r.report('invalid-value', [...path, list, i, 'name'], `${list === 'headers' ? 'header' : 'query parameter'} ${quote(name)} is matched twice in one match`);
      seen.add(key);
      if (list === 'headers' && !HEADER_NAME.test(name)) r.report('invalid-value', [...path, list, i, 'name'], `header name ${quote(name)} is not a valid HTTP header name`);
      if (str(match?.type) === 'RegularExpression') r.report('unsupported-route-feature', [...path, list, i, 'type'], "RegularExpression matches are valid, but berth's edge matches Exact values only; this rule will not be accepted");
    });
  }
  checkEdgeMatchValues(m, path, r);
}

function checkFilter(f: Rec | undefined, path: Path, r: Reporter): void {
  const type = str(f?.type);
  if (!f || type === undefined) return;
  const field = FILTER_FIELD[type];
  for (const [t, other] of Object.entries(FILTER_FIELD))
    if (t !== type && has(f, other)) r.report('invalid-value', [...path, other], `${other} must not be set when the filter's type is ${type}`, { at: 'key' });
  if (field && !has(f, field)) r.report('missing-field', [...path, 'type'], `a ${type} filter needs ${field}`, { at: 'key' });
  if (!SERVED_FILTERS.has(type)) {
    r.report('unsupported-route-feature', [...path, 'type'], `the ${type} filter is valid, but berth's edge runs RequestHeaderModifier, RequestRedirect and URLRewrite only; this rule will not be accepted`);
    return;
  }
  const modifier = rec(f[field ?? '']);
  const pathModifier = rec(modifier?.path);
  if (pathModifier) {
    const pType = str(pathModifier.type);
    const want = pType === 'ReplaceFullPath' ? 'replaceFullPath' : 'replacePrefixMatch';
    const other = pType === 'ReplaceFullPath' ? 'replacePrefixMatch' : 'replaceFullPath';
    if (!has(pathModifier, want)) r.report('missing-field', [...path, field!, 'path', 'type'], `a ${pType} path modifier needs ${want}`, { at: 'key' });
    if (has(pathModifier, other)) r.report('invalid-value', [...path, field!, 'path', other], `${other} must not be set when the path modifier's type is ${pType}`, { at: 'key' });
  }
  checkEdgeFilterValues(type, modifier, [...path, field!], r);
  if (type === 'RequestHeaderModifier') {
    const seen = new Set<string>();
    for (const list of ['set', 'add', 'remove'] as const)
      arr(modifier?.[list]).forEach((h, i) => {
        const name = list === 'remove' ? str(h) : str(rec(h)?.name);
        if (name === undefined) return;
        if (!HEADER_NAME.test(name)) r.report('invalid-value', [...path, field!, list, i], `header name ${quote(name)} is not a valid HTTP header name`, { at: 'key' });
        else if (seen.has(name.toLowerCase())) r.report('invalid-value', [...path, field!, list, i], `header ${quote(name)} is modified twice in one filter`, { at: 'key' });
        seen.add(name.toLowerCase());
      });
  }
}

function checkBackendRef(b: Rec | undefined, path: Path, r: Reporter): void {
  if (!b) return;
  const kind = str(b.kind) ?? 'Service';
  const group = str(b.group) ?? '';
  if (kind !== 'Service' || group !== '') {
    r.report('unsupported-route-feature', path, `a backend of ${group || 'core'}/${kind} is not routed; berth's edge routes to Services (this backend answers 500)`, { at: 'key' });
    return;
  }
  if (!has(b, 'port')) r.report('missing-field', [...path, 'name'], 'a Service backendRef needs a port', { at: 'key' });
  arr(b.filters).forEach((f, i) => checkFilter(rec(f), [...path, 'filters', i], r));
}
