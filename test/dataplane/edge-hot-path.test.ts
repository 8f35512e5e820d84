import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/dataplane/edge-backends.js';
import { BackendSet, EndpointPool } from '../../src/dataplane/edge-backends.js';
import type { ResolveContext } from '../../src/dataplane/edge-resolve.js';
import { forwardHeaders } from '../../src/dataplane/edge-resolve.js';
import type { EdgeBackend } from '../../src/dataplane/edge-types.js';

// The per-request work of the edge: a backend's candidate endpoints (precomputed per
// configuration, rotated, failing ones last) and the forwarded headers (hop-by-hop ones and
// those Connection names dropped, the shared set never changed by a request).

const BACKEND: EdgeBackend = {
  id: 'b',
  service: { namespace: 'default', name: 'web', port: 80 },
  endpoints: [
    { name: 'p1', ip: '10.0.0.1', port: 8080, ready: true },
    { name: 'p2', ip: '10.0.0.2', port: 8080, ready: false },
    { name: 'p3', ip: '10.0.0.3', port: 8080, ready: true },
    { name: 'p4', ip: '10.0.0.4', port: 8080, ready: true },
  ],
};

let clock = 0;
const pools: EndpointPool[] = [];
afterEach(() => {
  for (const p of pools.splice(0)) p.destroy();
});

function setOf(backends: EdgeBackend[] = [BACKEND]): { set: BackendSet; pool: EndpointPool } {
  const pool = new EndpointPool(() => clock);
  pools.push(pool);
  pool.setConfigs([{ app: 'a', virtualHosts: [], backends, certificates: [] }]);
  return { set: new BackendSet(new Map(backends.map((b) => [b.id, b])), 'a', pool), pool };
}

const names = (eps: Endpoint[]) => eps.map((e) => e.name);

describe('BackendSet.candidates', () => {
  it('rotates over the ready endpoints, one step per call', () => {
    const { set } = setOf();
    expect([1, 2, 3, 4].map(() => names(set.candidates('b')))).toEqual([
      ['p1', 'p3', 'p4'],
      ['p3', 'p4', 'p1'],
      ['p4', 'p1', 'p3'],
      ['p1', 'p3', 'p4'],
    ]);
  });

  it.each([
    { name: 'an unknown backend', backends: [BACKEND], id: 'nope' },
    { name: 'a backend without ready endpoints', backends: [{ ...BACKEND, endpoints: [{ name: 'p', ip: '10.0.0.9', port: 80, ready: false }] }], id: 'b' },
  ])('$name has none', ({ backends, id }) => {
    expect(setOf(backends).set.candidates(id)).toEqual([]);
  });

  it('hands out one endpoint object (with its pooled agent) per ready endpoint', () => {
    const { set, pool } = setOf();
    const first = set.candidates('b');
    const second = set.candidates('b');
    expect(second.find((e) => e.name === 'p1')).toBe(first.find((e) => e.name === 'p1'));
    expect(first.map((e) => e.agent)).toEqual(first.map((e) => pool.agent(e.ip, e.port)));
    expect(first[0]).toMatchObject({ app: 'a', backend: 'b', name: 'p1', ip: '10.0.0.1', port: 8080 });
  });

  it('puts an endpoint whose connect failed last until its back-off ends, then in order again', () => {
    clock = 1_000;
    const { set, pool } = setOf();
    const p1 = set.candidates('b').find((e) => e.name === 'p1')!;
    pool.connectFailed(p1, 'ECONNREFUSED');
    expect(names(set.candidates('b'))).toEqual(['p3', 'p4', 'p1']);
    expect(names(set.candidates('b'))).toEqual(['p4', 'p3', 'p1']);
    clock += 60 * 60_000;
    expect(names(set.candidates('b'))).toEqual(['p1', 'p3', 'p4']);
    pool.connected(p1);
    expect(names(set.candidates('b'))).toEqual(['p3', 'p4', 'p1']);
  });
});

function request(headers: http.IncomingHttpHeaders): http.IncomingMessage {
  return { headers, socket: { remoteAddress: '192.0.2.7' } } as unknown as http.IncomingMessage;
}

const CTX = { scheme: 'http', listenPort: 80, trusted: undefined } as unknown as ResolveContext;

describe('forwardHeaders drops hop-by-hop headers', () => {
  it.each([
    { name: 'no Connection header', headers: { accept: '*/*', 'x-app': '1' }, kept: ['accept', 'x-app'] },
    { name: 'Connection naming only hop-by-hop headers', headers: { connection: 'keep-alive, Upgrade', 'keep-alive': 'timeout=5', accept: '*/*' }, kept: ['accept'] },
    { name: 'Connection naming another header', headers: { connection: 'close, X-Secret', 'x-secret': 's', 'x-app': '1' }, kept: ['x-app'] },
    { name: 'the standard hop-by-hop set', headers: { te: 'trailers', trailer: 'x', 'transfer-encoding': 'chunked', 'proxy-connection': 'x', upgrade: 'h2c', 'x-app': '1' }, kept: ['x-app'] },
  ])('$name', ({ headers, kept }) => {
    const out = forwardHeaders(CTX, request(headers));
    expect(Object.keys(out).filter((k) => !k.startsWith('x-forwarded-') && k !== 'x-real-ip').sort()).toEqual(kept);
  });

  it('a header one request names in Connection is forwarded on the next request', () => {
    forwardHeaders(CTX, request({ connection: 'X-Secret', 'x-secret': 's' }));
    expect(forwardHeaders(CTX, request({ 'x-secret': 's' }))['x-secret']).toBe('s');
  });
});
