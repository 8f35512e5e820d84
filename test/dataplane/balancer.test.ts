import { describe, expect, it } from 'vitest';
import { Balancer, FAILURE_BACKOFF_MS } from '../../src/dataplane/balancer.js';
import type { ProxyConfig } from '../../src/dataplane/protocol.js';

function config(ready: string[], notReady: string[] = [], affinity: ProxyConfig['sessionAffinity'] = { type: 'None' }): ProxyConfig {
  return {
    service: { namespace: 'ns', name: 'svc' },
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'admin', protocol: 'TCP', port: 81 },
    ],
    endpoints: [
      ...ready.map((ip) => ({ ip, ready: true, ...(ip.endsWith('.1') ? { ports: { admin: 9000 } } : {}) })),
      ...notReady.map((ip) => ({ ip, ready: false })),
    ],
    sessionAffinity: affinity,
  };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const first = (b: Balancer, port = 'http', client = '10.9.0.1') => b.candidates(port, client)[0]?.ip;

describe('Balancer', () => {
  it('rotates round-robin over ready endpoints and offers the rest as fallbacks', () => {
    const b = new Balancer(clock().now);
    b.update(config(['10.0.0.1', '10.0.0.2', '10.0.0.3'], ['10.0.0.4']));
    expect(b.candidates('http', 'c').map((t) => `${t.ip}:${t.port}`)).toEqual(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080']);
    expect([first(b), first(b), first(b), first(b)]).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2']);
  });

  it('uses per-endpoint target ports and skips endpoints without one', () => {
    const b = new Balancer(clock().now);
    b.update(config(['10.0.0.1', '10.0.0.2']));
    expect(b.candidates('admin', 'c')).toEqual([{ id: '10.0.0.1', ip: '10.0.0.1', port: 9000 }]);
    expect(b.hasTargets('admin')).toBe(true);
    expect(b.candidates('nope', 'c')).toEqual([]);
  });

  it('moves failing endpoints to the back until their back-off ends, doubling it per failure', () => {
    const c = clock();
    const b = new Balancer(c.now);
    b.update(config(['10.0.0.1', '10.0.0.2']));
    const dead = { id: '10.0.0.1', ip: '10.0.0.1', port: 8080 };
    expect(b.failed(dead)).toBe(true);
    expect(b.failed(dead)).toBe(false); // same streak: log once
    for (let i = 0; i < 4; i++) expect(first(b)).toBe('10.0.0.2');
    c.advance(FAILURE_BACKOFF_MS.min * FAILURE_BACKOFF_MS.factor + 1);
    expect(new Set([first(b), first(b)])).toEqual(new Set(['10.0.0.1', '10.0.0.2']));
    expect(b.connected(dead, 'c')).toBe(true); // recovered
    expect(b.isFailing('10.0.0.1')).toBe(false);
  });

  it('keeps a client on its endpoint under ClientIP affinity until the timeout of inactivity', () => {
    const c = clock();
    const b = new Balancer(c.now);
    b.update(config(['10.0.0.1', '10.0.0.2', '10.0.0.3'], [], { type: 'ClientIP', timeoutSeconds: 10 }));
    const t = b.candidates('http', '192.168.1.5')[0]!;
    b.connected(t, '192.168.1.5');
    for (let i = 0; i < 5; i++) {
      c.advance(9_000);
      expect(first(b, 'http', '192.168.1.5')).toBe(t.ip);
      b.connected(t, '192.168.1.5'); // each new connection refreshes the timer
    }
    // Other clients still rotate.
    expect(new Set([first(b), first(b), first(b)]).size).toBe(3);
    c.advance(10_001);
    const picks = new Set<string>();
    for (let i = 0; i < 3; i++) picks.add(first(b, 'http', '192.168.1.5')!);
    expect(picks.size).toBe(3); // no longer pinned
  });

  it('counts the affinity timeout from the end of the last connection', () => {
    const c = clock();
    const b = new Balancer(c.now);
    b.update(config(['10.0.0.1', '10.0.0.2'], [], { type: 'ClientIP', timeoutSeconds: 10 }));
    const t = b.candidates('http', 'cl')[0]!;
    b.connected(t, 'cl');
    c.advance(60_000); // a long-lived connection
    b.released(t, 'cl');
    c.advance(5_000);
    expect([first(b, 'http', 'cl'), first(b, 'http', 'cl')]).toEqual([t.ip, t.ip]);
  });

  it('drops affinity to an endpoint that leaves or stops being ready', () => {
    const b = new Balancer(clock().now);
    const aff = { type: 'ClientIP' as const, timeoutSeconds: 100 };
    b.update(config(['10.0.0.1', '10.0.0.2'], [], aff));
    b.connected({ id: '10.0.0.2', ip: '10.0.0.2', port: 8080 }, 'cl');
    expect(first(b, 'http', 'cl')).toBe('10.0.0.2');
    b.update(config(['10.0.0.1', '10.0.0.3'], ['10.0.0.2'], aff));
    const picks = new Set([first(b, 'http', 'cl'), first(b, 'http', 'cl')]);
    expect(picks).toEqual(new Set(['10.0.0.1', '10.0.0.3']));
  });

  it('does not honour affinity to an endpoint in failure back-off', () => {
    const b = new Balancer(clock().now);
    b.update(config(['10.0.0.1', '10.0.0.2'], [], { type: 'ClientIP', timeoutSeconds: 100 }));
    const sticky = { id: '10.0.0.1', ip: '10.0.0.1', port: 8080 };
    b.connected(sticky, 'cl');
    b.failed(sticky);
    expect(first(b, 'http', 'cl')).toBe('10.0.0.2');
  });
});
