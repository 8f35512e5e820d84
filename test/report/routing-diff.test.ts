import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/types.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { selfSigned } from '../support/tls.js';
import type { EdgeSettings } from '../../src/model/policy.js';
import { gateway, gatewayClass, httpRoute, ingress, ipath, listener, secret, service } from '../plan/edge-support.js';

/**
 * The diff attaches routing effects to the change that causes them: the Ingress that adds a
 * host, or, when no Ingress changed, the Service or Secret that did.
 */
function diff(before: Resource[], after: Resource[], edge?: EdgeSettings) {
  return createDiffReport({ from: { id: 'a', origin: 'a' }, to: { id: 'b', origin: 'b' }, before, after, ...(edge ? { edge } : {}) });
}
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const effects = (r: ReturnType<typeof diff>, key: string) => r.changes.find((c) => c.key === key)?.effects.map((e) => `${e.kind}: ${e.message}`);

const shop = (svc: string, extra: Record<string, unknown> = {}) => ingress('shop', { rules: [{ host: 'shop.test', http: { paths: [ipath('/', 'Prefix', svc)] } }], ...extra });

describe('diff: routing changes on the changes that cause them', () => {
  it('a new Ingress says which host is now served and where it goes', () => {
    const r = diff([service('web')], [service('web'), shop('web')]);
    expect(effects(r, 'Ingress/default/shop')).toEqual(['routing.host-add: host shop.test now served (HTTP): path / (Prefix) → service web:80']);
  });

  it('an Ingress moved to another Service says so (the docs\' "host shop.example.com now routes to svc/web-v2")', () => {
    const r = diff([service('web'), service('web-v2'), shop('web')], [service('web'), service('web-v2'), shop('web-v2')]);
    expect(effects(r, 'Ingress/default/shop')).toEqual(['routing.route: host shop.test: path / (Prefix) now routes to service web-v2:80 (was service web:80)']);
  });

  it('an Ingress with a defaultBackend moved to another Service says so (the default behind `/` does not hide it)', () => {
    const withDefault = (svc: string) => shop(svc, { defaultBackend: { service: { name: 'web', port: { number: 80 } } } });
    const r = diff([service('web'), service('web-v2'), withDefault('web')], [service('web'), service('web-v2'), withDefault('web-v2')]);
    expect(effects(r, 'Ingress/default/shop')).toEqual(['routing.route: host shop.test: path / (Prefix) now routes to service web-v2:80 (was service web:80)']);
  });

  it('deleting the Service behind an unchanged Ingress is told on the Service: the route answers 500', () => {
    const r = diff([service('web'), shop('web')], [shop('web')]);
    expect(effects(r, 'Service/default/web')).toContain('routing.route: host shop.test: path / (Prefix) now routes to service web:80 (not found: 500) (was service web:80)');
  });

  const shopCert = selfSigned('shop.test');
  const otherCert = selfSigned('other.test');
  const tlsSecret = (pair: { crt: string; key: string }) => {
    const s = secret('shop-tls');
    return { ...s, object: { ...s.object, data: { 'tls.crt': b64(pair.crt), 'tls.key': b64(pair.key) } } } as Resource;
  };
  it.each<[string, { crt: string; key: string }, string]>([
    ['a new key pair: which hosts serve it', shopCert, 'routing.tls: secret shop-tls changed: shop.test serves its new certificate on new connections; open connections keep theirs'],
    [
      "the key of another certificate: the handshake fails, not 'serves its new certificate'",
      { crt: shopCert.crt, key: otherCert.key },
      "routing.tls: secret shop-tls changed and cannot serve TLS (tls.key is not the private key of tls.crt's first certificate): shop.test fails the TLS handshake on new connections",
    ],
  ])('a changed TLS Secret, %s', (_name, pair, expected) => {
    const tls = { tls: [{ hosts: ['shop.test'], secretName: 'shop-tls' }] };
    const r = diff([service('web'), shop('web', tls), tlsSecret(otherCert)], [service('web'), shop('web', tls), tlsSecret(pair)]);
    expect(effects(r, 'Secret/default/shop-tls')).toContain(expected);
  });

  // A Gateway listener is served only on the edge's own port: on a host whose edge is on 8000 it says 8000.
  const canary = (v1: number, v2: number) => [
    service('web-v1'),
    service('web-v2'),
    gatewayClass('berth'),
    gateway('gw', [listener('http', { port: 8000 })]),
    httpRoute('web', { hostnames: ['canary.test'], rules: [{ backendRefs: [{ name: 'web-v1', port: 80, weight: v1 }, { name: 'web-v2', port: 80, weight: v2 }] }] }),
  ];
  it.each<[string, EdgeSettings | undefined, string[]]>([
    ['the edge on 8000 (--edge-http-port 8000)', { httpPort: 8000, httpsPort: 8443 }, ['routing.route: host canary.test: path / (Prefix) now routes to service web-v1:80 50% / service web-v2:80 50% (was service web-v1:80 90% / service web-v2:80 10%)']],
    ['the edge on 80 (no flags): the listener is not served, so no route changes', undefined, []],
  ])('a canary weight change with a Gateway listener on 8000, %s', (_name, edge, expected) => {
    const r = diff(canary(90, 10), canary(50, 50), edge);
    expect(effects(r, 'HTTPRoute/default/web')!.filter((e) => e.startsWith('routing.'))).toEqual(expected);
  });

  it('a diff without edge objects compiles nothing and says nothing about routing', () => {
    const r = diff([service('web')], [service('web', [{ port: 8080, name: 'http' }])]);
    expect(effects(r, 'Service/default/web')!.some((e) => e.startsWith('routing.'))).toBe(false);
  });
});
