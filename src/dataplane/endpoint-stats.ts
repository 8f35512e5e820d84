/**
 * Per-endpoint connection counters for status.json. An endpoint removed from the config stays
 * listed as `draining` while it still carries connections, so berth can tell when a pod it
 * took out of rotation has no traffic left and may be stopped.
 */
import type { Target } from './balancer.js';
import { endpointId } from './balancer.js';
import type { EndpointStatus, ProxyEndpoint } from './protocol.js';

/** An endpoint's connection counters, shared by the service proxies and the edge. */
export interface Counters {
  ip: string;
  active: number;
  total: number;
  failures: number;
  lastError?: string;
}

export class EndpointStats {
  private readonly counters = new Map<string, Counters>();
  private endpoints: ProxyEndpoint[] = [];

  setEndpoints(endpoints: ProxyEndpoint[]): void {
    this.endpoints = endpoints;
    const ids = new Set(endpoints.map(endpointId));
    for (const [id, c] of this.counters) if (!ids.has(id) && c.active === 0) this.counters.delete(id);
  }

  opened(t: Target): void {
    const c = this.get(t);
    c.active++;
    c.total++;
  }

  closed(t: Target): void {
    const c = this.get(t);
    c.active = Math.max(0, c.active - 1);
    if (c.active === 0 && !this.endpoints.some((e) => endpointId(e) === t.id)) this.counters.delete(t.id);
  }

  failed(t: Target, error: string): void {
    const c = this.get(t);
    c.failures++;
    c.lastError = error;
  }

  /** Open connections across all endpoints. */
  activeTotal(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.active;
    return n;
  }

  list(isFailing: (id: string) => boolean): EndpointStatus[] {
    const out: EndpointStatus[] = [];
    const listed = new Set<string>();
    for (const ep of this.endpoints) {
      const id = endpointId(ep);
      listed.add(id);
      const c = this.counters.get(id);
      const state = !ep.ready ? 'not-ready' : isFailing(id) ? 'unreachable' : 'serving';
      out.push(statusEntry(id, ep.ip, ep.ready, state, c));
    }
    for (const [id, c] of this.counters) {
      if (!listed.has(id)) out.push(statusEntry(id, c.ip, false, 'draining', c));
    }
    return out;
  }

  private get(t: Target): Counters {
    let c = this.counters.get(t.id);
    if (!c) {
      c = { ip: t.ip, active: 0, total: 0, failures: 0 };
      this.counters.set(t.id, c);
    }
    return c;
  }
}

/** One endpoint's status line from its counters (none yet: zeros). */
export function statusEntry(name: string, ip: string, ready: boolean, state: EndpointStatus['state'], c: Counters | undefined): EndpointStatus {
  return {
    name,
    ip,
    ready,
    state,
    active: c?.active ?? 0,
    total: c?.total ?? 0,
    failures: c?.failures ?? 0,
    ...(c?.lastError === undefined ? {} : { lastError: c.lastError }),
  };
}
