import { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import { packRootfs } from '../../../src/apply/images/rootfs.js';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { EdgeRouteStatus, EdgeStatus } from '../../../src/dataplane/protocol.js';
import type { HostPolicy } from '../../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../../src/model/policy.js';
import { edgeMetricsText } from '../../../src/runtime/api/edge-metrics.js';
import { createEdgeScrape, EDGE_SCRAPE_CACHE_MS, EDGE_SCRAPE_TIMEOUT_MS } from '../../../src/runtime/api/edge-scrape.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { FakeClock } from '../../support/fake-clock.js';

const STARTED = '2026-01-01T00:00:00.000Z';

function route(app: string, id: string, o: { responses?: Partial<EdgeRouteStatus['responses']>; bounds?: number[]; counts?: number[]; sum?: number } = {}): EdgeRouteStatus {
  const responses = { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, ...o.responses };
  const bounds = o.bounds ?? [5, 10];
  return {
    app,
    id,
    requests: Object.values(responses).reduce((a, b) => a + b, 0),
    responses,
    latency: { bounds, counts: o.counts ?? new Array<number>(bounds.length + 1).fill(0), sum: o.sum ?? 0 },
  };
}

function endpoint(app: string, name: string, state: EdgeStatus['endpoints'][number]['state']): EdgeStatus['endpoints'][number] {
  return { app, backend: `${app}/b`, name, ip: '10.0.0.1', ready: state !== 'not-ready', state, active: 0, total: 0, failures: 0 };
}

function edgeStatus(o: { routes?: EdgeRouteStatus[]; endpoints?: EdgeStatus['endpoints']; startedAt?: string } = {}): EdgeStatus {
  return {
    format: 'berth.dataplane/v1',
    kind: 'edge',
    generation: 1,
    checksum: null,
    appliedAt: null,
    startedAt: o.startedAt ?? STARTED,
    updatedAt: STARTED,
    pid: 1,
    listening: [],
    errors: [],
    apps: {},
    endpoints: o.endpoints ?? [],
    routes: o.routes ?? [],
    certificates: [],
  };
}

/** The sample lines (not HELP/TYPE) of these metric names, in output order. */
function samples(text: string, ...names: string[]): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && names.some((n) => l.startsWith(`${n}{`) || l.startsWith(`${n} `)));
}

const UP0 = "# HELP berth_edge_up Whether the edge of this app's ports runs and its status is readable (1) or not (0).\n# TYPE berth_edge_up gauge\nberth_edge_up 0\n";
const NO_ENDPOINTS = ['berth_edge_endpoints{state="serving"} 0', 'berth_edge_endpoints{state="not-ready"} 0', 'berth_edge_endpoints{state="draining"} 0', 'berth_edge_endpoints{state="unreachable"} 0'];

describe('edgeMetricsText: the edge status as Prometheus text', () => {
  it('without a readable status: berth_edge_up 0 and no other edge series', () => {
    expect(edgeMetricsText('shop', undefined)).toBe(UP0);
  });

  it.each([
    {
      name: "only this app's routes, every status class, sorted by route",
      status: edgeStatus({ routes: [route('shop', 'Ingress/default/web/r0/p1', { responses: { '2xx': 7, '4xx': 2 } }), route('other', 'Ingress/default/x/r0/p0', { responses: { '2xx': 99 } }), route('shop', 'Ingress/default/web/r0/p0', { responses: { '5xx': 1 } })] }),
      metric: 'berth_edge_requests_total',
      want: [
        'berth_edge_requests_total{code="1xx",route="Ingress/default/web/r0/p0"} 0',
        'berth_edge_requests_total{code="2xx",route="Ingress/default/web/r0/p0"} 0',
        'berth_edge_requests_total{code="3xx",route="Ingress/default/web/r0/p0"} 0',
        'berth_edge_requests_total{code="4xx",route="Ingress/default/web/r0/p0"} 0',
        'berth_edge_requests_total{code="5xx",route="Ingress/default/web/r0/p0"} 1',
        'berth_edge_requests_total{code="1xx",route="Ingress/default/web/r0/p1"} 0',
        'berth_edge_requests_total{code="2xx",route="Ingress/default/web/r0/p1"} 7',
        'berth_edge_requests_total{code="3xx",route="Ingress/default/web/r0/p1"} 0',
        'berth_edge_requests_total{code="4xx",route="Ingress/default/web/r0/p1"} 2',
        'berth_edge_requests_total{code="5xx",route="Ingress/default/web/r0/p1"} 0',
      ],
    },
    {
      name: 'route ids escaped as label values (backslash, double quote, newline)',
      status: edgeStatus({ routes: [route('shop', 'HTTPRoute/default/a"b\\c\nd/r0/m0', { responses: { '2xx': 1 } })] }),
      metric: 'berth_edge_requests_total',
      want: ['1xx 0', '2xx 1', '3xx 0', '4xx 0', '5xx 0'].map((c) => `berth_edge_requests_total{code="${c.split(' ')[0]}",route="HTTPRoute/default/a\\"b\\\\c\\nd/r0/m0"} ${c.split(' ')[1]}`),
    },
    {
      name: 'histogram: milliseconds to seconds, buckets cumulative, +Inf and _count the total, _sum in seconds',
      status: edgeStatus({ routes: [route('shop', 'Ingress/default/web/r0/p0', { bounds: [5, 10, 2_500], counts: [1, 2, 0, 3], sum: 12_345 })] }),
      metric: 'berth_edge_request_duration_seconds',
      want: [
        'berth_edge_request_duration_seconds_bucket{route="Ingress/default/web/r0/p0",le="0.005"} 1',
        'berth_edge_request_duration_seconds_bucket{route="Ingress/default/web/r0/p0",le="0.01"} 3',
        'berth_edge_request_duration_seconds_bucket{route="Ingress/default/web/r0/p0",le="2.5"} 3',
        'berth_edge_request_duration_seconds_bucket{route="Ingress/default/web/r0/p0",le="+Inf"} 6',
        'berth_edge_request_duration_seconds_sum{route="Ingress/default/web/r0/p0"} 12.345',
        'berth_edge_request_duration_seconds_count{route="Ingress/default/web/r0/p0"} 6',
      ],
    },
    {
      name: "endpoints: this app's, by state, every state listed",
      status: edgeStatus({ endpoints: [endpoint('shop', 'web-1', 'serving'), endpoint('shop', 'web-2', 'serving'), endpoint('shop', 'web-0', 'draining'), endpoint('other', 'x', 'unreachable')] }),
      metric: 'berth_edge_endpoints',
      want: ['berth_edge_endpoints{state="serving"} 2', 'berth_edge_endpoints{state="not-ready"} 0', 'berth_edge_endpoints{state="draining"} 1', 'berth_edge_endpoints{state="unreachable"} 0'],
    },
    {
      name: 'an edge without routes of this app: up, endpoints, no request series',
      status: edgeStatus({ routes: [route('other', 'Ingress/default/x/r0/p0')] }),
      metric: 'berth_edge_',
      want: ['berth_edge_up 1', ...NO_ENDPOINTS],
    },
  ])('$name', ({ status, metric, want }) => {
    const text = edgeMetricsText('shop', status);
    expect(metric === 'berth_edge_' ? text.split('\n').filter((l) => l.startsWith(metric)) : samples(text, metric, `${metric}_bucket`, `${metric}_sum`, `${metric}_count`)).toEqual(want);
    expect(samples(text, 'berth_edge_up')).toEqual(['berth_edge_up 1']);
  });

  it('is well-formed exposition text: each family HELP then TYPE once, every sample `name{labels} value`', () => {
    const text = edgeMetricsText('shop', edgeStatus({ routes: [route('shop', 'Ingress/default/web/r0/p0', { counts: [1, 0, 0], sum: 3 }), route('shop', 'Ingress/default/web/default')], endpoints: [endpoint('shop', 'w', 'serving')] }));
    expect(text.endsWith('\n')).toBe(true);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(types).toEqual(['# TYPE berth_edge_up gauge', '# TYPE berth_edge_requests_total counter', '# TYPE berth_edge_request_duration_seconds histogram', '# TYPE berth_edge_endpoints gauge']);
    for (const line of text.trimEnd().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^berth_edge_[a-z_]+(\{([a-z_]+="([^"\\\n]|\\["\\n])*",?)+\})? [0-9.e+-]+$/);
  });
});

/** An engine with (or without) the edge container; counts the calls that reach it. */
function fakeEngine(o: { edge?: { name: string; status?: EdgeStatus; running?: boolean; startedAt?: string }; inspectError?: number; hang?: boolean }) {
  const calls: string[] = [];
  const container = (name: string) => ({
    inspect: async () => {
      calls.push(`inspect ${name}`);
      if (o.hang) return new Promise(() => undefined);
      if (o.inspectError) throw Object.assign(new Error('engine says no'), { statusCode: o.inspectError });
      if (!o.edge || o.edge.name !== name) throw Object.assign(new Error('no such container'), { statusCode: 404 });
      return { Id: 'c0ffee', Config: { Labels: { 'berth.role': 'edge' } }, State: { Running: o.edge.running ?? true, Restarting: false, StartedAt: o.edge.startedAt ?? STARTED } };
    },
    getArchive: async () => {
      calls.push('getArchive');
      if (!o.edge?.status) throw Object.assign(new Error('no such file'), { statusCode: 404 });
      return Readable.from([await packRootfs([{ type: 'file', path: 'status.json', content: Buffer.from(JSON.stringify(o.edge.status)), mode: 0o644 }])]);
    },
  });
  const docker = { api: { getContainer: container } as unknown as Dockerode } as DockerClient;
  return { docker, calls };
}

function scrapeWith(engine: ReturnType<typeof fakeEngine>, o: { recorded?: HostPolicy; explicit?: HostPolicy } = {}) {
  const clock = new FakeClock(Date.parse(STARTED) + 60_000);
  const store = { getAppliedPolicy: () => o.recorded };
  return { clock, scrape: createEdgeScrape({ docker: engine.docker, store, clock, log: silentLogger() }, 'shop', o.explicit) };
}

const withEdge = (p: { httpPort: number; httpsPort: number }): HostPolicy => ({ ...DEFAULT_HOST_POLICY, edge: p });
const serving = edgeStatus({ routes: [route('shop', 'Ingress/default/web/r0/p0', { responses: { '2xx': 3 }, counts: [3, 0, 0], sum: 6 })] });

describe('createEdgeScrape: reads the edge of the app at scrape, never fails', () => {
  it.each([
    { name: 'no edge container (404)', engine: fakeEngine({}) },
    { name: 'an engine error', engine: fakeEngine({ inspectError: 500, edge: { name: 'berth-edge-80-443', status: serving } }) },
    { name: 'the edge stopped', engine: fakeEngine({ edge: { name: 'berth-edge-80-443', status: serving, running: false } }) },
    { name: 'no status.json yet', engine: fakeEngine({ edge: { name: 'berth-edge-80-443' } }) },
    { name: 'a status.json from before the last start', engine: fakeEngine({ edge: { name: 'berth-edge-80-443', status: serving, startedAt: '2026-01-01T00:00:30.000Z' } }) },
  ])('$name: berth_edge_up 0 only', async ({ engine }) => {
    expect(await scrapeWith(engine).scrape()).toBe(UP0);
  });

  it('an engine that does not answer: berth_edge_up 0 after the timeout', async () => {
    const { clock, scrape } = scrapeWith(fakeEngine({ hang: true }));
    const text = scrape();
    await clock.advance(EDGE_SCRAPE_TIMEOUT_MS);
    expect(await text).toBe(UP0);
  });

  it.each([
    { name: 'the default ports', o: {}, edge: 'berth-edge-80-443' },
    { name: "the app's recorded ports", o: { recorded: withEdge({ httpPort: 8080, httpsPort: 8443 }) }, edge: 'berth-edge-8080-8443' },
    { name: "the daemon's flags over the recorded ports", o: { recorded: withEdge({ httpPort: 8080, httpsPort: 8443 }), explicit: withEdge({ httpPort: 9080, httpsPort: 9443 }) }, edge: 'berth-edge-9080-9443' },
  ])('reads the edge of $name', async ({ o, edge }) => {
    const engine = fakeEngine({ edge: { name: edge, status: serving } });
    const text = await scrapeWith(engine, o).scrape();
    expect(engine.calls[0]).toBe(`inspect ${edge}`);
    expect(samples(text, 'berth_edge_up', 'berth_edge_requests_total', 'berth_edge_request_duration_seconds_count')).toEqual([
      'berth_edge_up 1',
      'berth_edge_requests_total{code="1xx",route="Ingress/default/web/r0/p0"} 0',
      'berth_edge_requests_total{code="2xx",route="Ingress/default/web/r0/p0"} 3',
      'berth_edge_requests_total{code="3xx",route="Ingress/default/web/r0/p0"} 0',
      'berth_edge_requests_total{code="4xx",route="Ingress/default/web/r0/p0"} 0',
      'berth_edge_requests_total{code="5xx",route="Ingress/default/web/r0/p0"} 0',
      'berth_edge_request_duration_seconds_count{route="Ingress/default/web/r0/p0"} 3',
    ]);
  });

  it('scrapes within the cache time share one reading; the next one reads again', async () => {
    const engine = fakeEngine({ edge: { name: 'berth-edge-80-443', status: serving } });
    const { clock, scrape } = scrapeWith(engine);
    const [a, b] = await Promise.all([scrape(), scrape()]);
    await clock.advance(EDGE_SCRAPE_CACHE_MS - 1);
    const c = await scrape();
    expect(engine.calls).toEqual(['inspect berth-edge-80-443', 'getArchive']);
    expect([b, c]).toEqual([a, a]);
    await clock.advance(1);
    await scrape();
    expect(engine.calls).toEqual(['inspect berth-edge-80-443', 'getArchive', 'inspect berth-edge-80-443', 'getArchive']);
  });
});
