import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, removeEdge, webApp } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Gateway API routes through the same edge (docs/ingress.md): an HTTPRoute's weighted backends
 * split requests 9:1 (smooth weighted round robin, deterministic), a RequestRedirect rule answers
 * on its own, and the route's status is the compiler's.
 */
/** The example app answering with its own name as the greeting, so a reply says who answered. */
function deployment(name: string): string {
  return webApp({ name, greeting: name, grace: 1, namedPort: true });
}

function gateway(port: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: berth}
spec: {controllerName: berth.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: berth
  listeners: [{name: http, protocol: HTTP, port: ${port}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: canary}
spec:
  parentRefs: [{name: edge}]
  hostnames: [gw.test]
  rules:
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}}]
  - backendRefs: [{name: stable, port: 80, weight: 9}, {name: canary, port: 80, weight: 1}]
`;
}

describe('edge: Gateway API routes (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;

  beforeAll(async () => {
    t = await createE2eApp('edge-gw');
    edge = await edgePorts();
  });
  afterAll(async () => {
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('splits 9:1 between weighted backends, redirects, and reports the route Accepted', async () => {
    await t.write({ 'stable.yaml': deployment('stable'), 'canary.yaml': deployment('canary'), 'gateway.yaml': gateway(edge.http) });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    await eventually('both backends ready behind the route', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) seen.add((await edgeGet(edge.http, 'gw.test')).json?.greeting ?? '');
      return seen.has('stable') && seen.has('canary') ? true : undefined;
    }, 30_000);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const g = (await edgeGet(edge.http, 'gw.test', '/x')).json?.greeting ?? 'none';
      counts[g] = (counts[g] ?? 0) + 1;
    }
    expect(counts).toEqual({ stable: 90, canary: 10 });

    const redirect = await edgeGet(edge.http, 'gw.test', '/old/page');
    expect(redirect.status).toBe(301);
    expect((await edgeGet(edge.http, 'other.test')).status).toBe(404);

    const route = JSON.parse((await t.berth('get', 'httproute', 'canary', '-o', 'json')).stdout) as { status: { parents: Array<{ conditions: Array<{ type: string; status: string }> }> } };
    expect(route.status.parents[0]!.conditions.map((c) => [c.type, c.status])).toEqual([['Accepted', 'True'], ['ResolvedRefs', 'True']]);
    const gtw = (await t.berth('get', 'gtw')).stdout.split('\n')[1]!.split(/\s{2,}/);
    expect(gtw.slice(0, 4)).toEqual(['edge', 'berth', 'localhost', 'True']);
  });
});
