import { describe, expect, it } from 'vitest';
import type { EdgeRoute } from '../../src/dataplane/edge-types.js';
import type { CompiledEdge, CompiledVirtualHost } from '../../src/plan/edge/compiled.js';
import { hostsUsingSecret, routingEffects } from '../../src/report/effects/routing.js';

const be = (name: string, port: number | string = 80, invalid?: string) => ({
  id: `shop/${name}:${port}`,
  service: { namespace: 'shop', name, port: typeof port === 'number' ? { number: port } : { name: port } },
  ...(invalid ? { invalid } : {}),
});
const route = (path: string, backends: Array<[string, number]>, extra: Partial<EdgeRoute> = {}): EdgeRoute => ({
  id: `Ingress/shop/web/r0/${path}`,
  path: { type: 'Prefix', value: path },
  backends: backends.map(([backend, weight]) => ({ backend, weight })),
  ...extra,
});
const host = (name: string, routes: EdgeRoute[], extra: Partial<CompiledVirtualHost> = {}): CompiledVirtualHost => ({ host: name, listeners: ['http'], routes, ...extra });
const table = (virtualHosts: CompiledVirtualHost[], extra: Partial<CompiledEdge> = {}): CompiledEdge => ({
  virtualHosts,
  backends: [be('web'), be('web-v2'), be('api', 'http'), be('gone', 80, 'no Service shop/gone')],
  certificates: [
    { id: 'Secret/shop/web-tls', secret: { namespace: 'shop', name: 'web-tls' } },
    { id: 'Secret/shop/new-tls', secret: { namespace: 'shop', name: 'new-tls' } },
  ],
  ...extra,
});
const web = [route('/', [['shop/web:80', 1]])];
const tls = (cert: string, redirect = true): Partial<CompiledVirtualHost> => ({ listeners: ['http', 'https'], certificate: cert, redirectToHttps: redirect });

describe('routingEffects: the offline diff says what a route table change does to traffic', () => {
  it.each<[string, CompiledEdge, CompiledEdge, string[]]>([
    ['nothing changed', table([host('shop.test', web)]), table([host('shop.test', web)]), []],
    ['a new host', table([]), table([host('shop.test', web)]), ['routing.host-add: host shop.test now served (HTTP): path / (Prefix) → service web:80']],
    ['a host removed', table([host('shop.test', web)]), table([]), ['routing.host-remove: host shop.test no longer served: requests for it get 404']],
    [
      'a backend swapped',
      table([host('shop.test', web)]),
      table([host('shop.test', [route('/', [['shop/web-v2:80', 1]])])]),
      ['routing.route: host shop.test: path / (Prefix) now routes to service web-v2:80 (was service web:80)'],
    ],
    [
      'a backend swapped before a default backend with the same match (the one the edge uses is told)',
      table([host('shop.test', [...web, route('/', [['shop/api:http', 1]])])]),
      table([host('shop.test', [route('/', [['shop/web-v2:80', 1]]), route('/', [['shop/api:http', 1]])])]),
      ['routing.route: host shop.test: path / (Prefix) now routes to service web-v2:80 (was service web:80)'],
    ],
    [
      'a path added and one removed',
      table([host('shop.test', [route('/old', [['shop/web:80', 1]]), ...web])]),
      table([host('shop.test', [route('/api', [['shop/api:http', 1]]), ...web])]),
      ['routing.route: host shop.test: path /api (Prefix) added → service api:http', 'routing.route: host shop.test: path /old (Prefix) removed'],
    ],
    [
      'a canary split',
      table([host('shop.test', web)]),
      table([host('shop.test', [route('/', [['shop/web:80', 90], ['shop/web-v2:80', 10]])])]),
      ['routing.route: host shop.test: path / (Prefix) now routes to service web:80 90% / service web-v2:80 10% (was service web:80)'],
    ],
    [
      'a backend that does not resolve',
      table([]),
      table([host('shop.test', [route('/', [['shop/gone:80', 1]])])]),
      ['routing.host-add: host shop.test now served (HTTP): path / (Prefix) → service gone:80 (not found: 500)'],
    ],
    [
      'matches by method, header and query are told apart',
      table([host('shop.test', [route('/', [['shop/web:80', 1]], { method: 'POST' })])]),
      table([host('shop.test', [route('/', [['shop/web:80', 1]], { method: 'POST', headers: [{ name: 'x-canary', value: '1' }], query: [{ name: 'v', value: '2' }] })])]),
      ['routing.route: host shop.test: path / (Prefix), POST, header x-canary: 1, query v=2 added → service web:80', 'routing.route: host shop.test: path / (Prefix), POST removed'],
    ],
    [
      'a redirect and a rewrite',
      table([host('shop.test', web)]),
      table([
        host('shop.test', [
          route('/', [], { filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }] }),
          route('/app', [['shop/web:80', 1]], { filters: [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/' } }] }),
        ]),
      ]),
      ['routing.route: host shop.test: path / (Prefix) now routes to a 301 redirect to https (was service web:80)', 'routing.route: host shop.test: path /app (Prefix) added → service web:80 (URLRewrite)'],
    ],
    [
      'TLS turned on, with the redirect',
      table([host('shop.test', web)]),
      table([host('shop.test', web, tls('Secret/shop/web-tls'))]),
      ['routing.tls: host shop.test: now served over HTTPS with Secret shop/web-tls', 'routing.redirect: host shop.test: plain HTTP now redirects to HTTPS (308)'],
    ],
    [
      'another Secret, redirect turned off',
      table([host('shop.test', web, tls('Secret/shop/web-tls'))]),
      table([host('shop.test', web, tls('Secret/shop/new-tls', false))]),
      ['routing.tls: host shop.test: TLS now from Secret shop/new-tls (was Secret shop/web-tls)', 'routing.redirect: host shop.test: plain HTTP no longer redirects to HTTPS'],
    ],
    [
      'TLS turned off',
      table([host('shop.test', web, tls('Secret/shop/web-tls'))]),
      table([host('shop.test', web)]),
      ['routing.tls: host shop.test: no longer served over HTTPS (was Secret shop/web-tls)', 'routing.redirect: host shop.test: plain HTTP no longer redirects to HTTPS'],
    ],
    [
      'an Ingress wildcard and a Gateway wildcard are different hosts',
      table([host('*.shop.test', web, { wildcard: 'one-label' })]),
      table([host('*.shop.test', web, { wildcard: 'suffix' })]),
      ['routing.host-add: host *.shop.test now served (HTTP): path / (Prefix) → service web:80', 'routing.host-remove: host *.shop.test no longer served: requests for it get 404'],
    ],
    ['a default backend added', table([]), table([], { catchAll: { routes: web } }), ['routing.default: requests for unknown hosts now go to service web:80']],
    ['a default backend removed', table([], { catchAll: { routes: web } }), table([]), ['routing.default: no default backend: requests for unknown hosts get 404']],
    [
      'a default backend changed',
      table([], { catchAll: { routes: web } }),
      table([], { catchAll: { routes: [route('/', [['shop/web-v2:80', 1]])] } }),
      ['routing.default: default backend: path / (Prefix) now routes to service web-v2:80 (was service web:80)'],
    ],
  ])('%s', (_name, before, after, expected) => {
    expect(routingEffects(before, after).map((e) => `${e.effect.kind}: ${e.effect.message}`)).toEqual(expected);
    expect(routingEffects(before, after).every((e) => !e.effect.destructive)).toBe(true);
  });

  it('hostsUsingSecret lists the hosts a Secret terminates TLS for', () => {
    const t = table([host('a.test', web, tls('Secret/shop/web-tls')), host('b.test', web), host('c.test', web, tls('Secret/shop/web-tls'))]);
    expect(hostsUsingSecret(t, 'Secret/shop/web-tls')).toEqual(['a.test', 'c.test']);
  });
});
