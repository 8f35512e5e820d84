import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/types.js';
import { res } from '../support/builders.js';
import { compile, fragmentProblems, ingress, ingressClass, ipath, routeFor, rule, secret, service, serviceFor } from './edge-support.js';

// The Ingress half of the route compiler (plan/edge/compile-ingress.ts, classes.ts). Requests are
// routed through the edge's own table (edge-support.ts routeFor), so each row checks the
// compiler's order and the edge's matching together.

const HOST = 'foo.bar.com';

describe('Ingress path matching: the Kubernetes docs examples table', () => {
  // Kubernetes docs, Ingress "Examples" (path types). Each path routes to s<i>; 'default' is the defaultBackend.
  it.each<[string, Array<[string, string]>, string[], string]>([
    ['Prefix / matches every path', [['Prefix', '/']], ['/', '/anything', '/a/b/c'], 's0'],
    ['Exact /foo matches /foo', [['Exact', '/foo']], ['/foo'], 's0'],
    ['Exact /foo does not match /bar', [['Exact', '/foo']], ['/bar'], 'default'],
    ['Exact /foo does not match /foo/', [['Exact', '/foo']], ['/foo/'], 'default'],
    ['Exact /foo/ does not match /foo', [['Exact', '/foo/']], ['/foo'], 'default'],
    ['Prefix /foo matches /foo and /foo/', [['Prefix', '/foo']], ['/foo', '/foo/'], 's0'],
    ['Prefix /foo/ matches /foo and /foo/', [['Prefix', '/foo/']], ['/foo', '/foo/'], 's0'],
    ['Prefix /aaa/bb does not match /aaa/bbb', [['Prefix', '/aaa/bb']], ['/aaa/bbb'], 'default'],
    ['Prefix /aaa/bbb matches /aaa/bbb', [['Prefix', '/aaa/bbb']], ['/aaa/bbb'], 's0'],
    ['Prefix /aaa/bbb/ matches /aaa/bbb (trailing slash ignored)', [['Prefix', '/aaa/bbb/']], ['/aaa/bbb'], 's0'],
    ['Prefix /aaa/bbb matches /aaa/bbb/ (trailing slash matched)', [['Prefix', '/aaa/bbb']], ['/aaa/bbb/'], 's0'],
    ['Prefix /aaa/bbb matches /aaa/bbb/ccc (subpath)', [['Prefix', '/aaa/bbb']], ['/aaa/bbb/ccc'], 's0'],
    ['Prefix /aaa/bbb does not match /aaa/bbbxyz (not a string prefix)', [['Prefix', '/aaa/bbb']], ['/aaa/bbbxyz'], 'default'],
    ['Prefix /, /aaa: /aaa/ccc matches /aaa', [['Prefix', '/'], ['Prefix', '/aaa']], ['/aaa/ccc'], 's1'],
    ['Prefix /, /aaa, /aaa/bbb: /aaa/bbb matches /aaa/bbb', [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], ['/aaa/bbb'], 's2'],
    ['Prefix /, /aaa, /aaa/bbb: /ccc matches /', [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], ['/ccc'], 's0'],
    ['Prefix /aaa: /ccc uses the default backend', [['Prefix', '/aaa']], ['/ccc'], 'default'],
    ['Mixed /foo Prefix and /foo Exact: /foo prefers Exact', [['Prefix', '/foo'], ['Exact', '/foo']], ['/foo'], 's1'],
    ['ImplementationSpecific is read as Prefix', [['ImplementationSpecific', '/foo']], ['/foo/bar', '/foo'], 's0'],
    ['ImplementationSpecific is not a string prefix', [['ImplementationSpecific', '/foo']], ['/foobar'], 'default'],
    ['ImplementationSpecific without a path is /', [['ImplementationSpecific', '']], ['/x'], 's0'],
  ])('%s', (_name, paths, requests, expected) => {
    const resources: Resource[] = [
      service('default'),
      ...paths.map((_, i) => service(`s${i}`)),
      ingress('web', { defaultBackend: { service: { name: 'default', port: { number: 80 } } }, rules: [rule(HOST, ...paths.map(([type, p], i) => ipath(p || undefined, type, `s${i}`)))] }),
    ];
    const { edge } = compile(resources);
    expect(fragmentProblems(edge)).toEqual([]);
    for (const path of requests) expect(serviceFor(edge, { host: HOST, path }), path).toBe(expected);
  });
});

describe('Ingress hosts', () => {
  const resources = [
    service('exact'),
    service('star'),
    service('other'),
    ingress('web', {
      rules: [rule('foo.bar.com', ipath('/', 'Prefix', 'exact')), rule('*.foo.com', ipath('/', 'Prefix', 'star')), rule('Shop.Example.COM.', ipath('/', 'Prefix', 'other'))],
    }),
  ];
  const { edge } = compile(resources);

  it.each([
    ['foo.bar.com', 'exact'],
    ['FOO.bar.com:8080', 'exact'],
    ['bar.foo.com', 'star'],
    ['baz.bar.foo.com', '404'], // an Ingress wildcard covers exactly one label
    ['foo.com', '404'], // nor the domain itself
    ['shop.example.com', 'other'], // hosts are lower-cased, the trailing dot dropped
    ['unknown.example.org', '404'],
  ])('%s → %s', (host, expected) => {
    expect(serviceFor(edge, { host, path: '/' })).toBe(expected);
  });

  it('lists exact hosts first, then wildcards (one-label flavour), each host once', () => {
    expect(edge.virtualHosts.map((v) => [v.host, v.wildcard])).toEqual([
      ['foo.bar.com', undefined],
      ['shop.example.com', undefined],
      ['*.foo.com', 'one-label'],
    ]);
  });

  it('sends rules without a host and the defaultBackend to the catch-all, the defaultBackend last', () => {
    const { edge: e, statuses } = compile([
      service('a'),
      service('d'),
      ingress('web', { defaultBackend: { service: { name: 'd', port: { number: 80 } } }, rules: [rule(undefined, ipath('/a', 'Prefix', 'a')), rule('x.com', ipath('/x', 'Exact', 'a'))] }),
    ]);
    expect(e.catchAll?.routes.map((r) => r.id)).toEqual(['Ingress/default/web/r0/p0', 'Ingress/default/web/default@*']);
    expect(e.virtualHosts[0]!.routes.map((r) => r.id)).toEqual(['Ingress/default/web/r1/p0', 'Ingress/default/web/default@x.com']);
    expect(serviceFor(e, { host: 'nobody.example', path: '/a/b' })).toBe('a');
    expect(serviceFor(e, { host: 'nobody.example', path: '/b' })).toBe('d');
    expect(serviceFor(e, { host: 'x.com', path: '/a' })).toBe('d'); // no fall-through to the catch-all's rules
    expect(statuses[0]!.hosts).toEqual(['*', 'x.com']);
    expect(fragmentProblems(e)).toEqual([]);
  });
});

describe('several Ingresses on one host', () => {
  const a = ingress('a', { rules: [rule(HOST, ipath('/api', 'Prefix', 'api'), ipath('/', 'Prefix', 'web'))] });
  const b = ingress('b', { rules: [rule(HOST, ipath('/api/v2', 'Prefix', 'v2'), ipath('/', 'Prefix', 'web2'))] });
  const services = [service('api'), service('web'), service('v2'), service('web2')];

  it('merge into one virtual host ordered by the one comparator', () => {
    const { edge } = compile([...services, b, a]);
    expect(edge.virtualHosts).toHaveLength(1);
    expect(edge.virtualHosts[0]!.routes.map((r) => r.id)).toEqual(['Ingress/default/b/r0/p0', 'Ingress/default/a/r0/p0', 'Ingress/default/a/r0/p1', 'Ingress/default/b/r0/p1']);
    expect(serviceFor(edge, { host: HOST, path: '/api/v2/x' })).toBe('v2');
    expect(serviceFor(edge, { host: HOST, path: '/api/v1' })).toBe('api');
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['same age: the first by namespace/name wins', {}, 'web', 'Ingress/default/b'],
    ['the older object wins', { 'Ingress/default/a': '2026-12-05T10:00:00Z', 'Ingress/default/b': '2026-12-01T10:00:00Z' }, 'web2', 'Ingress/default/a'],
    ['an object with a time is older than one not applied yet', { 'Ingress/default/b': '2026-12-05T10:00:00Z' }, 'web2', 'Ingress/default/a'],
  ])('a conflict on the same path: %s, and the loser gets a warning', (_n, times, winner, loser) => {
    const { edge, notes } = compile([...services, a, b], { createdAt: (o) => times[o] });
    expect(serviceFor(edge, { host: HOST, path: '/other' })).toBe(winner);
    expect(notes).toContainEqual(expect.objectContaining({ object: loser, severity: 'warning', message: expect.stringContaining('Prefix path /') }));
  });

  it('is deterministic whatever the order of the resources', () => {
    const one = compile([...services, a, b]);
    const two = compile([b, ...services.reverse(), a]);
    expect(two).toEqual(one);
  });
});

describe('Ingress backends', () => {
  it.each<[string, Resource[], number | string, string, string | undefined]>([
    ['by port number', [service('web', [{ port: 80 }])], 80, 'default/web:80', undefined],
    ['by port name', [service('web', [{ port: 80, name: 'http' }])], 'http', 'default/web:http', undefined],
    ['a missing Service', [], 80, 'default/web:80', 'Service default/web is not defined in this revision'],
    ['a missing port number', [service('web', [{ port: 8080, name: 'alt' }])], 80, 'default/web:80', 'Service default/web has no port 80 (its ports: alt (8080))'],
    ['a missing port name', [service('web', [{ port: 80 }])], 'http', 'default/web:http', 'Service default/web has no port "http" (its ports: 80)'],
  ])('%s', (_n, services, port, id, invalid) => {
    const { edge, statuses } = compile([...services, ingress('i', { rules: [rule(HOST, ipath('/', 'Prefix', 'web', port))] })]);
    expect(edge.backends).toEqual([{ id, service: { namespace: 'default', name: 'web', port: typeof port === 'number' ? { number: port } : { name: port } }, ...(invalid ? { invalid } : {}) }]);
    const resolved = statuses[0]!.conditions.find((c) => c.type === 'ResolvedRefs')!;
    expect(resolved.status).toBe(invalid ? 'False' : 'True');
    if (invalid) expect(resolved.message).toContain(invalid);
  });

  it('names Services in the Ingress own namespace and deduplicates backends by id', () => {
    const { edge } = compile([
      service('web', [{ port: 80 }], 'shop'),
      ingress('i', { rules: [rule('a.com', ipath('/', 'Prefix', 'web')), rule('b.com', ipath('/', 'Prefix', 'web'))] }, { namespace: 'shop' }),
    ]);
    expect(edge.backends.map((b) => [b.id, b.invalid])).toEqual([['shop/web:80', undefined]]);
  });

  it('a resource backend is not routed: the route answers 500 and a note says why', () => {
    const { edge, notes } = compile([ingress('i', { rules: [rule(HOST, { path: '/', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } })] })]);
    expect(edge.virtualHosts[0]!.routes[0]!.backends).toEqual([]);
    expect(notes).toContainEqual(expect.objectContaining({ severity: 'warning', message: expect.stringContaining('resource backend') }));
  });
});

describe('Ingress TLS', () => {
  const services = [service('web'), secret('tls')];
  const tlsIngress = (annotations: Record<string, string> = {}, tls: unknown[] = [{ hosts: ['a.com'], secretName: 'tls' }]) =>
    ingress('i', { tls, rules: [rule('a.com', ipath('/', 'Prefix', 'web')), rule('b.com', ipath('/', 'Prefix', 'web'))] }, { annotations });

  it.each<[string, Record<string, string>, boolean]>([
    ['redirects plain HTTP by default', {}, true],
    ['berth.dev/ssl-redirect: "false" turns the redirect off', { 'berth.dev/ssl-redirect': 'false' }, false],
    ['nginx.ingress.kubernetes.io/ssl-redirect: "false" turns it off', { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' }, false],
    ['berth.dev/ssl-redirect: "true" keeps it', { 'berth.dev/ssl-redirect': 'true' }, true],
  ])('%s', (_n, annotations, redirect) => {
    const { edge } = compile([...services, tlsIngress(annotations)]);
    const a = edge.virtualHosts.find((v) => v.host === 'a.com')!;
    expect(a).toMatchObject({ listeners: ['http', 'https'], certificate: 'Secret/default/tls' });
    expect(a.redirectToHttps ?? false).toBe(redirect);
    expect(edge.virtualHosts.find((v) => v.host === 'b.com')).toMatchObject({ listeners: ['http'] });
    expect(edge.virtualHosts.find((v) => v.host === 'b.com')!.certificate).toBeUndefined();
    expect(edge.certificates).toEqual([{ id: 'Secret/default/tls', secret: { namespace: 'default', name: 'tls' } }]);
    expect(fragmentProblems(edge)).toEqual([]);
  });

  it.each<[string, unknown[], string[]]>([
    ['an entry without hosts covers the hosts no other entry names', [{ secretName: 'tls' }], ['a.com', 'b.com']],
    ['a wildcard TLS host covers the rule hosts one label below', [{ hosts: ['*.com'], secretName: 'tls' }], ['a.com', 'b.com']],
    ['an entry without secretName serves nothing over https', [{ hosts: ['a.com'] }], []],
  ])('%s', (_n, tls, withCert) => {
    const { edge } = compile([...services, tlsIngress({}, tls)]);
    expect(edge.virtualHosts.filter((v) => v.certificate).map((v) => v.host)).toEqual(withCert);
  });

  it.each<[string, boolean, string[]]>([
    ['with a defaultBackend, a TLS host no rule names is served by it', true, ['a.com', 'b.com', 'tls-only.com']],
    ['without one, it is not served (a note says so)', false, ['a.com', 'b.com']],
  ])('%s', (_n, withDefault, hosts) => {
    const spec = { tls: [{ hosts: ['tls-only.com'], secretName: 'tls' }], rules: [rule('a.com', ipath('/', 'Prefix', 'web')), rule('b.com', ipath('/', 'Prefix', 'web'))] };
    const { edge, notes } = compile([...services, ingress('i', withDefault ? { ...spec, defaultBackend: { service: { name: 'web', port: { number: 80 } } } } : spec)]);
    expect(edge.virtualHosts.map((v) => v.host)).toEqual(hosts);
    if (withDefault) {
      expect(edge.virtualHosts[2]).toMatchObject({ listeners: ['http', 'https'], certificate: 'Secret/default/tls', redirectToHttps: true });
      expect(serviceFor(edge, { host: 'tls-only.com', path: '/x' })).toBe('web');
    } else expect(notes).toContainEqual(expect.objectContaining({ severity: 'info', message: expect.stringContaining('tls-only.com, which no rule') }));
  });

  it('two Ingresses naming different Secrets for one host: the older one wins, the other is told', () => {
    const one = ingress('one', { tls: [{ hosts: ['a.com'], secretName: 's1' }], rules: [rule('a.com', ipath('/one', 'Prefix', 'web'))] });
    const two = ingress('two', { tls: [{ hosts: ['a.com'], secretName: 's2' }], rules: [rule('a.com', ipath('/two', 'Prefix', 'web'))] });
    const times: Record<string, string> = { 'Ingress/default/two': '2026-01-01T00:00:00Z', 'Ingress/default/one': '2026-02-01T00:00:00Z' };
    const { edge, notes } = compile([service('web'), one, two], { createdAt: (o) => times[o] });
    expect(edge.virtualHosts[0]!.certificate).toBe('Secret/default/s2');
    expect(notes).toContainEqual(expect.objectContaining({ object: 'Ingress/default/one', severity: 'warning', message: expect.stringContaining('Secret/default/s1 is not used') }));
  });
});

describe('which Ingresses are ours', () => {
  const theirs = ingressClass('nginx', 'k8s.io/ingress-nginx');
  const ours = ingressClass('edge', 'berth.dev/ingress-controller');
  it.each<[string, Resource[], Record<string, unknown>, Record<string, string>, boolean, string?]>([
    ['no class, no IngressClass at all', [], {}, {}, true],
    ['the builtin class berth', [], { ingressClassName: 'berth' }, {}, true],
    ['a class of the revision naming berth', [ours], { ingressClassName: 'edge' }, {}, true],
    ['another controller class', [theirs], { ingressClassName: 'nginx' }, {}, false, 'set spec.ingressClassName: berth'],
    ['a class not in the revision', [], { ingressClassName: 'traefik' }, {}, false, 'add an IngressClass "traefik" with spec.controller: berth.dev/ingress-controller'],
    ['the legacy annotation naming berth', [], {}, { 'kubernetes.io/ingress.class': 'berth' }, true],
    ['the legacy annotation naming another class', [theirs], {}, { 'kubernetes.io/ingress.class': 'nginx' }, false],
    ['no class, another controller class is the default', [ingressClass('nginx', 'k8s.io/ingress-nginx', true)], {}, {}, false, 'default IngressClass "nginx"'],
    ['no class, our class is the default', [ingressClass('nginx', 'k8s.io/ingress-nginx'), ingressClass('edge', 'berth.dev/ingress-controller', true)], {}, {}, true],
    ['no class, classes exist but none is the default', [theirs], {}, {}, true],
    ['a class named berth of another controller', [ingressClass('berth', 'k8s.io/ingress-nginx')], { ingressClassName: 'berth' }, {}, false],
  ])('%s', (_n, classes, spec, annotations, expected, fix) => {
    const { edge, statuses, notes } = compile([...classes, service('web'), ingress('i', { ...spec, rules: [rule(HOST, ipath('/', 'Prefix', 'web'))] }, { annotations })]);
    expect(statuses).toEqual([expect.objectContaining({ object: 'Ingress/default/i', ours: expected })]);
    expect(edge.virtualHosts.length).toBe(expected ? 1 : 0);
    if (expected) expect(notes).toEqual([]);
    else expect(notes).toEqual([expect.objectContaining({ object: 'Ingress/default/i', severity: 'info', message: expect.stringContaining(fix ?? 'not served by berth') })]);
  });
});

describe('odd Ingresses compile without crashing', () => {
  it.each<[string, Record<string, unknown> | undefined]>([
    ['no spec', undefined],
    ['rules null', { rules: null }],
    ['a rule without http', { rules: [{ host: 'a.com' }] }],
    ['a path without backend', { rules: [{ host: 'a.com', http: { paths: [{ path: '/', pathType: 'Prefix' }] } }] }],
    ['a backend without port', { rules: [rule('a.com', { path: '/', pathType: 'Prefix', backend: { service: { name: 'web' } } })] }],
    ['tls null entries', { tls: [null, { hosts: null }], rules: [rule('a.com', ipath('/', 'Prefix', 'web'))] }],
  ])('%s', (_n, spec) => {
    const resources = [service('web'), res({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'odd', namespace: 'default' }, ...(spec ? { spec } : {}) })];
    const result = compile(resources);
    expect(result.statuses[0]!.object).toBe('Ingress/default/odd');
    expect(fragmentProblems(result.edge)).toEqual([]);
    expect(routeFor(result.edge, { host: 'a.com', path: '/' }) ?? '404').toMatch(/^(Ingress\/default\/odd\/r0\/p0|404)$/);
  });
});
