import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ObservedPod } from '../plan/observed.js';
import { BerthError } from '../model/errors.js';
import { matches, selectorFromMap } from '../model/selectors.js';
import type { Service } from '../model/types.js';

/**
 * `berth port-forward`: kubectl's semantics on a Docker host. Listen locally, and forward each
 * connection to a port on the pod's own localhost (a Service or controller first picks one of
 * its ready pods, as kubectl does), through a relay in the pod's network namespace
 * (apply/port-relay.ts): a server bound to 127.0.0.1 in the pod is reachable, as with kubectl,
 * and so is a hostNetwork pod, which has no pod IP.
 */
export interface PortSpec {
  /** 0: any free port. */
  local: number;
  /** Number or name, as given (for a Service: its port; for a pod: a container port). */
  remote: string;
}

/** `8080`, `8888:5000`, `:5000` and `0:5000`, as kubectl reads them. */
export function parsePortSpecs(args: readonly string[]): PortSpec[] {
  if (args.length === 0) throw new BerthError('USAGE', 'at least 1 PORT is required for port-forward');
  return args.map((arg) => {
    const parts = arg.split(':');
    if (parts.length > 2 || parts.some((p, i) => p === '' && i === 1)) throw new BerthError('USAGE', `invalid port format '${arg}'`, { arg });
    const [localText, remote] = parts.length === 2 ? [parts[0]!, parts[1]!] : [parts[0]!, parts[0]!];
    const local = localText === '' ? 0 : Number(localText);
    if (!Number.isInteger(local) || local < 0 || local > 65535) throw new BerthError('USAGE', `invalid local port '${localText}' in '${arg}'`, { arg });
    if (!/^\d+$/.test(remote) && parts.length === 1) throw new BerthError('USAGE', `invalid port '${arg}': a named remote port needs a local port (LOCAL:NAME)`, { arg });
    if (/^\d+$/.test(remote) && (Number(remote) < 1 || Number(remote) > 65535)) throw new BerthError('USAGE', `invalid remote port '${remote}' in '${arg}'`, { arg });
    return { local, remote };
  });
}

/** A container port of the pod by number (as is) or by name. */
export function podPort(pod: ObservedPod, remote: string): number {
  if (/^\d+$/.test(remote)) return Number(remote);
  for (const c of pod.containers) {
    const p = c.ports?.find((x) => x.name === remote);
    if (p) return p.containerPort;
  }
  throw new BerthError('NOT_FOUND', `pod ${pod.name} does not have a named port '${remote}'`, { pod: pod.key, port: remote });
}

/**
 * A Service's target: its best ready pod (the oldest), and for each requested Service port
 * (number or name) the pod port its targetPort resolves to.
 */
export function serviceTarget(service: Service, pods: readonly ObservedPod[], specs: readonly PortSpec[]): { pod: ObservedPod; ports: number[] } {
  const ns = service.metadata.namespace ?? 'default';
  const name = service.metadata.name;
  if (service.spec.type === 'ExternalName') throw new BerthError('USAGE', `cannot port-forward to service/${name}: it is of type ExternalName`, { service: name });
  const sel = service.spec.selector;
  if (!sel || Object.keys(sel).length === 0) throw new BerthError('USAGE', `cannot port-forward to service/${name}: it has no selector`, { service: name });
  const selector = selectorFromMap(sel);
  const candidates = pods.filter((p) => p.namespace === ns && matches(selector, p.labels) && p.sandbox?.state === 'running' && p.sandbox.ip);
  const pod = [...candidates].sort((a, b) => Number(b.ready) - Number(a.ready) || a.createdAt - b.createdAt || a.name.localeCompare(b.name))[0];
  if (!pod) throw new BerthError('NOT_FOUND', `no running pods of service/${name} found in namespace ${ns}`, { service: name, namespace: ns });
  const ports = specs.map((s) => {
    const sp = (service.spec.ports ?? []).find((p) => (/^\d+$/.test(s.remote) ? p.port === Number(s.remote) : p.name === s.remote));
    if (!sp) throw new BerthError('NOT_FOUND', `service/${name} does not have a service port ${s.remote}`, { service: name, port: s.remote });
    return typeof sp.targetPort === 'number' ? sp.targetPort : podPort(pod, sp.targetPort);
  });
  return { pod, ports };
}

export interface Forward {
  local: number;
  /** The port in the pod. */
  port: number;
}

/** One connection to the pod's localhost:port (port-relay-client.ts); errors as 'error' events. */
export type Dial = (port: number) => Duplex;

export interface ForwardEvents {
  /** `Forwarding from 127.0.0.1:8080 -> 80` once each listener is up. */
  listening(address: string, local: number, remote: number): void;
  /** `Handling connection for 8080` */
  connection(local: number): void;
  /** An upstream connection failed; the client connection is closed. */
  failed(local: number, remote: number, err: Error): void;
}

/**
 * Listens on every address for every forward until `signal` aborts or `lost` resolves (the
 * relay is gone: kubectl's "lost connection to pod"), then closes listeners and open
 * connections. `localhost` listens on 127.0.0.1 and ::1 (the latter only if available).
 * The first listen error (a port in use) rejects. Says which of the two ended it.
 */
export async function runPortForward(
  addresses: readonly string[],
  forwards: readonly Forward[],
  dial: Dial,
  events: ForwardEvents,
  signal: AbortSignal,
  lost: Promise<void>,
): Promise<'interrupted' | 'lost'> {
  const servers: net.Server[] = [];
  const sockets = new Set<Duplex>();
  const binds = addresses.flatMap((a) => (a === 'localhost' ? [{ host: '127.0.0.1', optional: false }, { host: '::1', optional: true }] : [{ host: a, optional: false }]));
  try {
    for (const f of forwards) {
      let local = f.local;
      for (const b of binds) {
        const server = net.createServer((client) => {
          events.connection(local);
          sockets.add(client);
          const upstream = dial(f.port);
          sockets.add(upstream);
          upstream.on('error', (err) => {
            events.failed(local, f.port, err);
            client.destroy();
          });
          client.on('error', () => upstream.destroy());
          client.on('close', () => {
            sockets.delete(client);
            upstream.destroy();
          });
          upstream.on('close', () => sockets.delete(upstream));
          client.pipe(upstream).pipe(client);
        });
        try {
          await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen({ host: b.host, port: local }, () => {
              server.off('error', reject);
              resolve();
            });
          });
        } catch (err) {
          if (b.optional) continue;
          // EADDRINUSE, EACCES: the host refuses, the command line was fine (exit 1 as kubectl's).
          throw new BerthError('PORT_IN_USE', `unable to listen on ${b.host}:${local}: ${(err as Error).message}`, { address: b.host, port: local }, { cause: err });
        }
        servers.push(server);
        // `:REMOTE` picks a free port once; the other addresses reuse it.
        local = (server.address() as net.AddressInfo).port;
        events.listening(b.host, local, f.port);
      }
    }
    if (signal.aborted) return 'interrupted';
    return await Promise.race([new Promise<'interrupted'>((resolve) => signal.addEventListener('abort', () => resolve('interrupted'), { once: true })), lost.then(() => 'lost' as const)]);
  } finally {
    for (const s of servers) s.close();
    for (const s of sockets) s.destroy();
  }
}
