/**
 * The service proxy: applies a ProxyConfig to a set of TCP/UDP listeners sharing one balancer.
 * Reconfiguration never disturbs what it does not change: listeners that stay keep their
 * sockets, endpoints that leave stop getting new connections while their open ones drain.
 */
import type net from 'node:net';
import { Balancer, endpointId, targetPortOf, type Target } from './balancer.js';
import { EndpointStats } from './endpoint-stats.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { EndpointStatus, ListenerStatus, ProxyConfig, ProxyPort } from './protocol.js';
import { TcpListener, type ProxyContext } from './tcp-proxy.js';
import { UdpListener } from './udp-proxy.js';

export interface ServiceProxyOptions {
  /** Address listeners bind; undefined = all interfaces. */
  listenHost?: string;
  connectTimeoutMs: number;
  udpIdleMs: number;
  log: Logger;
  now: () => number;
  /** Something status-worthy changed (an endpoint became unreachable, a listener failed). */
  onChange?: () => void;
}

type Listener = TcpListener | UdpListener;

const LISTEN_RETRY_MS = 2_000;

export class ServiceProxy {
  readonly balancer: Balancer;
  private config: ProxyConfig | undefined;
  private readonly listeners = new Map<string, Listener>();
  private readonly stats = new EndpointStats();
  private readonly clients = new Set<net.Socket>();
  private readonly ctx: ProxyContext;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: ServiceProxyOptions) {
    this.balancer = new Balancer(o.now);
    this.ctx = {
      balancer: this.balancer,
      now: o.now,
      connectTimeoutMs: o.connectTimeoutMs,
      clients: this.clients,
      connected: (t, clientIp) => {
        this.stats.opened(t);
        if (this.balancer.connected(t, clientIp)) {
          o.log.info('endpoint recovered', { endpoint: t.id, ip: t.ip, port: t.port });
          o.onChange?.();
        }
      },
      released: (t, clientIp) => {
        this.stats.closed(t);
        this.balancer.released(t, clientIp);
      },
      connectFailed: (t, err) => {
        this.stats.failed(t, errorText(err));
        if (this.balancer.failed(t)) {
          o.log.warn('endpoint unreachable', { endpoint: t.id, ip: t.ip, port: t.port, err: errorText(err) });
          o.onChange?.();
        }
      },
    };
  }

  get service(): ProxyConfig['service'] | null {
    return this.config?.service ?? null;
  }

  async apply(config: ProxyConfig): Promise<void> {
    if (this.closed) return;
    this.config = config;
    // Balancer first: from here on new connections only go to the new endpoint set.
    this.balancer.update(config);
    this.stats.setEndpoints(config.endpoints);
    const wanted = new Map(config.ports.map((p) => [listenerKey(p), p]));
    for (const [key, l] of this.listeners) {
      const port = wanted.get(key);
      if (!port) {
        l.close();
        this.listeners.delete(key);
      } else l.port = port;
    }
    const opening: Promise<void>[] = [];
    for (const [key, port] of wanted) {
      if (this.listeners.has(key)) continue;
      const l = port.protocol === 'TCP' ? new TcpListener(port, this.o.listenHost, this.ctx) : new UdpListener(port, this.o.listenHost, this.ctx, this.o.udpIdleMs);
      this.listeners.set(key, l);
      opening.push(l.listen().then(() => this.afterListen(l)));
    }
    await Promise.all(opening);
    for (const l of this.listeners.values()) {
      if (l instanceof UdpListener) l.retain((t) => this.stillServes(t, l.port));
    }
  }

  listening(): ListenerStatus[] {
    return [...this.listeners.values()].map((l) => ({
      name: l.port.name,
      protocol: l.protocol,
      port: l.port.port,
      state: l.state === 'listening' ? 'listening' : 'failed',
      ...(l.error === undefined ? {} : { error: l.error }),
    }));
  }

  endpoints(): EndpointStatus[] {
    return this.stats.list((id) => this.balancer.isFailing(id));
  }

  /** Open TCP client connections (including ones still connecting upstream). */
  get connectionCount(): number {
    return this.clients.size;
  }

  /**
   * Stops accepting at once, lets open connections finish for up to `graceMs`, then cuts the
   * rest. Resolves when nothing is left open.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    let expired = false;
    const grace = setTimeout(() => (expired = true), graceMs);
    while (this.clients.size > 0 && !expired) await new Promise((r) => setTimeout(r, 25));
    clearTimeout(grace);
    for (const c of this.clients) c.destroy();
    while (this.clients.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private afterListen(l: Listener): void {
    if (l.state !== 'failed') return;
    this.o.log.error('listen failed', { protocol: l.protocol, port: l.port.port, err: l.error });
    this.o.onChange?.();
    this.scheduleListenRetry();
  }

  /** A port taken by something else is retried until it frees up or leaves the config. */
  private scheduleListenRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      for (const [key, l] of this.listeners) {
        if (l.state !== 'failed') continue;
        const fresh = l.protocol === 'TCP' ? new TcpListener(l.port, this.o.listenHost, this.ctx) : new UdpListener(l.port, this.o.listenHost, this.ctx, this.o.udpIdleMs);
        this.listeners.set(key, fresh);
        void fresh.listen().then(() => {
          if (fresh.state === 'listening') {
            this.o.log.info('listening', { protocol: fresh.protocol, port: fresh.port.port });
            this.o.onChange?.();
          } else this.scheduleListenRetry();
        });
      }
    }, LISTEN_RETRY_MS);
    this.retryTimer.unref();
  }

  private stillServes(t: Target, port: ProxyPort): boolean {
    const ep = this.config?.endpoints.find((e) => endpointId(e) === t.id);
    return ep !== undefined && ep.ready && ep.ip === t.ip && targetPortOf(ep, port) === t.port;
  }
}

function listenerKey(p: ProxyPort): string {
  return `${p.protocol}/${p.port}`;
}
