/**
 * The edge's per-route figures in the daemon's `/metrics` (docs/ingress.md "Metrics"): the edge
 * program counts in its status.json for every app it serves; the daemon exports its own app's
 * share, converted here without I/O. The figures are the edge's own totals, not counters the
 * daemon keeps, so they go back to 0 when the edge restarts (Prometheus' rate() reads that as a
 * reset) and they are written as text rather than through the registry, whose counters only go up.
 */
import type { EdgeRouteStatus, EdgeStatus, EdgeStatusClass, EndpointStatus } from '../../dataplane/protocol.js';
import type { Labels } from './prometheus.js';
import { formatValue, labelText } from './prometheus.js';

const CLASSES: readonly EdgeStatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];
const ENDPOINT_STATES: ReadonlyArray<EndpointStatus['state']> = ['serving', 'not-ready', 'draining', 'unreachable'];

/**
 * The edge series of `app`: `berth_edge_up` always; with a readable status (`status` given),
 * requests by route and status class, the latency histogram by route (seconds, cumulative
 * buckets as Prometheus wants them) and the app's endpoints by state. Without one, only
 * `berth_edge_up 0`: a scrape never fails for the edge. Ends with a newline.
 */
export function edgeMetricsText(app: string, status: EdgeStatus | undefined): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  family('berth_edge_up', 'gauge', "Whether the edge of this app's ports runs and its status is readable (1) or not (0).", [`berth_edge_up ${status ? 1 : 0}`]);
  if (status) {
    const routes = status.routes.filter((r) => r.app === app).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (routes.length > 0) {
      family(
        'berth_edge_requests_total',
        'counter',
        "Requests the edge answered on this app's routes, by route and status class (reset when the edge restarts).",
        routes.flatMap((r) => CLASSES.map((code) => `berth_edge_requests_total${labelText({ code, route: r.id })} ${formatValue(r.responses[code] ?? 0)}`)),
      );
      family(
        'berth_edge_request_duration_seconds',
        'histogram',
        "Time from a request's arrival at the edge to the end of its response, by route (reset when the edge restarts).",
        routes.flatMap(histogramLines),
      );
    }
    const endpoints = status.endpoints.filter((e) => e.app === app);
    family(
      'berth_edge_endpoints',
      'gauge',
      "This app's endpoints on the edge, by state (serving, not-ready, draining, unreachable).",
      ENDPOINT_STATES.map((state) => `berth_edge_endpoints${labelText({ state })} ${endpoints.filter((e) => e.state === state).length}`),
    );
  }
  return `${out.join('\n')}\n`;
}

/** The edge keeps one count per bucket in milliseconds (the last above the last bound); Prometheus wants seconds, cumulative. */
function histogramLines(r: EdgeRouteStatus): string[] {
  const name = 'berth_edge_request_duration_seconds';
  const labels: Labels = { route: r.id };
  const { bounds, counts, sum } = r.latency;
  const lines: string[] = [];
  let cumulative = 0;
  bounds.forEach((ms, i) => {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket${labelText({ ...labels, le: formatValue(ms / 1000) })} ${cumulative}`);
  });
  const count = counts.reduce((a, b) => a + b, 0);
  lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
  lines.push(`${name}_sum${labelText(labels)} ${formatValue(sum / 1000)}`);
  lines.push(`${name}_count${labelText(labels)} ${count}`);
  return lines;
}
