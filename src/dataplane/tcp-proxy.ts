/**
 * One TCP listener of the service proxy. Each accepted connection is paused (nothing is read)
 * until an endpoint accepts the upstream connection, so a refused or unreachable endpoint is
 * skipped transparently: nothing has been consumed from the client yet. Then bytes flow both
 * ways with `pipe` (backpressure, no per-chunk work of ours) and half-close is forwarded.
 */
import net from 'node:net';
import type { Balancer, Target } from './balancer.js';
import type { ProxyPort } from './protocol.js';

/** What listeners need from the service proxy around them. */
export interface ProxyContext {
  balancer: Balancer;
  now(): number;
  connectTimeoutMs: number;
  connected(target: Target, clientIp: string): void;
  released(target: Target, clientIp: string): void;
  connectFailed(target: Target, err: Error): void;
  /** Client sockets, for graceful shutdown (they may outlive their listener). */
  clients: Set<net.Socket>;
}

const noop = () => {};

export class TcpListener {
  readonly protocol = 'TCP';
  state: 'pending' | 'listening' | 'failed' | 'closed' = 'pending';
  error: string | undefined;
  private readonly server: net.Server;

  constructor(
    public port: ProxyPort,
    private readonly host: string | undefined,
    private readonly ctx: ProxyContext,
  ) {
    // keepAlive on both legs: a peer that vanished without a FIN is noticed and its fd freed.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 }, (s) => this.onConnection(s));
  }

  listen(): Promise<void> {
    return new Promise((resolve) => {
      const onError = (err: Error) => {
        this.state = 'failed';
        this.error = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve();
      };
      this.server.once('error', onError);
      this.server.listen({ port: this.port.port, host: this.host, backlog: 1024 }, () => {
        this.server.off('error', onError);
        // Accept errors (EMFILE) surface here; the listener keeps going.
        this.server.on('error', noop);
        this.state = 'listening';
        this.error = undefined;
        resolve();
      });
    });
  }

  /** Stop accepting; established connections continue until their peers close them. */
  close(): void {
    if (this.state === 'listening') this.server.close();
    this.state = 'closed';
  }

  private onConnection(client: net.Socket): void {
    client.on('error', noop); // every failure also ends in 'close', handled below
    this.ctx.clients.add(client);
    client.once('close', () => this.ctx.clients.delete(client));
    const clientIp = plainIp(client.remoteAddress);
    const candidates = this.ctx.balancer.candidates(this.port.name, clientIp);
    // No endpoint: fail now (RST), never leave the client hanging.
    if (candidates.length === 0) client.resetAndDestroy();
    else this.connect(client, clientIp, candidates, 0);
  }

  private connect(client: net.Socket, clientIp: string, candidates: Target[], i: number): void {
    if (client.destroyed) return;
    const target = candidates[i];
    if (!target) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({
      host: target.ip,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
    });
    const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), this.ctx.connectTimeoutMs);
    const abandon = () => upstream.destroy(); // the client left while we were connecting
    client.once('close', abandon);
    const settle = () => {
      clearTimeout(timer);
      client.off('close', abandon);
    };
    let linked = false;
    upstream.once('connect', () => {
      linked = true;
      settle();
      this.ctx.connected(target, clientIp);
      splice(client, upstream, () => this.ctx.released(target, clientIp));
    });
    // Stays attached after linking: later errors end in 'close', which splice handles.
    upstream.on('error', (err) => {
      if (linked) return;
      settle();
      if (client.destroyed) return;
      this.ctx.connectFailed(target, err);
      this.connect(client, clientIp, candidates, i + 1);
    });
  }
}

/**
 * Joins two sockets. Half-close is forwarded (pipe ends the other side on 'end'; both sockets
 * allow half-open). When one side closes abruptly the other is destroyed; when it closed
 * gracefully the other has ended both ways too and finishes flushing on its own.
 */
function splice(a: net.Socket, b: net.Socket, done: () => void): void {
  let open = 2;
  const onClose = (other: net.Socket) => () => {
    if (!(other.readableEnded && other.writableEnded)) other.destroy();
    if (--open === 0) done();
  };
  a.once('close', onClose(b));
  b.once('close', onClose(a));
  a.pipe(b);
  b.pipe(a);
  a.resume();
}

/** `::ffff:10.0.0.5` → `10.0.0.5`, so affinity keys are the same on dual-stack listeners. */
export function plainIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
