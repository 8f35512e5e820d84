import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts, EdgeReply } from './support/edge.js';
import { edgeGet, edgeObjects, edgePorts, ingress, removeEdge, webApp } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Ingress served by the host's edge (issue 16 step 4, docs/ingress.md), against the real engine:
 * precedence as Kubernetes defines it, an unknown host, a defaultBackend, a second app on the
 * same edge, a host two apps ask for, and the edge's removal with the last app's routes.
 */
/** The example app answering with its own name as the greeting, so a reply says who answered. */
function deployment(name: string): string {
  return webApp({ name, greeting: name, grace: 1, namedPort: true });
}

const shop = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  rules:
  - host: shop.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /api, pathType: Exact, backend: {service: {name: api, port: {name: http}}}}
---
${ingressFor('other', 'other.test', 'api')}`;

const fallback = ingress({ name: 'fallback', defaultBackend: 'web' });

function ingressFor(name: string, host: string, service: string): string {
  return ingress({ name, host, backend: service });
}

/** Who answered: the greeting of the example app's pod, or the status when it is not the app. */
function who(r: EdgeReply): string {
  return r.json?.greeting ?? `HTTP ${r.status}`;
}

describe('edge routing: Ingress through the host edge (real Docker)', () => {
  let one: E2eApp;
  let two: E2eApp;
  let edge: EdgePorts;
  const ask = async (host: string, path = '/') => who(await edgeGet(edge.http, host, path));
  /** Polls until every (host, path) answers as expected: the edge applies a fragment within its poll interval. */
  const routes = (want: Record<string, string>) =>
    eventually(
      `routes ${JSON.stringify(want)}`,
      async () => {
        const got: Record<string, string> = {};
        for (const k of Object.keys(want)) {
          const [host, path] = k.split(' ') as [string, string];
          got[k] = await ask(host, path);
        }
        return JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
      },
      30_000,
    );

  beforeAll(async () => {
    one = await createE2eApp('edge-one');
    two = await createE2eApp('edge-two');
    edge = await edgePorts();
  });
  afterAll(async () => {
    await removeEdge(one.docker, edge);
    await one.cleanup();
    await two.cleanup();
  });

  it('serves two Ingresses: Exact before Prefix, and an unknown host is a 404', async () => {
    await one.write({ 'web.yaml': deployment('web'), 'api.yaml': deployment('api'), 'ingress.yaml': shop });
    const r = await one.berth('apply', '-f', one.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`edge/${edge.name}: created`);
    expect(
      await routes({
        'shop.test /api': 'api',
        // Exact /api is no prefix: /api/x and /apix go to the Prefix / route.
        'shop.test /api/x': 'web',
        'shop.test /apix': 'web',
        'shop.test /': 'web',
        'other.test /': 'api',
        'SHOP.test /api': 'api',
        'unknown.test /': 'HTTP 404',
      }),
    ).toBeDefined();
    const info = await one.docker.getContainer(edge.name).inspect();
    expect(info.Config.Labels).toMatchObject({ 'berth.managed': 'true', 'berth.role': 'edge', 'berth.edge-ports': `${edge.http},${edge.https}` });
    expect(info.Config.Labels['berth.app']).toBeUndefined();
    expect(info.HostConfig).toMatchObject({ NetworkMode: 'host', CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'], ReadonlyRootfs: true, RestartPolicy: { Name: 'unless-stopped' } });
    expect(info.Mounts.map((m) => [m.Type, m.Name])).toEqual([['volume', edge.name]]);
    // get shows the edge's address and ports (kubectl's ADDRESS and PORTS columns).
    const ing = await one.berth('get', 'ing');
    expect(ing.code).toBe(0);
    expect(ing.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s{2,}/).slice(0, 5))).toEqual([
      ['other', '<none>', 'other.test', 'localhost', String(edge.http)],
      ['shop', '<none>', 'shop.test', 'localhost', String(edge.http)],
    ]);
    // A second apply of the same revision changes nothing on the edge.
    const again = await one.berth('apply', '-f', one.dir, ...edge.flags);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('edge/');
  });

  it('a defaultBackend takes the hosts no rule names', async () => {
    await one.write({ 'web.yaml': deployment('web'), 'api.yaml': deployment('api'), 'ingress.yaml': shop, 'fallback.yaml': fallback });
    // Without the edge flags: the app's recorded ports hold (the edge does not move to :80).
    const r = await one.berth('apply', '-f', one.dir, '--wait', '--timeout', '60s');
    expect(r.code, r.stderr).toBe(0);
    expect(await routes({ 'unknown.test /': 'web', 'shop.test /api': 'api', 'other.test /x': 'api' })).toBeDefined();
  });

  it('a second app shares the edge; a host the first app holds stays with it, and the second is told', async () => {
    await two.write({ 'two.yaml': deployment('two'), 'ingress.yaml': ingressFor('two', 'two.test', 'two') });
    const r = await two.berth('apply', '-f', two.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('created (the app has routes');
    expect(await routes({ 'two.test /': 'two', 'shop.test /': 'web', 'other.test /': 'api' })).toBeDefined();
    expect((await edgeObjects(one.docker, edge)).containers).toEqual([edge.name]);

    await two.write({ 'two.yaml': deployment('two'), 'ingress.yaml': ingressFor('two', 'two.test', 'two'), 'steal.yaml': ingressFor('steal', 'shop.test', 'two') });
    const steal = await two.berth('apply', '-f', two.dir, '--wait', '--timeout', '60s', ...edge.flags);
    expect(steal.code, steal.stderr).toBe(0);
    const events = await eventually(
      'a HostConflict event',
      async () => {
        // A pass after the edge applied the fragment reads the conflict from its status.
        await two.berth('apply', '-f', two.dir, ...edge.flags);
        const ev = await two.berth('get', 'events');
        return ev.stdout.includes('HostConflict') ? ev.stdout : undefined;
      },
      30_000,
      1_000,
    );
    expect(events).toContain(`host shop.test is held by app ${one.app}`);
    expect(await routes({ 'shop.test /': 'web', 'two.test /': 'two' })).toBeDefined();
  });

  it('berth delete of an Ingress takes its routes off the edge at once', async () => {
    const r = await one.berth('delete', 'ingress', 'other');
    expect(r.code, r.stderr).toBe(0);
    // other.test now falls to the app's defaultBackend (web), with no apply in between.
    expect(await routes({ 'other.test /': 'web', 'shop.test /api': 'api' })).toBeDefined();
  });

  it('the edge and its volume go when the last app with routes drops them', async () => {
    await two.write({ 'two.yaml': deployment('two') });
    const r2 = await two.berth('apply', '-f', two.dir, '--prune', '--all', ...edge.flags);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain(`edge/${edge.name}: routes written (this app routes through it no more)`);
    expect(await routes({ 'two.test /': 'web', 'shop.test /': 'web', 'other.test /': 'web' })).toBeDefined();
    expect((await edgeObjects(one.docker, edge)).containers).toEqual([edge.name]);

    await one.write({ 'web.yaml': deployment('web'), 'api.yaml': deployment('api') });
    const r1 = await one.berth('apply', '-f', one.dir, '--prune', '--all', ...edge.flags);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toContain(`edge/${edge.name}: deleted (no app routes through it any more)`);
    expect(await edgeObjects(one.docker, edge)).toEqual({ containers: [], volumes: [] });
  });
});
