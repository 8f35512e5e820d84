/**
 * The Swarm service proxy minus process concerns (argv, env, signals, exit): a ServiceProxy
 * whose endpoints are the union of what the spec's backend names resolve to, re-resolved every
 * `resolveMs`. swarm-proxy.ts wraps it for the container; tests run it in-process with a
 * resolver of their own.
 *
 * Why DNS and not endpoint pushes (as on one host): on a Swarm the proxy runs once per node,
 * and Docker's embedded DNS on every node already knows which tasks of a workload run and are
 * healthy (a task enters `tasks.<service>` once it is healthy and leaves it two seconds before
 * it is sent its stop signal). Asking it needs no berth process, no copy of state per node and
 * no write path into containers on other hosts.
 */
import { Resolver } from 'node:dns/promises';
import { probeEndpoint } from './endpoint-probe.js';
import type { ProbeAttempt, ReadinessTimers } from './endpoint-readiness.js';
import { EndpointReadiness } from './endpoint-readiness.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { ProxyConfig, ProxyEndpoint } from './protocol-types.js';
import { ServiceProxy } from './service-proxy.js';
import type { SwarmProxySpec } from './swarm-proxy-spec.js';
import { DEFAULT_RESOLVE_MS } from './swarm-proxy-spec.js';

export interface SwarmProxyProgramOptions {
  spec: SwarmProxySpec;
  /** Address listeners bind; undefined = all interfaces (the container's). */
  listenHost?: string;
  connectTimeoutMs: number;
  udpIdleMs: number;
  log: Logger;
  now: () => number;
  /** One name → its IPv4 addresses; rejects with the resolver's error code (systemResolve4). */
  resolve4: (name: string) => Promise<string[]>;
  /** What readiness probes are scheduled with; default: the process's timers and `now`. */
  timers?: ReadinessTimers;
  /** One readiness probe of one address; default: probeEndpoint (real HTTP and TCP). */
  probe?: ProbeAttempt;
}

export const SWARM_PROXY_DEFAULTS = { connectTimeoutMs: 2_000, udpIdleMs: 30_000, graceMs: 5_000 };

/**
 * What one lookup said. `absent`: the name has no address (NXDOMAIN, or no A record): no task
 * of the workload is running and healthy. `failed`: the resolver did not answer (timeout,
 * SERVFAIL, refused): nothing is known, so the name keeps the addresses it had.
 */
export type Lookup = { kind: 'found'; ips: string[] } | { kind: 'absent'; code: string } | { kind: 'failed'; code: string };

export interface BackendState {
  ips: string[];
  lookup: Lookup['kind'];
  code?: string;
}

/** Resolver codes (node:dns) that mean "this name has no address", as opposed to "no answer". */
const ABSENT_CODES = new Set(['ENOTFOUND', 'ENODATA']);

export function lookupOf(result: PromiseSettledResult<string[]>): Lookup {
  if (result.status === 'fulfilled') return result.value.length > 0 ? { kind: 'found', ips: result.value } : { kind: 'absent', code: 'ENODATA' };
  const code = (result.reason as { code?: unknown })?.code;
  const text = typeof code === 'string' ? code : errorText(result.reason);
  return ABSENT_CODES.has(text) ? { kind: 'absent', code: text } : { kind: 'failed', code: text };
}

/** The next state of one backend name after a lookup; pure. */
export function nextBackendState(prev: BackendState | undefined, lookup: Lookup): BackendState {
  switch (lookup.kind) {
    case 'found':
      return { ips: [...new Set(lookup.ips)].sort(), lookup: 'found' };
    case 'absent':
      return { ips: [], lookup: 'absent', code: lookup.code };
    case 'failed':
      return { ips: prev?.ips ?? [], lookup: 'failed', code: lookup.code };
  }
}

/**
 * The endpoints of all backends: each address once, named by itself, in a stable order, ready
 * when some backend naming it finds it ready (one task under two names is one endpoint).
 */
export function endpointsOf(states: Iterable<[string, BackendState]>, isReady: (backend: string, ip: string) => boolean): ProxyEndpoint[] {
  const ips = new Map<string, boolean>();
  for (const [backend, s] of states) for (const ip of s.ips) ips.set(ip, (ips.get(ip) ?? false) || isReady(backend, ip));
  return [...ips.keys()].sort().map((ip) => ({ name: ip, ip, ready: ips.get(ip)! }));
}

export function proxyConfigOf(spec: SwarmProxySpec, endpoints: ProxyEndpoint[]): ProxyConfig {
  return { service: spec.service, ports: spec.ports, sessionAffinity: spec.sessionAffinity, endpoints };
}

export interface SwarmProxyProgram {
  readonly proxy: ServiceProxy;
  /** Resolves every backend now (after a round in flight) and reconfigures if the endpoints changed; true if they did. */
  resolveNow(): Promise<boolean>;
  /** The addresses of the endpoints applied last that get new connections (resolved and, if probed, ready). */
  endpoints(): string[];
  /** Every address applied last, ready or not. */
  resolved(): string[];
  shutdown(graceMs: number): Promise<void>;
}

export async function startSwarmProxyProgram(o: SwarmProxyProgramOptions): Promise<SwarmProxyProgram> {
  const { spec, log } = o;
  const resolveMs = spec.resolveMs ?? DEFAULT_RESOLVE_MS;
  const proxy = new ServiceProxy({
    ...(o.listenHost === undefined ? {} : { listenHost: o.listenHost }),
    connectTimeoutMs: o.connectTimeoutMs,
    udpIdleMs: o.udpIdleMs,
    log,
    now: o.now,
  });
  const states = new Map<string, BackendState>();
  let applied: ProxyEndpoint[] | undefined;
  let stopped = false;
  // Rounds and re-applies run one after another, never overlapping: a slow resolver delays the next one.
  let queue: Promise<boolean> = Promise.resolve(false);
  const enqueue = (step: () => Promise<boolean>): Promise<boolean> => (queue = queue.then(step, step));

  const readiness = new EndpointReadiness({
    probes: spec.readiness ?? [],
    timers: o.timers ?? { now: o.now, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) },
    attempt: o.probe ?? probeEndpoint,
    log,
    // A verdict changed between rounds: apply it now, not a resolve interval later.
    onChange: () => void enqueue(applyEndpoints).catch((err: unknown) => log.error('applying readiness failed', { err })),
  });

  const round = async (): Promise<boolean> => {
    const results = await Promise.allSettled(spec.backends.map((name) => o.resolve4(name)));
    spec.backends.forEach((name, i) => {
      const prev = states.get(name);
      const next = nextBackendState(prev, lookupOf(results[i]!));
      states.set(name, next);
      logChange(log, name, prev, next);
      // What the first lookup finds was running before this proxy: no initial delay for it.
      readiness.track(name, next.ips, prev === undefined);
    });
    return applyEndpoints();
  };

  async function applyEndpoints(): Promise<boolean> {
    const endpoints = endpointsOf(states, (backend, ip) => readiness.isReady(backend, ip));
    if (stopped || (applied && keyOf(endpoints) === keyOf(applied))) return false;
    await proxy.apply(proxyConfigOf(spec, endpoints));
    applied = endpoints;
    log.info('reconfigured', {
      service: `${spec.service.namespace}/${spec.service.name}`,
      ports: spec.ports.map((x) => `${x.protocol}/${x.port}`),
      endpoints: endpoints.length,
      ready: endpoints.filter((e) => e.ready).length,
      backends: Object.fromEntries([...states].map(([name, s]) => [name, s.lookup === 'failed' ? `${s.ips.length} (kept: ${s.code ?? ''})` : s.ips.length])),
      failedListeners: proxy.listening().filter((l) => l.state === 'failed').map((l) => `${l.protocol}/${l.port}`),
      tcp: 'userspace',
    });
    return true;
  };

  const resolveNow = (): Promise<boolean> => enqueue(round);
  // Listeners open with the first resolution's endpoints, so no early client meets an empty proxy.
  await resolveNow();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    timer = setTimeout(() => {
      void resolveNow()
        .catch((err: unknown) => log.error('resolve round failed', { err }))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, resolveMs);
  };
  schedule();
  log.info('started', { service: `${spec.service.namespace}/${spec.service.name}`, backends: spec.backends, resolveMs });
  return {
    proxy,
    resolveNow,
    endpoints: () => (applied ?? []).filter((e) => e.ready).map((e) => e.ip),
    resolved: () => (applied ?? []).map((e) => e.ip),
    shutdown: async (graceMs) => {
      stopped = true;
      if (timer) clearTimeout(timer);
      readiness.stop();
      await queue.catch(() => false);
      await proxy.shutdown(graceMs);
    },
  };
}

/** Endpoints compare by address and verdict: a change of either is a reconfiguration. */
function keyOf(endpoints: readonly ProxyEndpoint[]): string {
  return endpoints.map((e) => (e.ready ? e.ip : `${e.ip}?`)).join(',');
}

/** One line per change of a name's lookup state, not per lookup (the resolver is asked every second). */
function logChange(log: Logger, backend: string, prev: BackendState | undefined, next: BackendState): void {
  if (prev?.lookup === next.lookup && prev.code === next.code) return;
  if (next.lookup === 'failed') log.warn('backend lookup failing; keeping its last addresses', { backend, code: next.code, kept: next.ips.length });
  else if (next.lookup === 'absent') log.info('backend has no address', { backend, code: next.code });
  else if (prev !== undefined) log.info('backend resolves again', { backend, addresses: next.ips.length });
}

/**
 * node:dns's resolver with the container's /etc/resolv.conf (on a Swarm network: Docker's
 * embedded DNS at 127.0.0.11), bounded so a silent server costs about 2 × timeoutMs per round,
 * not c-ares' default of four tries of seconds each. `servers` replaces resolv.conf (tests).
 */
export function systemResolve4(o: { timeoutMs: number; servers?: string[] }): (name: string) => Promise<string[]> {
  const resolver = new Resolver({ timeout: o.timeoutMs, tries: 2 });
  if (o.servers) resolver.setServers(o.servers);
  return (name) => resolver.resolve4(name);
}
