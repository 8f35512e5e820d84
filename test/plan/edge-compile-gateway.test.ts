import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/types.js';
import type { EdgeObjectStatus } from '../../src/plan/edge/compiled.js';
import { intersectHostnames } from '../../src/plan/edge/hosts.js';
import { res } from '../support/builders.js';
import { compile, fragmentProblems, gateway, gatewayClass, hrule, httpRoute, ingress, ipath, listener, routeFor, rule, secret, service, serviceFor } from './edge-support.js';

// The Gateway API half of the route compiler (plan/edge/gateway-listeners.ts, compile-gateway.ts,
// httproute-rules.ts). Requests go through the edge's own table (edge-support.ts routeFor).

const base = (listeners = [listener('http', { hostname: 'app.example.com' })]): Resource[] => [gatewayClass('berth'), gateway('gw', listeners), service('a'), service('b')];
const status = (statuses: EdgeObjectStatus[], object: string) => statuses.find((s) => s.object === object)!;
const condition = (list: EdgeObjectStatus['conditions'] | undefined, type: string) => list?.find((c) => c.type === type);
const HOST = 'app.example.com';

describe('HTTPRoute precedence, item by item (HTTPRouteRule.Matches)', () => {
  type Req = { path: string; method?: string; headers?: Record<string, string>; query?: string };
  const m = (path: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ path, ...extra });
  it.each<[string, Array<Record<string, unknown>>, Array<Record<string, unknown>>, Req, 'a' | 'b', Record<string, string>?]>([
    ['an Exact path before a PathPrefix of the same value', [m({ type: 'PathPrefix', value: '/foo' })], [m({ type: 'Exact', value: '/foo' })], { path: '/foo' }, 'b'],
    ['the PathPrefix with more characters', [m({ type: 'PathPrefix', value: '/foo' })], [m({ type: 'PathPrefix', value: '/foo/bar' })], { path: '/foo/bar/baz' }, 'b'],
    ['a method match before none', [m({ type: 'PathPrefix', value: '/foo' })], [m({ type: 'PathPrefix', value: '/foo' }, { method: 'GET' })], { path: '/foo', method: 'GET' }, 'b'],
    ['the most header matches', [m({ type: 'PathPrefix', value: '/' }, { headers: [{ name: 'x-a', value: '1' }] })], [m({ type: 'PathPrefix', value: '/' }, { headers: [{ name: 'x-a', value: '1' }, { name: 'X-B', value: '2' }] })], { path: '/', headers: { 'x-a': '1', 'x-b': '2' } }, 'b'],
    ['the most query param matches', [m({ type: 'PathPrefix', value: '/' }, { queryParams: [{ name: 'v', value: '1' }] })], [m({ type: 'PathPrefix', value: '/' }, { queryParams: [{ name: 'v', value: '1' }, { name: 'w', value: '2' }] })], { path: '/', query: 'v=1&w=2' }, 'b'],
    ['the oldest route', [m({ type: 'PathPrefix', value: '/' })], [m({ type: 'PathPrefix', value: '/' })], { path: '/' }, 'b', { 'HTTPRoute/default/a': '2026-12-02T00:00:00Z', 'HTTPRoute/default/b': '2026-12-01T00:00:00Z' }],
    ['then namespace/name alphabetically', [m({ type: 'PathPrefix', value: '/' })], [m({ type: 'PathPrefix', value: '/' })], { path: '/' }, 'a'],
    ['a longer prefix beats an older route', [m({ type: 'PathPrefix', value: '/' })], [m({ type: 'PathPrefix', value: '/x' })], { path: '/x' }, 'b', { 'HTTPRoute/default/a': '2020-01-01T00:00:00Z' }],
    ['a method beats more headers', [m({ type: 'PathPrefix', value: '/' }, { headers: [{ name: 'x-a', value: '1' }] })], [m({ type: 'PathPrefix', value: '/' }, { method: 'post' })], { path: '/', method: 'POST', headers: { 'x-a': '1' } }, 'b'],
  ])('%s', (_n, aMatches, bMatches, req, winner, times = {}) => {
    const { edge } = compile([...base(), httpRoute('a', { rules: [hrule('a', aMatches)] }), httpRoute('b', { rules: [hrule('b', bMatches)] })], { createdAt: (o) => times[o] });
    expect(serviceFor(edge, { host: HOST, ...req })).toBe(winner);
    expect(fragmentProblems(edge)).toEqual([]);
  });

  it('then the first rule, and the first match, in list order', () => {
    const same = [{ path: { type: 'PathPrefix', value: '/' } }];
    const { edge } = compile([...base(), httpRoute('r', { rules: [hrule('a', [...same, ...same]), hrule('b', same)] })]);
    expect(edge.virtualHosts[0]!.routes.map((r) => r.id)).toEqual(['HTTPRoute/default/r/r0/m0', 'HTTPRoute/default/r/r0/m1', 'HTTPRoute/default/r/r1/m0']);
    expect(serviceFor(edge, { host: HOST, path: '/' })).toBe('a');
  });

  it('a rule without matches is PathPrefix /', () => {
    const { edge } = compile([...base(), httpRoute('r', { rules: [hrule('a')] })]);
    expect(edge.virtualHosts[0]!.routes[0]!.path).toEqual({ type: 'Prefix', value: '/' });
  });

  it('an Ingress and an HTTPRoute on one host share the comparator', () => {
    const ing = ingress('i', { rules: [rule(HOST, ipath('/api', 'Prefix', 'a'))] });
    const { edge } = compile([...base(), ing, httpRoute('r', { rules: [hrule('b', [{ path: { type: 'PathPrefix', value: '/api/v2' } }, { path: { type: 'PathPrefix', value: '/' } }])] })]);
    expect(edge.virtualHosts).toHaveLength(1);
    expect(edge.virtualHosts[0]!.routes.map((r) => r.id)).toEqual(['HTTPRoute/default/r/r0/m0', 'Ingress/default/i/r0/p0', 'HTTPRoute/default/r/r0/m1']);
  });
});

describe('an Ingress and an HTTPRoute routing the same path on one host', () => {
  const ing = ingress('web', { rules: [rule(HOST, ipath('/', 'Prefix', 'a'))] });
  const route = httpRoute('web', { rules: [hrule('b', [{ path: { type: 'PathPrefix', value: '/' } }])] });
  it.each<[string, Record<string, string>, string, string]>([
    ['the older object wins (the HTTPRoute)', { 'HTTPRoute/default/web': '2026-01-01T00:00:00Z', 'Ingress/default/web': '2026-06-01T00:00:00Z' }, 'b', 'Ingress/default/web'],
    ['the older object wins (the Ingress)', { 'Ingress/default/web': '2026-01-01T00:00:00Z', 'HTTPRoute/default/web': '2026-06-01T00:00:00Z' }, 'a', 'HTTPRoute/default/web'],
    ['same age and namespace/name: the kind decides, stably', {}, 'b', 'Ingress/default/web'],
  ])('%s; the other is warned', (_n, times, winner, loser) => {
    const { edge, notes } = compile([...base(), ing, route], { createdAt: (o) => times[o] });
    expect(serviceFor(edge, { host: HOST, path: '/x' })).toBe(winner);
    expect(notes).toContainEqual(expect.objectContaining({ object: loser, severity: 'warning', message: expect.stringContaining('never used') }));
  });
});

describe('hostnames', () => {
  it.each<[string | undefined, string | undefined, string | undefined | null]>([
    [undefined, undefined, undefined],
    [undefined, 'a.example.com', 'a.example.com'],
    ['a.example.com', undefined, 'a.example.com'],
    ['a.example.com', 'a.example.com', 'a.example.com'],
    ['*.example.com', 'a.example.com', 'a.example.com'],
    ['*.example.com', 'a.b.example.com', 'a.b.example.com'],
    ['a.example.com', '*.example.com', 'a.example.com'],
    ['*.example.com', '*.b.example.com', '*.b.example.com'],
    ['*.example.com', 'example.com', null],
    ['a.example.com', 'b.example.com', null],
  ])('listener %s ∩ route %s = %s', (l, r, expected) => {
    expect(intersectHostnames(l, r)).toBe(expected);
  });

  it('Gateway wildcards are suffix wildcards; an Ingress wildcard on the same name is a separate, one-label host', () => {
    const { edge } = compile([
      ...base([listener('http')]),
      httpRoute('r', { hostnames: ['*.Example.com'], rules: [hrule('b')] }),
      ingress('i', { rules: [rule('*.example.com', ipath('/', 'Prefix', 'a'))] }),
    ]);
    expect(edge.virtualHosts.map((v) => [v.host, v.wildcard])).toEqual([
      ['*.example.com', 'one-label'],
      ['*.example.com', 'suffix'],
    ]);
    expect(serviceFor(edge, { host: 'x.example.com', path: '/' })).toBe('a');
    expect(serviceFor(edge, { host: 'y.x.example.com', path: '/' })).toBe('b');
    expect(serviceFor(edge, { host: 'example.com', path: '/' })).toBe('404');
    expect(fragmentProblems(edge)).toEqual([]);
  });

  it('a route hostname outside the listener hostname is not attached (NoMatchingListenerHostname)', () => {
    const { statuses, edge } = compile([...base(), httpRoute('r', { hostnames: ['other.example.org'], rules: [hrule('a')] })]);
    expect(condition(status(statuses, 'HTTPRoute/default/r').parents![0]!.conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'NoMatchingListenerHostname' });
    expect(edge.virtualHosts).toEqual([]);
  });

  it('neither listener nor route naming a host: the catch-all', () => {
    const { edge } = compile([...base([listener('http')]), httpRoute('r', { rules: [hrule('a')] })]);
    expect(edge.catchAll?.routes.map((r) => r.id)).toEqual(['HTTPRoute/default/r/r0/m0']);
  });

  it('a route on two hostnames gets a route id per host', () => {
    const { edge } = compile([...base([listener('http')]), httpRoute('r', { hostnames: ['a.com', 'b.com'], rules: [hrule('a')] })]);
    expect(edge.virtualHosts.map((v) => v.routes[0]!.id)).toEqual(['HTTPRoute/default/r/r0/m0@a.com', 'HTTPRoute/default/r/r0/m0@b.com']);
    expect(fragmentProblems(edge)).toEqual([]);
  });
});

describe('listeners', () => {
  it.each<[string, Record<string, unknown>, string, string, string]>([
    ['HTTP on the edge port', listener('l'), 'True', 'Accepted', 'Accepted'],
    ['HTTP on another port', listener('l', { port: 8080 }), 'False', 'PortUnavailable', 'NoMatchingParent'],
    ['HTTPS on the http port', listener('l', { protocol: 'HTTPS', port: 80, tls: { certificateRefs: [{ name: 'tls' }] } }), 'False', 'PortUnavailable', 'NoMatchingParent'],
    ['a TCP listener', listener('l', { protocol: 'TCP', port: 80 }), 'False', 'UnsupportedProtocol', 'NoMatchingParent'],
  ])('%s', (_n, l, acceptedStatus, reason, routeReason) => {
    const { statuses } = compile([...base([l]), secret('tls'), httpRoute('r', { rules: [hrule('a')] })]);
    const gw = status(statuses, 'Gateway/default/gw');
    expect(condition(gw.listeners![0]!.conditions, 'Accepted')).toMatchObject({ status: acceptedStatus, reason });
    expect(gw.listeners![0]!.attachedRoutes).toBe(acceptedStatus === 'True' ? 1 : 0);
    expect(condition(status(statuses, 'HTTPRoute/default/r').parents![0]!.conditions, 'Accepted')!.reason).toBe(routeReason);
  });

  it('a Gateway none of whose listeners can be served is not accepted (ListenersNotValid)', () => {
    const { statuses } = compile(base([listener('a', { port: 8080 }), listener('b', { protocol: 'UDP', port: 53 })]));
    expect(status(statuses, 'Gateway/default/gw').conditions).toEqual([expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'ListenersNotValid' })]);
  });

  it.each<[string, Record<string, unknown>, Resource[], string, string | undefined]>([
    ['a Secret of the Gateway namespace', { certificateRefs: [{ name: 'tls' }] }, [secret('tls')], 'ResolvedRefs', 'Secret/default/tls'],
    ['a Secret a Certificate issues', { certificateRefs: [{ name: 'tls' }] }, [res({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c', namespace: 'default' }, spec: { secretName: 'tls', issuerRef: { name: 'le' } } })], 'ResolvedRefs', 'Secret/default/tls'],
    ['a missing Secret (still named: it may be issued later)', { certificateRefs: [{ name: 'tls' }] }, [], 'InvalidCertificateRef', 'Secret/default/tls'],
    ['a Secret in another namespace', { certificateRefs: [{ name: 'tls', namespace: 'other' }] }, [secret('tls', 'other')], 'RefNotPermitted', undefined],
    ['not a Secret', { certificateRefs: [{ name: 'tls', kind: 'ConfigMap' }] }, [], 'InvalidCertificateRef', undefined],
  ])('HTTPS with %s', (_n, tls, extra, reason, cert) => {
    const l = listener('https', { protocol: 'HTTPS', port: 443, hostname: HOST, tls });
    const { statuses, edge } = compile([...base([l]), ...extra, httpRoute('r', { rules: [hrule('a')] })]);
    expect(condition(status(statuses, 'Gateway/default/gw').listeners![0]!.conditions, 'ResolvedRefs')!.reason).toBe(reason);
    expect(edge.virtualHosts[0]).toMatchObject({ host: HOST, listeners: ['https'] });
    expect(edge.virtualHosts[0]!.certificate).toBe(cert);
    expect(edge.virtualHosts[0]!.redirectToHttps).toBeUndefined();
  });

  it('a route on both listeners is served on http and https; attachedRoutes counts it once per listener', () => {
    const ls = [listener('http', { hostname: HOST }), listener('https', { protocol: 'HTTPS', port: 443, hostname: HOST, tls: { certificateRefs: [{ name: 'tls' }] } })];
    const { statuses, edge } = compile([...base(ls), secret('tls'), httpRoute('r', { parentRefs: [{ name: 'gw' }, { name: 'gw', sectionName: 'https' }], rules: [hrule('a')] })]);
    expect(edge.virtualHosts).toEqual([expect.objectContaining({ host: HOST, listeners: ['http', 'https'], certificate: 'Secret/default/tls' })]);
    expect(status(statuses, 'Gateway/default/gw').listeners!.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['http', 1],
      ['https', 1],
    ]);
    expect(status(statuses, 'HTTPRoute/default/r').parents!.map((p) => p.parentRef)).toEqual([
      { namespace: 'default', name: 'gw' },
      { namespace: 'default', name: 'gw', sectionName: 'https' },
    ]);
  });

  it.each<[string, Record<string, unknown> | undefined, string, boolean]>([
    ['Same (the default) refuses another namespace', undefined, 'shop', false],
    ['Same takes its own namespace', undefined, 'default', true],
    ['All takes any namespace', { namespaces: { from: 'All' } }, 'shop', true],
    ['Selector matches namespace labels', { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } } }, 'shop', true],
    ['Selector matches the kubernetes.io/metadata.name label', { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } } }, 'shop', true],
    ['Selector refuses others', { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'other' } } } }, 'shop', false],
    ['kinds without HTTPRoute', { kinds: [{ kind: 'GRPCRoute' }] }, 'default', false],
  ])('allowedRoutes: %s', (_n, allowedRoutes, namespace, attached) => {
    const ns = res({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'shop' } } });
    const r = httpRoute('r', { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: [{ backendRefs: [{ name: 'a', port: 80 }] }] }, { namespace });
    const { statuses } = compile([...base([listener('http', allowedRoutes ? { allowedRoutes } : {})]), ns, service('a', undefined, 'shop'), r]);
    const accepted = condition(status(statuses, `HTTPRoute/${namespace}/r`).parents![0]!.conditions, 'Accepted')!;
    expect(accepted.status).toBe(attached ? 'True' : 'False');
    if (!attached) expect(accepted.reason).toBe('NotAllowedByListeners');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown sectionName', { name: 'gw', sectionName: 'nope' }, 'NoMatchingParent'],
    ['a port no listener has', { name: 'gw', port: 8443 }, 'NoMatchingParent'],
    ['the listener by name', { name: 'gw', sectionName: 'http' }, 'Accepted'],
  ])('parentRef with %s', (_n, ref, reason) => {
    const { statuses } = compile([...base(), httpRoute('r', { parentRefs: [ref], rules: [hrule('a')] })]);
    expect(condition(status(statuses, 'HTTPRoute/default/r').parents![0]!.conditions, 'Accepted')!.reason).toBe(reason);
  });
});

describe('HTTPRoute rules', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['RequestHeaderModifier', { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }], remove: ['x-b'] } }, { type: 'RequestHeaderModifier', set: [{ name: 'x-a', value: '1' }], remove: ['x-b'] }],
    ['RequestRedirect (302 by default)', { type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 443 } }, { type: 'RequestRedirect', scheme: 'https', port: 443, statusCode: 302 }],
    ['RequestRedirect with a path', { type: 'RequestRedirect', requestRedirect: { statusCode: 301, path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } } }, { type: 'RequestRedirect', statusCode: 301, path: { type: 'ReplaceFullPath', value: '/new' } }],
    ['URLRewrite', { type: 'URLRewrite', urlRewrite: { hostname: 'in.example', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } }, { type: 'URLRewrite', hostname: 'in.example', path: { type: 'ReplacePrefixMatch', value: '/v2' } }],
  ])('the %s filter', (_n, f, expected) => {
    const { edge } = compile([...base(), httpRoute('r', { rules: [hrule('a', undefined, { filters: [f] })] })]);
    expect(edge.virtualHosts[0]!.routes[0]!.filters).toEqual([expected]);
    expect(fragmentProblems(edge)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a ResponseHeaderModifier filter', { filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x', value: '1' }] } }] }],
    ['a RequestMirror filter', { filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'b', port: 80 } } }] }],
    ['a RegularExpression path', { matches: [{ path: { type: 'RegularExpression', value: '/a.*' } }] }],
    ['a RegularExpression header', { matches: [{ headers: [{ type: 'RegularExpression', name: 'x', value: '.*' }] }] }],
    ['a per-backend filter', { backendRefs: [{ name: 'a', port: 80, filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: '1' }] } }] }] }],
  ])('%s: that rule is not accepted (UnsupportedValue), the others are served', (_n, bad) => {
    const { statuses, edge, notes } = compile([...base(), httpRoute('r', { rules: [{ ...hrule('a'), ...bad }, hrule('b', [{ path: { type: 'PathPrefix', value: '/ok' } }])] })]);
    const parent = status(statuses, 'HTTPRoute/default/r').parents![0]!;
    expect(condition(parent.conditions, 'Accepted')!.status).toBe('True');
    expect(condition(parent.conditions, 'PartiallyInvalid')).toMatchObject({ status: 'True', reason: 'UnsupportedValue' });
    expect(edge.virtualHosts[0]!.routes.map((r) => r.id)).toEqual(['HTTPRoute/default/r/r1/m0']);
    expect(edge.backends.map((b) => b.id)).toEqual(['default/b:80']); // the dropped rule's backend is not programmed
    expect(notes).toContainEqual(expect.objectContaining({ object: 'HTTPRoute/default/r', severity: 'warning' }));

    const alone = compile([...base(), httpRoute('r', { rules: [{ ...hrule('a'), ...bad }] })]);
    expect(condition(status(alone.statuses, 'HTTPRoute/default/r').parents![0]!.conditions, 'Accepted')).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(alone.edge.virtualHosts).toEqual([]);
  });

  it('weights are kept (a 90/10 canary), 0 takes no traffic', () => {
    const { edge } = compile([...base(), httpRoute('r', { rules: [{ backendRefs: [{ name: 'a', port: 80, weight: 90 }, { name: 'b', port: 80, weight: 10 }, { name: 'b', port: 80, weight: 0 }] }] })]);
    expect(edge.virtualHosts[0]!.routes[0]!.backends).toEqual([
      { backend: 'default/a:80', weight: 90 },
      { backend: 'default/b:80', weight: 10 },
      { backend: 'default/b:80', weight: 0 },
    ]);
    expect(edge.backends.map((b) => b.id)).toEqual(['default/a:80', 'default/b:80']);
  });

  it.each<[string, Record<string, unknown>, string, string | undefined]>([
    ['a Service of the namespace', { name: 'a', port: 80 }, 'ResolvedRefs', undefined],
    ['a Service not defined', { name: 'nope', port: 80 }, 'BackendNotFound', 'Service default/nope is not defined in this revision'],
    ['a Service in another namespace', { name: 'a', namespace: 'other', port: 80 }, 'RefNotPermitted', 'needs a ReferenceGrant'],
    ['not a Service', { name: 'a', kind: 'Bucket', group: 'storage.example', port: 80 }, 'InvalidKind', 'is not a Service'],
  ])('backendRef to %s', (_n, ref, reason, invalid) => {
    const { statuses, edge } = compile([...base(), service('a', undefined, 'other'), httpRoute('r', { rules: [{ backendRefs: [ref] }] })]);
    const resolved = condition(status(statuses, 'HTTPRoute/default/r').parents![0]!.conditions, 'ResolvedRefs')!;
    expect(resolved.reason).toBe(reason);
    const backend = edge.backends.find((b) => b.id === edge.virtualHosts[0]!.routes[0]!.backends[0]!.backend)!;
    if (invalid) expect(backend.invalid).toContain(invalid);
    else expect(backend.invalid).toBeUndefined();
    expect(edge.backends.filter((b) => b.id === 'default/a:80').every((b) => !b.invalid)).toBe(true);
  });

  it.each<[Record<string, string>, Record<string, number> | undefined]>([
    [{ request: '10s' }, { requestMs: 10_000 }],
    [{ request: '1m30s', backendRequest: '500ms' }, { requestMs: 90_000, backendRequestMs: 500 }],
    [{ request: '0s' }, undefined],
  ])('timeouts %j', (timeouts, expected) => {
    const { edge } = compile([...base(), httpRoute('r', { rules: [hrule('a', undefined, { timeouts })] })]);
    expect(edge.virtualHosts[0]!.routes[0]!.timeouts).toEqual(expected);
  });

  it('methods are upper-cased, header and query matches kept', () => {
    const { edge } = compile([...base(), httpRoute('r', { rules: [hrule('a', [{ method: 'post', headers: [{ name: 'X-A', value: '1' }], queryParams: [{ name: 'q', value: 'v' }] }])] })]);
    expect(edge.virtualHosts[0]!.routes[0]).toMatchObject({ method: 'POST', headers: [{ name: 'X-A', value: '1' }], query: [{ name: 'q', value: 'v' }] });
    expect(routeFor(edge, { host: HOST, path: '/x', method: 'POST', headers: { 'x-a': '1' }, query: 'q=v' })).toBe('HTTPRoute/default/r/r0/m0');
    expect(routeFor(edge, { host: HOST, path: '/x', method: 'POST', headers: { 'x-a': '1' }, query: 'q=w' })).toBeUndefined();
  });
});

describe('which Gateway API objects are ours', () => {
  it.each<[string, Resource[], string[]]>([
    ['a GatewayClass of another controller', [gatewayClass('berth', 'example.com/other'), gateway('gw', [listener('http')])], ['Gateway/default/gw', 'GatewayClass/berth', 'HTTPRoute/default/r']],
    ['a Gateway whose class is not defined', [gateway('gw', [listener('http')], { className: 'missing' })], ['Gateway/default/gw', 'HTTPRoute/default/r']],
    ['a route whose Gateway is not defined', [], ['HTTPRoute/default/r']],
  ])('%s: not ours, each with an info note', (_n, objects, notOurs) => {
    const { statuses, notes, edge } = compile([...objects, service('a'), httpRoute('r', { rules: [hrule('a')] })]);
    expect(statuses.filter((s) => !s.ours).map((s) => s.object)).toEqual(notOurs);
    expect(notes.map((n) => [n.object, n.severity]).sort()).toEqual(notOurs.map((o) => [o, 'info']));
    expect(edge).toEqual({ virtualHosts: [], backends: [], certificates: [] });
  });

  it('an ours route reports only the parents berth serves', () => {
    const { statuses } = compile([...base(), gatewayClass('other', 'example.com/x'), gateway('theirs', [listener('http')], { className: 'other' }), httpRoute('r', { parentRefs: [{ name: 'theirs' }, { name: 'gw' }], rules: [hrule('a')] })]);
    const r = status(statuses, 'HTTPRoute/default/r');
    expect(r.ours).toBe(true);
    expect(r.parents!.map((p) => p.parentRef.name)).toEqual(['gw']);
    expect(status(statuses, 'GatewayClass/berth').conditions).toEqual([expect.objectContaining({ type: 'Accepted', status: 'True' })]);
    expect(r.hosts).toEqual([HOST]);
  });

  it('odd Gateway API objects compile without crashing', () => {
    const odd = [
      res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'default' }, spec: { gatewayClassName: 'berth', listeners: [null, { name: 'x' }] } }),
      res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: { parentRefs: [{ name: 'gw' }, null], rules: [null, { matches: [null], backendRefs: [null] }] } }),
      res({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bare', namespace: 'default' } }),
    ];
    const result = compile([gatewayClass('berth'), ...odd]);
    expect(result.statuses.map((s) => s.object)).toEqual(['Gateway/default/gw', 'GatewayClass/berth', 'HTTPRoute/default/bare', 'HTTPRoute/default/r']);
    expect(fragmentProblems(result.edge)).toEqual([]);
  });
});
