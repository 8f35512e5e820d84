/**
 * Endpoint selection for one service: round-robin over ready endpoints per service port,
 * ClientIP session affinity, and passive health (endpoints whose connects fail are tried last
 * for a back-off period, so a dead pod costs one failed connect, not one per connection).
 *
 * No I/O: time comes from `now`, so tests drive affinity timeouts and back-off with a fake clock.
 */
import type { ProxyConfig, ProxyEndpoint, ProxyPort, SessionAffinity } from './protocol.js';

export interface Target {
  /** Endpoint identity: its name, or its IP. */
  id: string;
  ip: string;
  port: number;
}

interface Health {
  failures: number;
  /** While now < retryAt the endpoint goes to the back of the candidate list. */
  retryAt: number;
}

interface Sticky {
  id: string;
  lastUsed: number;
}

export const FAILURE_BACKOFF_MS = { min: 1_000, factor: 2, max: 30_000 };
const MAX_AFFINITY_ENTRIES = 100_000;

export function endpointId(ep: ProxyEndpoint): string {
  return ep.name ?? ep.ip;
}

/** The endpoint's target port for a service port, or undefined when it does not serve that port. */
export function targetPortOf(ep: ProxyEndpoint, port: ProxyPort): number | undefined {
  // Own properties only: port names come from manifests (`constructor` must not find Object's).
  return (ep.ports && Object.hasOwn(ep.ports, port.name) ? ep.ports[port.name] : undefined) ?? port.targetPort;
}

export class Balancer {
  private targets = new Map<string, Target[]>();
  private cursors = new Map<string, number>();
  private health = new Map<string, Health>();
  private sticky = new Map<string, Sticky>();
  private affinity: SessionAffinity = { type: 'None' };
  private picks = 0;

  constructor(private readonly now: () => number) {}

  /** Replaces the endpoint set. Health and affinity survive for endpoints that stay. */
  update(config: ProxyConfig): void {
    const next = new Map<string, Target[]>();
    for (const port of config.ports) {
      const list: Target[] = [];
      for (const ep of config.endpoints) {
        const tp = targetPortOf(ep, port);
        if (ep.ready && tp !== undefined) list.push({ id: endpointId(ep), ip: ep.ip, port: tp });
      }
      next.set(port.name, list);
    }
    this.targets = next;
    const ids = new Set(config.endpoints.filter((e) => e.ready).map(endpointId));
    for (const id of this.health.keys()) if (!ids.has(id)) this.health.delete(id);
    if (config.sessionAffinity.type !== this.affinity.type) this.sticky.clear();
    for (const [client, s] of this.sticky) if (!ids.has(s.id)) this.sticky.delete(client);
    this.affinity = config.sessionAffinity;
  }

  hasTargets(portName: string): boolean {
    return (this.targets.get(portName)?.length ?? 0) > 0;
  }

  /**
   * Endpoints to try for a new connection, best first: the client's sticky endpoint (if
   * affinity is on and it is still ready), then round-robin order, with endpoints in failure
   * back-off moved to the end. Empty when the port has no ready endpoint.
   */
  candidates(portName: string, clientIp: string): Target[] {
    const list = this.targets.get(portName);
    if (!list || list.length === 0) return [];
    const n = list.length;
    const start = (this.cursors.get(portName) ?? 0) % n;
    this.cursors.set(portName, (start + 1) % n);
    const now = this.now();
    const healthy: Target[] = [];
    const backoff: Target[] = [];
    for (let i = 0; i < n; i++) {
      const t = list[(start + i) % n]!;
      const h = this.health.get(t.id);
      (h && h.retryAt > now ? backoff : healthy).push(t);
    }
    const ordered = healthy.concat(backoff);
    const stickyId = this.stickyFor(clientIp, now);
    if (stickyId !== undefined) {
      // A sticky endpoint in failure back-off is not honoured: the client fails over.
      const i = healthy.findIndex((t) => t.id === stickyId);
      if (i > 0) ordered.unshift(...ordered.splice(i, 1));
    }
    if (++this.picks % 1024 === 0) this.sweepSticky(now);
    return ordered;
  }

  /** A connect succeeded: clears failure state, pins the client under ClientIP affinity. Returns true if the endpoint had been failing. */
  connected(target: Target, clientIp: string): boolean {
    const recovered = this.health.delete(target.id);
    this.touch(clientIp, target.id);
    return recovered;
  }

  /** A connection or flow ended: affinity timeouts count from the last activity. */
  released(target: Target, clientIp: string): void {
    const s = this.sticky.get(clientIp);
    if (s && s.id === target.id) s.lastUsed = this.now();
  }

  /** A connect failed. Returns true on the first failure of a streak (worth one log line). */
  failed(target: Target): boolean {
    const h = this.health.get(target.id);
    const failures = (h?.failures ?? 0) + 1;
    const { min, factor, max } = FAILURE_BACKOFF_MS;
    this.health.set(target.id, { failures, retryAt: this.now() + Math.min(max, min * factor ** (failures - 1)) });
    return failures === 1;
  }

  isFailing(id: string): boolean {
    return this.health.has(id);
  }

  private touch(clientIp: string, id: string): void {
    if (this.affinity.type !== 'ClientIP') return;
    if (this.sticky.size >= MAX_AFFINITY_ENTRIES && !this.sticky.has(clientIp)) this.sweepSticky(this.now());
    if (this.sticky.size >= MAX_AFFINITY_ENTRIES && !this.sticky.has(clientIp)) return;
    this.sticky.set(clientIp, { id, lastUsed: this.now() });
  }

  private stickyFor(clientIp: string, now: number): string | undefined {
    if (this.affinity.type !== 'ClientIP') return undefined;
    const s = this.sticky.get(clientIp);
    if (!s) return undefined;
    if (now - s.lastUsed > this.affinity.timeoutSeconds * 1000) {
      this.sticky.delete(clientIp);
      return undefined;
    }
    return s.id;
  }

  private sweepSticky(now: number): void {
    if (this.affinity.type !== 'ClientIP') return;
    const ttl = this.affinity.timeoutSeconds * 1000;
    for (const [client, s] of this.sticky) if (now - s.lastUsed > ttl) this.sticky.delete(client);
  }
}
