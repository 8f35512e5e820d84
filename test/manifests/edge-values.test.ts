import { describe, expect, it } from 'vitest';
import { compile, fragmentProblems } from '../plan/edge-support.js';
import type { Obj } from './edge-values-support.js';
import { GATEWAY_CLASS, SVC, gateway, headerModifier, ingress, match, redirect, resources, rewrite, route, text } from './edge-values-support.js';
import { validate } from './support.js';

// Values berth's edge refuses in a route fragment (dataplane/edge-validate.ts) that a manifest
// can carry: `berth validate` must refuse each at its field, because the edge refuses the whole
// app's routing when one value is bad. The parity half: a manifest that passes validation
// compiles (compileRoutes) to a fragment the edge's validator accepts.
//
// Manifests are written as JSON (which is YAML), one field a line, so a value's line and column
// are where its text is: `needle` is the text the problem must point at.

const LONG_LABEL = 'a'.repeat(64);

/**
 * Where a problem must point: a text (its first occurrence), a value after a key
 * (`{ key: '"port": ', value: '0' }`), or the list item (its `{`) holding a text.
 */
type Needle = string | { key: string; value: string } | { item: string };

/** 1-based line and column of `needle` in `source`. */
function locate(source: string, needle: Needle): { line: number; column: number } {
  const find = (t: string) => {
    const i = source.indexOf(t);
    if (i < 0) throw new Error(`${t} is not in the manifest`);
    return i;
  };
  const at = typeof needle === 'string' ? find(needle) : 'key' in needle ? find(needle.key + needle.value) + needle.key.length : source.lastIndexOf('{', find(needle.item));
  const before = source.slice(0, at).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

interface Row {
  name: string;
  /** The hostile object first; the Service, Gateway and class it needs follow. */
  docs: Obj[];
  code: string;
  path: string;
  /** Where the problem points. */
  needle: Needle;
  /**
   * Whether the edge would refuse the compiled fragment were the manifest let through: false
   * where the compiler drops the value (an unsupported redirect status drops the rule; a scheme
   * other than http/https is not copied) and the JSON schema refuses it first anyway.
   */
  edgeRefuses: boolean;
}

const GW = [gateway(), GATEWAY_CLASS, SVC];
const CHARS_IN_INGRESS_PATH: Array<[string, string]> = [
  ['a space', '/a b'],
  ['a tab', '/a\tb'],
  ['a line break', '/a\r\nX-Injected: 1'],
  ['a non-ASCII character', '/café'],
  ["'?'", '/search?q=1'],
  ["'#'", '/page#top'],
  ['a backslash', '/a\\b'],
  ['%5C (an escaped backslash)', '/a%5Cb'],
  ['%00 (an escaped NUL)', '/a%00'],
  ['a bad escape', '/a%zz'],
  ['a trailing %', '/100%'],
];
const CHARS_IN_ROUTE_PATH: Array<[string, string]> = [
  ['a space', '/a b'],
  ['a non-ASCII character', '/café'],
  ["'?'", '/search?q=1'],
  ['a backslash', '/a\\b'],
  ['%5C (an escaped backslash)', '/a%5Cb'],
  ['%00 (an escaped NUL)', '/a%00'],
  ['a bad escape', '/a%zz'],
];
const PROTECTED = ['Content-Length', 'Transfer-Encoding', 'Connection', 'Upgrade', 'TE', 'Trailer', 'Keep-Alive', 'Proxy-Connection', 'content-length'];
const BAD_HEADER_VALUES: Array<[string, string]> = [
  ['a line break (header injection)', 'a\r\nX-Injected: 1'],
  ['a NUL', 'a\u0000b'],
  ['a character outside Latin-1', '日本'],
];
const BAD_MODIFIER_PATHS: Array<[string, string]> = [
  ['a relative path', 'new'],
  ['an empty path', ''],
  ['a space', '/a b'],
  ["'?'", '/a?b=1'],
  ['a backslash', '/a\\b'],
  ['a bad escape', '/a%zz'],
];

const ROWS: Row[] = [
  // Ingress
  { name: 'Ingress host with a label over 63 characters', docs: [ingress({}, { host: `${LONG_LABEL}.example.com` }), SVC], code: 'invalid-host', path: 'spec.rules[0].host', needle: `"${LONG_LABEL}`, edgeRefuses: true },
  {
    name: 'Ingress TLS host with a label over 63 characters',
    docs: [ingress({}, {}, { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, tls: [{ hosts: [`${LONG_LABEL}.example.com`], secretName: 'tls' }] }), SVC, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } }],
    code: 'invalid-host',
    path: 'spec.tls[0].hosts[0]',
    needle: `"${LONG_LABEL}`,
    edgeRefuses: true,
  },
  ...CHARS_IN_INGRESS_PATH.map(([what, value]): Row => ({ name: `Ingress Prefix path with ${what}`, docs: [ingress({ path: value }), SVC], code: 'invalid-route-path', path: 'spec.rules[0].http.paths[0].path', needle: JSON.stringify(value), edgeRefuses: true })),
  ...CHARS_IN_INGRESS_PATH.map(([what, value]): Row => ({ name: `Ingress Exact path with ${what}`, docs: [ingress({ path: value, pathType: 'Exact' }), SVC], code: 'invalid-route-path', path: 'spec.rules[0].http.paths[0].path', needle: JSON.stringify(value), edgeRefuses: true })),
  ...[...CHARS_IN_INGRESS_PATH, ['%2F (an escaped slash)', '/a%2Fb'] as [string, string]].map(
    ([what, value]): Row => ({ name: `Ingress ImplementationSpecific path with ${what}`, docs: [ingress({ path: value, pathType: 'ImplementationSpecific' }), SVC], code: 'invalid-route-path', path: 'spec.rules[0].http.paths[0].path', needle: JSON.stringify(value), edgeRefuses: true }),
  ),
  { name: 'Ingress backend port 0', docs: [ingress({ backend: { service: { name: 'web', port: { number: 0 } } } }), SVC], code: 'invalid-value', path: 'spec.rules[0].http.paths[0].backend.service.port.number', needle: { key: '"number": ', value: '0' }, edgeRefuses: false },
  // Gateway
  { name: 'Gateway listener hostname with a label over 63 characters', docs: [gateway({ hostname: `${LONG_LABEL}.example.com` }), route({}, { hostnames: undefined }), GATEWAY_CLASS, SVC], code: 'invalid-host', path: 'spec.listeners[0].hostname', needle: `"${LONG_LABEL}`, edgeRefuses: true },
  // HTTPRoute hostnames and path matches
  { name: 'HTTPRoute hostname with a label over 63 characters', docs: [route({}, { hostnames: [`${LONG_LABEL}.example.com`] }), ...GW], code: 'invalid-host', path: 'spec.hostnames[0]', needle: `"${LONG_LABEL}`, edgeRefuses: true },
  ...CHARS_IN_ROUTE_PATH.map(([what, value]): Row => ({ name: `HTTPRoute PathPrefix match with ${what}`, docs: [match({ path: { type: 'PathPrefix', value } }), ...GW], code: 'invalid-route-path', path: 'spec.rules[0].matches[0].path.value', needle: JSON.stringify(value), edgeRefuses: true })),
  { name: 'HTTPRoute Exact match with %00', docs: [match({ path: { type: 'Exact', value: '/a%00' } }), ...GW], code: 'invalid-route-path', path: 'spec.rules[0].matches[0].path.value', needle: '"/a%00"', edgeRefuses: true },
  // Header and query parameter matches
  ...BAD_HEADER_VALUES.map(([what, value]): Row => ({ name: `header match value with ${what}`, docs: [match({ headers: [{ name: 'X-Env', value }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].matches[0].headers[0].value', needle: JSON.stringify(value), edgeRefuses: true })),
  ...BAD_HEADER_VALUES.map(([what, value]): Row => ({ name: `query parameter match value with ${what}`, docs: [match({ queryParams: [{ name: 'q', value }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].matches[0].queryParams[0].value', needle: JSON.stringify(value), edgeRefuses: true })),
  { name: 'header match name with a space', docs: [match({ headers: [{ name: 'X Env', value: '1' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].matches[0].headers[0].name', needle: '"X Env"', edgeRefuses: true },
  { name: 'query parameter match name with a space', docs: [match({ queryParams: [{ name: 'a b', value: '1' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].matches[0].queryParams[0].name', needle: '"a b"', edgeRefuses: true },
  { name: 'a lower-case method', docs: [match({ method: 'get' }), ...GW], code: 'invalid-value', path: 'spec.rules[0].matches[0].method', needle: '"get"', edgeRefuses: false },
  // RequestHeaderModifier
  ...PROTECTED.map((name): Row => ({ name: `RequestHeaderModifier set ${name}`, docs: [headerModifier({ set: [{ name, value: '0' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.set[0]', needle: { item: `"name": "${name}"` }, edgeRefuses: true })),
  { name: 'RequestHeaderModifier add Transfer-Encoding', docs: [headerModifier({ add: [{ name: 'Transfer-Encoding', value: 'chunked' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.add[0]', needle: { item: '"name": "Transfer-Encoding"' }, edgeRefuses: true },
  { name: 'RequestHeaderModifier remove Connection', docs: [headerModifier({ remove: ['Connection'] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.remove[0]', needle: '"Connection"', edgeRefuses: true },
  ...BAD_HEADER_VALUES.map(([what, value]): Row => ({ name: `RequestHeaderModifier set value with ${what}`, docs: [headerModifier({ set: [{ name: 'X-Env', value }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.set[0].value', needle: JSON.stringify(value), edgeRefuses: true })),
  { name: 'RequestHeaderModifier add value with a line break', docs: [headerModifier({ add: [{ name: 'X-Env', value: 'a\nb' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.add[0].value', needle: '"a\\nb"', edgeRefuses: true },
  { name: 'RequestHeaderModifier header name with a colon', docs: [headerModifier({ set: [{ name: 'X-A:b', value: '1' }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestHeaderModifier.set[0]', needle: { item: '"name": "X-A:b"' }, edgeRefuses: true },
  // RequestRedirect and URLRewrite
  ...[
    ['a wildcard', '*.example.com'],
    ['upper case', 'WWW.example.com'],
    ['a label over 63 characters', `${LONG_LABEL}.example.com`],
    ['a space', 'www example.com'],
  ].flatMap(([what, hostname]): Row[] => [
    { name: `RequestRedirect hostname with ${what}`, docs: [redirect({ hostname }), ...GW], code: 'invalid-host', path: 'spec.rules[0].filters[0].requestRedirect.hostname', needle: JSON.stringify(hostname), edgeRefuses: what !== 'upper case' },
    { name: `URLRewrite hostname with ${what}`, docs: [rewrite({ hostname }), ...GW], code: 'invalid-host', path: 'spec.rules[0].filters[0].urlRewrite.hostname', needle: JSON.stringify(hostname), edgeRefuses: what !== 'upper case' },
  ]),
  ...BAD_MODIFIER_PATHS.flatMap(([what, value]): Row[] => [
    { name: `RequestRedirect replaceFullPath with ${what}`, docs: [redirect({ path: { type: 'ReplaceFullPath', replaceFullPath: value } }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestRedirect.path.replaceFullPath', needle: { key: '"replaceFullPath": ', value: JSON.stringify(value) }, edgeRefuses: true },
    { name: `URLRewrite replacePrefixMatch with ${what}`, docs: [rewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: value } }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].urlRewrite.path.replacePrefixMatch', needle: { key: '"replacePrefixMatch": ', value: JSON.stringify(value) }, edgeRefuses: true },
  ]),
  { name: 'RequestRedirect port 0', docs: [redirect({ port: 0 }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestRedirect.port', needle: { key: '"port": ', value: '0' }, edgeRefuses: true },
  { name: 'RequestRedirect port 65536', docs: [redirect({ port: 65_536 }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestRedirect.port', needle: { key: '"port": ', value: '65536' }, edgeRefuses: true },
  { name: 'RequestRedirect scheme ftp', docs: [redirect({ scheme: 'ftp' }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestRedirect.scheme', needle: '"ftp"', edgeRefuses: false },
  { name: 'RequestRedirect statusCode 305', docs: [redirect({ statusCode: 305 }), ...GW], code: 'invalid-value', path: 'spec.rules[0].filters[0].requestRedirect.statusCode', needle: '305', edgeRefuses: false },
  // Timeouts, weights, backend ports
  { name: 'a request timeout past 2^31-1 ms', docs: [route({ timeouts: { request: '99999h' } }), ...GW], code: 'invalid-value', path: 'spec.rules[0].timeouts.request', needle: '"99999h"', edgeRefuses: true },
  { name: 'a backendRequest timeout past 2^31-1 ms', docs: [route({ timeouts: { backendRequest: '596h31m24s' } }), ...GW], code: 'invalid-value', path: 'spec.rules[0].timeouts.backendRequest', needle: '"596h31m24s"', edgeRefuses: true },
  { name: 'a weight over 1000000', docs: [route({ backendRefs: [{ name: 'web', port: 80, weight: 1_000_001 }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].backendRefs[0].weight', needle: '1000001', edgeRefuses: true },
  { name: 'a negative weight', docs: [route({ backendRefs: [{ name: 'web', port: 80, weight: -1 }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].backendRefs[0].weight', needle: '-1', edgeRefuses: true },
  { name: 'a backend port 0', docs: [route({ backendRefs: [{ name: 'web', port: 0 }] }), ...GW], code: 'invalid-value', path: 'spec.rules[0].backendRefs[0].port', needle: { key: '"port": ', value: '0' }, edgeRefuses: false },
];

describe('berth validate refuses every value the edge refuses, at its field', () => {
  it.each(ROWS)('$name', ({ docs, code, path, needle }) => {
    const source = text(docs);
    const { problems } = validate({ 'f.yaml': source });
    const errors = problems.filter((p) => p.severity === 'error');
    const hit = errors.find((p) => p.path === path);
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect({ file: hit!.file, line: hit!.line, column: hit!.column, code: hit!.code }).toEqual({ file: 'f.yaml', ...locate(source, needle), code });
  });
});

describe('parity: what validation lets through, the edge accepts', () => {
  it.each(ROWS)('$name: refused by validation; the edge would refuse it too unless the compiler drops it', ({ docs, edgeRefuses }) => {
    expect(validate({ 'f.yaml': text(docs) }).problems.some((p) => p.severity === 'error')).toBe(true);
    expect(fragmentProblems(compile(resources(docs)).edge).length > 0).toBe(edgeRefuses);
  });

  const TLS_SECRET: Obj = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'c', 'tls.key': 'k' } };
  const VALID: Array<{ name: string; docs: Obj[] }> = [
    { name: 'an Ingress with a Prefix path', docs: [ingress(), SVC] },
    { name: 'an Ingress with escapes the edge keeps', docs: [ingress({ path: '/caf%C3%A9/a%20b/%7Euser' }), SVC] },
    { name: 'an Exact Ingress path with sub-delimiters', docs: [ingress({ path: "/a;b=c/@x/!$&'()*+,:", pathType: 'Exact' }), SVC] },
    { name: 'an empty ImplementationSpecific path', docs: [ingress({ path: '', pathType: 'ImplementationSpecific' }), SVC] },
    { name: 'an ImplementationSpecific path with dot segments', docs: [ingress({ path: '/a//b/../c', pathType: 'ImplementationSpecific' }), SVC] },
    { name: 'a host with a 63-character label', docs: [ingress({}, { host: `${'a'.repeat(63)}.example.com` }), SVC] },
    { name: 'a wildcard host, TLS and a defaultBackend', docs: [ingress({}, { host: '*.example.com' }, { defaultBackend: { service: { name: 'web', port: { name: 'http' } } }, tls: [{ hosts: ['*.example.com', 'only-tls.example.com'], secretName: 'tls' }] }), SVC, TLS_SECRET] },
    { name: 'a route with every served match', docs: [route({ matches: [{ path: { type: 'Exact', value: '/a%0A' }, method: 'POST', headers: [{ name: 'X-Env', value: 'café\tprod' }], queryParams: [{ name: 'q', value: 'a b' }] }] }), ...GW] },
    { name: 'a route with header modifiers', docs: [headerModifier({ set: [{ name: 'X-Forwarded-Proto', value: 'https' }], add: [{ name: 'Via', value: '1.1 berth' }], remove: ['X-Debug', 'Host-Override'] }), ...GW] },
    { name: 'a redirect with every field', docs: [redirect({ scheme: 'https', hostname: 'www.example.com', port: 8443, statusCode: 301, path: { type: 'ReplaceFullPath', replaceFullPath: '/new%20home' } }), ...GW] },
    { name: 'a prefix rewrite to /', docs: [route({ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'backend.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }] }), ...GW] },
    { name: 'the longest timeouts the edge takes', docs: [route({ timeouts: { request: '596h31m23s', backendRequest: '596h31m23s' } }), ...GW] },
    { name: 'timeouts of 0s', docs: [route({ timeouts: { request: '0s', backendRequest: '0s' } }), ...GW] },
    { name: 'weights 0 and 1000000', docs: [route({ backendRefs: [{ name: 'web', port: 80, weight: 0 }, { name: 'web', port: 80, weight: 1_000_000 }] }), ...GW] },
    { name: 'a listener hostname and route hostnames', docs: [route({}, { hostnames: ['api.example.com', '*.api.example.com'] }), gateway({ hostname: '*.example.com' }), GATEWAY_CLASS, SVC] },
  ];

  it.each(VALID)('$name: valid, and its fragment passes the edge validator', ({ docs }) => {
    expect(validate({ 'f.yaml': text(docs) }).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const compiled = compile(resources(docs));
    expect(compiled.edge.virtualHosts.length + (compiled.edge.catchAll?.routes.length ?? 0)).toBeGreaterThan(0);
    expect(fragmentProblems(compiled.edge)).toEqual([]);
  });
});
