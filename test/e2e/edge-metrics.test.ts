import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { EdgePorts } from './support/edge.js';
import { edgeGet, edgePorts, ingress, removeEdge, webApp, yamlDocs } from './support/edge.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * The edge's per-route figures in the daemon's /metrics (issue 16, docs/ingress.md "Metrics"),
 * against the real engine: a daemon watching a folder runs an Ingress on free edge ports;
 * requests answered 200 and 404 by the backend show up as counters by status class and as the
 * histogram's count, for this app's route ids only; a restarted edge starts again from 0.
 */
const revision = yamlDocs(
  webApp({
    grace: 1,
    // A backend that answers 404 for /missing and 200 otherwise.
    command: ['node', '-e', 'require("http").createServer((q, s) => { s.writeHead(q.url === "/missing" ? 404 : 200); s.end("ok") }).listen(8080)'],
  }),
  ingress({ name: 'probe', host: 'probe.test' }),
  ingress({ name: 'shop', host: 'shop.test' }),
);

const ROUTE = 'Ingress/default/shop/r0/p0';

/** The sample lines of the edge series, as a map from series to value. */
function edgeSeries(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.startsWith('berth_edge_'))
      .map((l) => [l.slice(0, l.lastIndexOf(' ')), l.slice(l.lastIndexOf(' ') + 1)] as const),
  );
}

describe('edge metrics in the daemon /metrics (real Docker)', () => {
  let t: E2eApp;
  let edge: EdgePorts;
  let daemon: DaemonProcess;
  const metrics = async () => {
    const r = await daemon.api('/metrics');
    expect(r.status).toBe(200);
    return r.text;
  };

  beforeAll(async () => {
    t = await createE2eApp('edge-metrics');
    edge = await edgePorts();
    await t.write({ 'app.yaml': revision });
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, ...edge.flags]);
  });
  afterAll(async () => {
    await killDaemons();
    await removeEdge(t.docker, edge);
    await t.cleanup();
  });

  it('counts the requests of a route by status class, with their latency histogram', async () => {
    // Polled on the other Ingress, so the counted route sees only the requests below.
    await eventually('the edge serves the app', async () => ((await edgeGet(edge.http, 'probe.test').catch(() => undefined))?.status === 200 ? true : undefined), 120_000);
    const replies: number[] = [];
    for (const path of ['/', '/a', '/b', '/missing', '/missing']) replies.push((await edgeGet(edge.http, 'shop.test', path)).status);
    expect(replies).toEqual([200, 200, 200, 404, 404]);

    // The edge writes its status every 500 ms while counters change; the daemon reads it at most every 5 s.
    const series = await eventually('the requests in /metrics', async () => {
      const s = edgeSeries(await metrics());
      return s.get(`berth_edge_request_duration_seconds_count{route="${ROUTE}"}`) === '5' ? s : undefined;
    }, 30_000);
    expect(series.get('berth_edge_up')).toBe('1');
    expect(['1xx', '2xx', '3xx', '4xx', '5xx'].map((code) => series.get(`berth_edge_requests_total{code="${code}",route="${ROUTE}"}`))).toEqual(['0', '3', '0', '2', '0']);
    expect(series.get(`berth_edge_request_duration_seconds_bucket{route="${ROUTE}",le="+Inf"}`)).toBe('5');
    // Cumulative buckets never go down and end at the count.
    const buckets = [...series].filter(([k]) => k.startsWith(`berth_edge_request_duration_seconds_bucket{route="${ROUTE}"`)).map(([, v]) => Number(v));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(buckets.at(-1)).toBe(5);
    expect(series.get('berth_edge_endpoints{state="serving"}')).toBe('1');
    // Only this app's routes, by the edge's ids.
    expect([...new Set([...series.keys()].flatMap((k) => /route="([^"]*)"/.exec(k)?.[1] ?? []))].sort()).toEqual(['Ingress/default/probe/r0/p0', ROUTE]);
  });

  it('a restarted edge counts from 0 again (Prometheus reads it as a counter reset)', async () => {
    await t.docker.getContainer(edge.name).restart({ t: 10 });
    await eventually('the edge listens again', async () => ((await edgeGet(edge.http, 'probe.test').catch(() => undefined))?.status === 200 ? true : undefined), 30_000);
    expect((await edgeGet(edge.http, 'shop.test', '/missing')).status).toBe(404);
    const series = await eventually('the new counts in /metrics', async () => {
      const s = edgeSeries(await metrics());
      return s.get(`berth_edge_request_duration_seconds_count{route="${ROUTE}"}`) === '1' ? s : undefined;
    }, 30_000);
    expect(series.get('berth_edge_up')).toBe('1');
    expect(series.get(`berth_edge_requests_total{code="2xx",route="${ROUTE}"}`)).toBe('0');
    expect(series.get(`berth_edge_requests_total{code="4xx",route="${ROUTE}"}`)).toBe('1');
  });

  it('no edge on the ports of an app: berth_edge_up 0 and no other edge series, and the scrape still answers', async () => {
    // Another app on other ports, with no route: nothing runs an edge there.
    const other = await createE2eApp('edge-metrics-none');
    let d: DaemonProcess | undefined;
    try {
      const ports = await edgePorts();
      await other.write({ 'app.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n' });
      d = await startDaemon(['--watch', other.dir, '--app', other.app, '--state-dir', other.stateDir, ...ports.flags]);
      const r = await d.api('/metrics');
      expect(r.status).toBe(200);
      expect(r.text).toContain('berth_syncs_total');
      expect([...edgeSeries(r.text)]).toEqual([['berth_edge_up', '0']]);
    } finally {
      if (d?.alive()) {
        d.kill('SIGTERM');
        await d.exited;
      }
      await other.cleanup();
    }
  });
});
