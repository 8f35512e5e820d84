/**
 * Per-route counters of the edge: requests, responses by status class and a latency histogram
 * (milliseconds to the end of the response). Kept across reloads by (app, route id).
 */
import type { EdgeRouteStatus, EdgeStatusClass } from './edge-types.js';

export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000];

export class RouteMetrics {
  private readonly routes = new Map<string, EdgeRouteStatus>();

  /** Counters for a route, created on first use. */
  get(app: string, id: string): EdgeRouteStatus {
    const key = `${app}\0${id}`;
    let r = this.routes.get(key);
    if (!r) {
      r = {
        app,
        id,
        requests: 0,
        responses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
        latency: { bounds: LATENCY_BOUNDS_MS, counts: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0), sum: 0 },
      };
      this.routes.set(key, r);
    }
    return r;
  }

  record(r: EdgeRouteStatus, status: number, ms: number): void {
    r.requests++;
    const cls = `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx` as EdgeStatusClass;
    r.responses[cls]++;
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]!) i++;
    r.latency.counts[i]!++;
    r.latency.sum += ms;
  }

  /** Counters of the routes in `keep` (app, id); others (routes removed by a reload) are dropped. */
  list(keep: Array<{ app: string; id: string }>): EdgeRouteStatus[] {
    const wanted = new Set(keep.map((k) => `${k.app}\0${k.id}`));
    for (const key of this.routes.keys()) if (!wanted.has(key)) this.routes.delete(key);
    return keep.map((k) => this.get(k.app, k.id)).map((r) => ({ ...r, responses: { ...r.responses }, latency: { ...r.latency, counts: [...r.latency.counts] } }));
  }
}
