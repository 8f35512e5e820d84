import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, ingress, removeEdge, webApp, yamlDocs } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, podNames } from './support/harness.js';
import { steadyLoad, summarize } from './support/load.js';

/**
 * A rolling update behind an Ingress fails no request (docs/ingress.md): a pod leaves the edge's
 * routes (the fragment without it, acknowledged, its requests finished) before it gets SIGTERM,
 * and a new pod joins once ready. The Ingress's defaultBackend takes every host, so the load
 * needs no Host header.
 */
function revision(version: string): string {
  return yamlDocs(
    webApp({ version, replicas: 2, strategy: '{rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}', grace: 5 }),
    ingress({ name: 'web', defaultBackend: 'web' }),
  );
}

describe('edge: a rolling update behind an Ingress (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;

  beforeAll(async () => {
    t = await createE2eApp('edge-roll');
    edge = await edgePorts();
    await t.write({ 'app.yaml': revision('1.0') });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('v1 → v2 under steady load (keep-alive and new connections) fails zero requests', async () => {
    const v1Pods = podNames(await t.containers(), 'Deployment/default/web');
    await eventually('v1 behind the edge', async () => ((await edgeGet(edge.http, 'any.test').catch(() => undefined))?.json?.version === '1.0' ? true : undefined), 30_000);
    const url = `http://127.0.0.1:${edge.http}/`;
    const load = steadyLoad({ keepAlive: [url], fresh: [url] }, 20);
    await new Promise((r) => setTimeout(r, 1_500));
    await t.write({ 'app.yaml': revision('2.0') });
    const started = Date.now();
    const rolled = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '180s', ...edge.flags);
    const rolloutMs = Date.now() - started;
    await new Promise((r) => setTimeout(r, 2_000));
    await load.stop();

    expect(rolled.code, rolled.stderr).toBe(0);
    const v2Pods = podNames(await t.containers(), 'Deployment/default/web');
    expect(v2Pods.filter((p) => v1Pods.includes(p))).toEqual([]);
    const s = summarize(load.outcomes);
    console.log(`edge rollout ${Math.round(rolloutMs / 1000)} s; ${JSON.stringify(s.byKind)}; reused keep-alive connections retried ${load.retriedReused()}`);
    expect(s.failures).toEqual([]);
    for (const kind of ['keep-alive', 'new-connection'] as const) {
      expect(new Set(load.outcomes.filter((o) => o.kind === kind).map((o) => o.version)), kind).toEqual(new Set(['1.0', '2.0']));
    }
    const after = load.outcomes.filter((o) => o.at > started + rolloutMs + 500);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => o.version === '2.0')).toBe(true);
  });

  it('a pod waits for the edge to confirm it left; an edge that never does is reported (DrainTimeout) and the pod goes anyway', async () => {
    // A paused edge takes the fragment (files land on its volume) but never acknowledges it.
    await t.docker.getContainer(edge.name).pause();
    try {
      await t.write({ 'app.yaml': revision('2.0').replace('replicas: 2', 'replicas: 1') });
      const started = Date.now();
      const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s', ...edge.flags);
      expect(r.code, r.stderr).toBe(0);
      // The drain waited for the acknowledgement (10 s) before the pod was stopped.
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    } finally {
      await t.docker.getContainer(edge.name).unpause();
    }
    expect(podNames(await t.containers(), 'Deployment/default/web')).toHaveLength(1);
    const events = (await t.berth('get', 'events')).stdout;
    expect(events).toMatch(/DrainTimeout.*edge [0-9a-f]{12} did not confirm removing the pod within 10 s/);
  });
});
