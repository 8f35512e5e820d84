import { describe, expect, it } from 'vitest';
import { validateEdgeConfig } from '../../src/dataplane/edge-validate.js';
import type { EdgeConfig } from '../../src/dataplane/protocol.js';
import { DataplaneConfigError, decodeConfig, decodeStatus, encodeEdgeConfig } from '../../src/dataplane/protocol.js';

const CERT = `sha256:${'a'.repeat(64)}`;
const valid: EdgeConfig = {
  app: 'shop',
  virtualHosts: [
    {
      host: 'shop.example.com',
      listeners: ['http', 'https'],
      certificate: CERT,
      redirectToHttps: true,
      routes: [
        { id: 'Ingress/shop/web/r0/p0', path: { type: 'Exact', value: '/login' }, backends: [{ backend: 'shop/web:80', weight: 1 }] },
        {
          id: 'HTTPRoute/shop/canary/r0/m0',
          path: { type: 'Prefix', value: '/' },
          method: 'GET',
          headers: [{ name: 'X-Canary', value: 'yes' }],
          query: [{ name: 'v', value: '2' }],
          filters: [
            { type: 'RequestHeaderModifier', set: [{ name: 'X-A', value: '1' }], remove: ['X-B'] },
            { type: 'URLRewrite', hostname: 'web.internal', path: { type: 'ReplacePrefixMatch', value: '/v2' } },
          ],
          backends: [
            { backend: 'shop/web:80', weight: 90 },
            { backend: 'shop/web-v2:80', weight: 10 },
          ],
          timeouts: { requestMs: 10_000, backendRequestMs: 5_000 },
        },
      ],
    },
    { host: '*.example.com', wildcard: 'one-label', listeners: ['http'], routes: [] },
  ],
  backends: [
    { id: 'shop/web:80', service: { namespace: 'shop', name: 'web', port: 80 }, endpoints: [{ name: 'web-1', ip: '10.1.0.5', port: 8080, ready: true }] },
    { id: 'shop/web-v2:80', service: { namespace: 'shop', name: 'web-v2', port: 80 }, endpoints: [], invalid: 'Service shop/web-v2 has no port 80' },
  ],
  certificates: [{ id: CERT, source: 'Secret/shop/web-tls' }],
  catchAll: { routes: [{ id: 'Ingress/shop/web/default', path: { type: 'Prefix', value: '/' }, backends: [{ backend: 'shop/web:80', weight: 1 }] }] },
};

function change(mutate: (c: EdgeConfig & Record<string, unknown>) => void): unknown {
  const c = structuredClone(valid) as EdgeConfig & Record<string, unknown>;
  mutate(c);
  return c;
}

describe('edge fragment validation', () => {
  it('accepts a full fragment and round-trips it through the envelope', () => {
    expect(validateEdgeConfig(valid)).toEqual([]);
    const { fileName, content } = encodeEdgeConfig(valid, 7);
    expect(fileName).toBe('config-7.json');
    const decoded = decodeConfig(content, 'edge', 7);
    expect(decoded.ok && decoded.config.payload).toEqual(valid);
    expect(decodeConfig(content, 'proxy', 7)).toMatchObject({ ok: false, error: { code: 'WRONG_KIND' } });
  });

  it.each<[string, (c: EdgeConfig & Record<string, unknown>) => void, string]>([
    ['app not a label', (c) => (c.app = 'Shop_1'), 'payload.app: must be a DNS-1123 label'],
    ['upper-case host', (c) => (c.virtualHosts[0]!.host = 'Shop.example.com'), 'payload.virtualHosts[0].host: must be a lower-case DNS name'],
    ['wildcard without its flavour', (c) => delete c.virtualHosts[1]!.wildcard, 'payload.virtualHosts[1].wildcard: required exactly when'],
    ['duplicate host', (c) => (c.virtualHosts[1] = { ...c.virtualHosts[0]!, routes: [] }), 'payload.virtualHosts[1].host: duplicate virtual host shop.example.com'],
    ['no listeners', (c) => (c.virtualHosts[0]!.listeners = []), 'payload.virtualHosts[0].listeners: must list http and/or https'],
    ['unknown certificate', (c) => (c.virtualHosts[0]!.certificate = `sha256:${'b'.repeat(64)}`), 'payload.virtualHosts[0].certificate: must be the id'],
    ['bad certificate id', (c) => (c.certificates[0]!.id = 'sha256:xyz'), 'payload.certificates[0].id: must be sha256:'],
    ['path without slash', (c) => (c.virtualHosts[0]!.routes[0]!.path.value = 'login'), 'payload.virtualHosts[0].routes[0].path.value: must start with "/"'],
    ['path type', (c) => ((c.virtualHosts[0]!.routes[0]!.path as { type: string }).type = 'Regex'), 'payload.virtualHosts[0].routes[0].path.type: must be Exact or Prefix'],
    ['lower-case method', (c) => (c.virtualHosts[0]!.routes[1]!.method = 'get'), 'payload.virtualHosts[0].routes[1].method: must be an upper-case HTTP method'],
    ['header value with CR', (c) => (c.virtualHosts[0]!.routes[1]!.headers![0]!.value = 'a\rb'), 'payload.virtualHosts[0].routes[1].headers[0]: must be'],
    ['unknown backend', (c) => (c.virtualHosts[0]!.routes[0]!.backends[0]!.backend = 'shop/nope:80'), 'payload.virtualHosts[0].routes[0].backends[0].backend: must be the id'],
    ['weight too big', (c) => (c.virtualHosts[0]!.routes[0]!.backends[0]!.weight = 1_000_001), 'payload.virtualHosts[0].routes[0].backends[0].weight: must be an integer from 0 to 1000000'],
    ['duplicate route id', (c) => (c.virtualHosts[0]!.routes[1]!.id = c.virtualHosts[0]!.routes[0]!.id), 'payload.virtualHosts[0].routes[1].id: duplicate route'],
    ['unknown filter', (c) => (c.virtualHosts[0]!.routes[1]!.filters = [{ type: 'Mirror' } as never]), 'payload.virtualHosts[0].routes[1].filters[0].type: must be'],
    ['redirect code', (c) => (c.virtualHosts[0]!.routes[1]!.filters = [{ type: 'RequestRedirect', statusCode: 305 as 301 }]), 'payload.virtualHosts[0].routes[1].filters[0].statusCode: must be one of'],
    ['timeout 0', (c) => (c.virtualHosts[0]!.routes[1]!.timeouts = { requestMs: 0 }), 'payload.virtualHosts[0].routes[1].timeouts.requestMs: must be a positive integer'],
    ['duplicate backend', (c) => (c.backends[1]!.id = c.backends[0]!.id), 'payload.backends[1].id: duplicate backend'],
    ['endpoint ip', (c) => (c.backends[0]!.endpoints[0]!.ip = 'web-1'), 'payload.backends[0].endpoints[0].ip: must be an IPv4 or IPv6 address'],
    ['endpoint port', (c) => (c.backends[0]!.endpoints[0]!.port = 0), 'payload.backends[0].endpoints[0].port: must be an integer from 1 to 65535'],
    ['duplicate endpoint', (c) => c.backends[0]!.endpoints.push({ ...c.backends[0]!.endpoints[0]! }), 'payload.backends[0].endpoints[1].name: duplicate endpoint'],
    ['catch-all route path', (c) => (c.catchAll!.routes[0]!.path.value = ''), 'payload.catchAll.routes[0].path.value: must start with "/"'],
  ])('rejects %s', (_what, mutate, problem) => {
    const problems = validateEdgeConfig(change(mutate));
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it('refuses to encode an invalid fragment, naming every problem', () => {
    expect(() => encodeEdgeConfig(change((c) => ((c.app = ''), (c.backends = 'x' as never))) as EdgeConfig, 1)).toThrow(DataplaneConfigError);
    try {
      encodeEdgeConfig(change((c) => ((c.app = ''), (c.backends = 'x' as never))) as EdgeConfig, 1);
    } catch (err) {
      expect((err as DataplaneConfigError).data.problems).toEqual(expect.arrayContaining(['payload.app: must be a DNS-1123 label', 'payload.backends: must be an array']));
    }
  });

  it('reads an edge status file', () => {
    const text = JSON.stringify({ format: 'berth.dataplane/v1', kind: 'edge', generation: 3, apps: {} });
    expect(decodeStatus(text)).toMatchObject({ ok: true, status: { kind: 'edge', generation: 3 } });
  });
});
