/**
 * One UDP listener of the service proxy. UDP has no connections, so the proxy keeps a flow
 * table keyed by client address: the first datagram from a client picks an endpoint and opens
 * a connected socket to it; replies on that socket go back to the client; flows idle for
 * `idleMs` are closed (the role conntrack plays for kube-proxy).
 *
 * Unlike TCP, flows to an endpoint that leaves are closed at once (kube-proxy clears their
 * conntrack entries likewise): a datagram sent to a stopped pod is lost silently, while the
 * client's next datagram opens a flow to a live endpoint.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Target } from './balancer.js';
import type { ProxyPort } from './protocol.js';
import type { ProxyContext } from './tcp-proxy.js';

interface Flow {
  key: string;
  clientIp: string;
  clientPort: number;
  target: Target;
  socket: dgram.Socket;
  lastActive: number;
  /** Datagrams that arrived before the upstream socket finished connecting. */
  queue: Buffer[] | undefined;
}

const MAX_FLOWS = 10_000;
const MAX_QUEUED = 64;

export class UdpListener {
  readonly protocol = 'UDP';
  state: 'pending' | 'listening' | 'failed' | 'closed' = 'pending';
  error: string | undefined;
  private readonly socket: dgram.Socket;
  private readonly flows = new Map<string, Flow>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    public port: ProxyPort,
    private readonly host: string | undefined,
    private readonly ctx: ProxyContext,
    private readonly idleMs: number,
  ) {
    this.socket = dgram.createSocket({ type: host && isIP(host) === 6 ? 'udp6' : 'udp4' });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  get flowCount(): number {
    return this.flows.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => {
      const onError = (err: Error) => {
        this.state = 'failed';
        this.error = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve();
      };
      this.socket.once('error', onError);
      this.socket.bind({ port: this.port.port, address: this.host ?? '0.0.0.0' }, () => {
        this.socket.off('error', onError);
        this.socket.on('error', () => {}); // a failed send to one client must not take the port down
        this.state = 'listening';
        this.error = undefined;
        this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(this.idleMs / 2, 5_000)));
        this.sweeper.unref();
        resolve();
      });
    });
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const flow of [...this.flows.values()]) this.closeFlow(flow);
    if (this.state === 'listening') this.socket.close();
    this.state = 'closed';
  }

  /** Closes flows whose endpoint no longer serves this port at the same address. */
  retain(valid: (target: Target) => boolean): void {
    for (const flow of [...this.flows.values()]) if (!valid(flow.target)) this.closeFlow(flow);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (!flow) {
      if (this.flows.size >= MAX_FLOWS) return;
      const target = this.ctx.balancer.candidates(this.port.name, rinfo.address)[0];
      if (!target) return; // no ready endpoint: the datagram is dropped
      flow = this.openFlow(key, rinfo, target);
    }
    flow.lastActive = this.ctx.now();
    if (flow.queue) {
      if (flow.queue.length < MAX_QUEUED) flow.queue.push(msg);
    } else flow.socket.send(msg);
  }

  private openFlow(key: string, rinfo: dgram.RemoteInfo, target: Target): Flow {
    const socket = dgram.createSocket(isIP(target.ip) === 6 ? 'udp6' : 'udp4');
    const flow: Flow = { key, clientIp: rinfo.address, clientPort: rinfo.port, target, socket, lastActive: this.ctx.now(), queue: [] };
    this.flows.set(key, flow);
    socket.on('message', (reply) => {
      flow.lastActive = this.ctx.now();
      this.socket.send(reply, flow.clientPort, flow.clientIp);
    });
    // ECONNREFUSED here is the ICMP port-unreachable of a stopped endpoint.
    socket.on('error', (err) => {
      this.ctx.connectFailed(target, err);
      this.closeFlow(flow);
    });
    socket.connect(target.port, target.ip, () => {
      const queued = flow.queue ?? [];
      flow.queue = undefined;
      this.ctx.connected(target, flow.clientIp);
      for (const m of queued) socket.send(m);
    });
    return flow;
  }

  private closeFlow(flow: Flow): void {
    if (this.flows.get(flow.key) !== flow) return;
    this.flows.delete(flow.key);
    if (flow.queue === undefined) this.ctx.released(flow.target, flow.clientIp);
    try {
      flow.socket.close();
    } catch {
      // already closed
    }
  }

  private sweep(): void {
    const cutoff = this.ctx.now() - this.idleMs;
    for (const flow of [...this.flows.values()]) if (flow.lastActive < cutoff) this.closeFlow(flow);
  }
}
