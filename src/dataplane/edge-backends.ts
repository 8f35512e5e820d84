/**
 * Backends of the edge: smooth weighted round robin between a route's backends (nginx's
 * algorithm: deterministic, spreads picks evenly), then round robin over a backend's ready
 * endpoints with passive back-off (an endpoint whose connects fail goes last for a while,
 * FAILURE_BACKOFF_MS, as in the service proxy). One keep-alive http.Agent per endpoint
 * address, kept across reloads while the address stays configured.
 */
import http from 'node:http';
import { FAILURE_BACKOFF_MS } from './balancer.js';
import type { EdgeBackend, EdgeConfig, EndpointStatus } from './protocol.js';
import { statusEntry, type Counters } from './endpoint-stats.js';

/** Upstream idle sockets close after this: below Node's 5 s server default, so we never reuse one the pod is closing. */
export const UPSTREAM_IDLE_MS = 4_000;

export interface Endpoint {
  app: string;
  backend: string;
  name: string;
  ip: string;
  port: number;
  agent: http.Agent;
}


interface Health {
  failures: number;
  retryAt: number;
}

/** A backend's ready endpoints, built once per configuration (a fragment never changes), and its round-robin cursor. */
interface ReadyRing {
  endpoints: Endpoint[];
  cursor: number;
}

export class BackendSet {
  private readonly rings = new Map<string, ReadyRing>();
  constructor(
    readonly byId: Map<string, EdgeBackend>,
    private readonly app: string,
    private readonly pool: EndpointPool,
  ) {}

  /** Ready endpoints of a backend, healthy ones first, rotated round robin. */
  candidates(backendId: string): Endpoint[] {
    const ring = this.ring(backendId);
    const ready = ring.endpoints;
    const n = ready.length;
    if (n === 0) return [];
    const start = ring.cursor;
    ring.cursor = (start + 1) % n;
    const rotated = new Array<Endpoint>(n);
    for (let i = 0; i < n; i++) rotated[i] = ready[(start + i) % n]!;
    // The hot path: no endpoint of any app has failed a connect, so none goes last.
    if (!this.pool.hasFailures()) return rotated;
    const now = this.pool.now();
    const ok: Endpoint[] = [];
    const bad: Endpoint[] = [];
    for (const e of rotated) (this.pool.failing(e.ip, e.port, now) ? bad : ok).push(e);
    return bad.length === 0 ? ok : [...ok, ...bad];
  }

  /**
   * Built on a backend's first request, not with the set: the agents are taken from the pool
   * after it has been told the configuration (pool.setConfigs runs before the table is swapped
   * in), so the pool never holds an agent for an address the configuration does not list.
   */
  private ring(backendId: string): ReadyRing {
    let ring = this.rings.get(backendId);
    if (!ring) {
      const endpoints = (this.byId.get(backendId)?.endpoints ?? [])
        .filter((e) => e.ready)
        .map((e): Endpoint => ({ app: this.app, backend: backendId, name: e.name, ip: e.ip, port: e.port, agent: this.pool.agent(e.ip, e.port) }));
      ring = { endpoints, cursor: 0 };
      this.rings.set(backendId, ring);
    }
    return ring;
  }
}

/** Smooth weighted round robin over a route's backends; `undefined` when every weight is 0. */
export class WeightedPicker {
  private readonly current: number[];
  private readonly total: number;
  constructor(private readonly entries: Array<{ backend: string; weight: number }>) {
    this.current = entries.map(() => 0);
    this.total = entries.reduce((n, e) => n + e.weight, 0);
  }

  pick(): string | undefined {
    if (this.total === 0) return undefined;
    let best = -1;
    for (let i = 0; i < this.entries.length; i++) {
      this.current[i]! += this.entries[i]!.weight;
      if (best < 0 || this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.entries[best]!.backend;
  }
}

/** Agents, health and counters by endpoint address; shared by every app and kept across reloads. */
export class EndpointPool {
  private readonly agents = new Map<string, http.Agent>();
  private readonly health = new Map<string, Health>();
  /** `${app}\0${backend}\0${name}` → counters. */
  private readonly counters = new Map<string, Counters>();
  private configs: EdgeConfig[] = [];
  /** Counter keys of the endpoints configured now; others are dropped once idle. */
  private liveIds = new Set<string>();

  constructor(readonly now: () => number) {}

  agent(ip: string, port: number): http.Agent {
    const key = addr(ip, port);
    let a = this.agents.get(key);
    if (!a) {
      a = new http.Agent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS, scheduling: 'lifo' });
      this.agents.set(key, a);
    }
    return a;
  }

  /** The new configuration's endpoints; agents of addresses no longer listed close as their requests end. */
  setConfigs(configs: EdgeConfig[]): void {
    this.configs = configs;
    const live = new Set<string>();
    const ids = new Set<string>();
    for (const c of configs) {
      for (const b of c.backends) {
        for (const e of b.endpoints) {
          live.add(addr(e.ip, e.port));
          ids.add(counterKey(c.app, b.id, e.name));
        }
      }
    }
    for (const [key, agent] of this.agents) {
      if (live.has(key)) continue;
      this.agents.delete(key);
      this.health.delete(key);
      // Idle sockets go now; busy ones are not pooled again after their response.
      agent.keepSocketAlive = () => false;
      for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
    }
    this.liveIds = ids;
    for (const [key, c] of this.counters) if (!ids.has(key) && c.active === 0) this.counters.delete(key);
  }

  /** Whether any endpoint has a connect failure on record (an endpoint can only be failing then). */
  hasFailures(): boolean {
    return this.health.size > 0;
  }

  failing(ip: string, port: number, now: number): boolean {
    const h = this.health.get(addr(ip, port));
    return h !== undefined && now < h.retryAt;
  }

  opened(e: Endpoint): void {
    const c = this.counter(e);
    c.active++;
    c.total++;
  }

  closed(e: Endpoint): void {
    const key = counterKey(e.app, e.backend, e.name);
    const c = this.counter(e);
    c.active = Math.max(0, c.active - 1);
    // A drained endpoint's last request or tunnel ended: it leaves the status.
    if (c.active === 0 && !this.liveIds.has(key)) this.counters.delete(key);
  }

  connectFailed(e: Endpoint, error: string): void {
    const c = this.counter(e);
    c.failures++;
    c.lastError = error;
    const key = addr(e.ip, e.port);
    const h = this.health.get(key) ?? { failures: 0, retryAt: 0 };
    h.failures++;
    h.retryAt = this.now() + Math.min(FAILURE_BACKOFF_MS.max, FAILURE_BACKOFF_MS.min * FAILURE_BACKOFF_MS.factor ** (h.failures - 1));
    this.health.set(key, h);
  }

  connected(e: Endpoint): void {
    this.health.delete(addr(e.ip, e.port));
  }

  /** Destroys the idle pooled sockets of an endpoint (before retrying on a fresh one). */
  dropIdle(e: Endpoint): void {
    for (const list of Object.values(e.agent.freeSockets)) for (const s of list ?? []) s.destroy();
  }

  activeTotal(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.active;
    return n;
  }

  list(): Array<EndpointStatus & { app: string; backend: string }> {
    const out: Array<EndpointStatus & { app: string; backend: string }> = [];
    const listed = new Set<string>();
    const now = this.now();
    for (const cfg of this.configs) {
      for (const b of cfg.backends) {
        for (const e of b.endpoints) {
          const key = counterKey(cfg.app, b.id, e.name);
          listed.add(key);
          const c = this.counters.get(key);
          const state = !e.ready ? 'not-ready' : this.failing(e.ip, e.port, now) ? 'unreachable' : 'serving';
          out.push(entry(cfg.app, b.id, e.name, e.ip, e.ready, state, c));
        }
      }
    }
    for (const [key, c] of this.counters) {
      if (listed.has(key) || c.active === 0) continue;
      const [app, backend, name] = key.split('\0') as [string, string, string];
      out.push(entry(app, backend, name, c.ip, false, 'draining', c));
    }
    return out;
  }

  destroy(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private counter(e: Endpoint): Counters {
    const key = counterKey(e.app, e.backend, e.name);
    let c = this.counters.get(key);
    if (!c) {
      c = { ip: e.ip, active: 0, total: 0, failures: 0 };
      this.counters.set(key, c);
    }
    return c;
  }
}

function entry(app: string, backend: string, name: string, ip: string, ready: boolean, state: EndpointStatus['state'], c: Counters | undefined) {
  return { app, backend, ...statusEntry(name, ip, ready, state, c) };
}

function addr(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function counterKey(app: string, backend: string, name: string): string {
  return `${app}\0${backend}\0${name}`;
}
