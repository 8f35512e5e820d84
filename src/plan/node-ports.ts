import type { NodePortAllocation } from '../model/state.js';
import type { Resource, Service, SourceLocation } from '../model/types.js';
import type { DesiredState } from './desired.js';
import type { StoreChange } from './store-changes.js';

/** Kubernetes' default `--service-node-port-range`. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** What NodePort planning reads: the store's memory and the host's ports (runtime/node-ports.ts). */
export interface NodePortObservation {
  /** Allocations of EVERY app sharing the state dir: a host port is global to the host. */
  allocations: readonly NodePortAllocation[];
  /**
   * Where the next automatic allocation starts looking: one past the last port handed out
   * automatically (round robin, so a just-released port is not given to the next Service).
   */
  cursor: number;
  /** Host ports something else publishes or listens on; a new allocation avoids them. */
  hostPorts: ReadonlySet<number>;
}

/** A Service port that gets no node port; the pass fails with `code` before changing anything. */
export interface NodePortProblem {
  code: 'CONFLICT' | 'USAGE';
  message: string;
  data: { app: string; serviceKey: string; portName: string; port?: number; heldBy?: { app: string; serviceKey: string; portName: string } };
  source: SourceLocation;
}

export interface NodePortPlan {
  /** Service key → port name → node port: this app's allocations once `changes` are committed. */
  ports: Record<string, Record<string, number>>;
  /** Claims and releases, in the order the store must apply them (runtime/commit.ts). */
  changes: StoreChange[];
  problems: NodePortProblem[];
}

type Desired = Pick<DesiredState, 'services' | 'byKey'>;

const isPublished = (svc: Service): boolean => svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
/** SCTP is not published (the proxies forward TCP and UDP): no node port either. */
const nodePortsOf = (svc: Service) => (svc.spec.ports ?? []).filter((p) => p.protocol !== 'SCTP');

/**
 * True when some Service port needs an automatic allocation (no requested `nodePort`, none
 * held): only then is the host asked which ports are in use, a Docker and /proc read.
 */
export function needsNewNodePort(app: string, desired: Desired, allocations: readonly NodePortAllocation[]): boolean {
  const held = new Set(allocations.filter((a) => a.app === app).map((a) => `${a.serviceKey} ${a.portName}`));
  return desired.services.some((r) => isPublished(r.object) && nodePortsOf(r.object).some((p) => p.nodePort === undefined && !held.has(`${r.key} ${p.name ?? ''}`)));
}

/**
 * The node port of every NodePort/LoadBalancer Service port, and the store changes that make
 * it so. Allocations are stable (kept while the Service port exists) and unique across every
 * app of the state dir. A requested `nodePort` is claimed, moving the Service port off the one
 * it held; another Service holding it is a CONFLICT. A new port is the next free one from the
 * cursor, avoiding ports held, published on the host, or published by this revision's
 * LoadBalancers (not published yet when ports are allocated: issue 11). A Service that is no
 * longer NodePort/LoadBalancer releases its ports at once; one gone from the revision only
 * once its proxy is gone (without --prune an orphaned proxy keeps publishing them).
 *
 * The decisions are taken one after another against a working copy of the store, in the order
 * the changes are listed, so committing them replays exactly this plan; a claim the store
 * refuses (another app took the port in the meantime) rolls the commit back.
 */
export function planNodePorts(app: string, desired: Desired, proxies: ReadonlyArray<{ namespace: string; name: string }>, seen: NodePortObservation): NodePortPlan {
  const state = new Allocations(seen.allocations);
  const changes: StoreChange[] = [];
  const problems: NodePortProblem[] = [];
  const loadBalancerPorts = desired.services.flatMap((r) => (r.object.spec.type === 'LoadBalancer' ? (r.object.spec.ports ?? []).map((p) => p.port) : []));
  const avoid = new Set([...seen.hostPorts, ...loadBalancerPorts]);
  let cursor = inRange(seen.cursor) ? seen.cursor : NODE_PORT_RANGE.min;

  const release = (serviceKey: string, keep: readonly string[] = []) => {
    if (state.release(app, serviceKey, keep).length > 0) changes.push({ type: 'release-node-ports', serviceKey, ...(keep.length ? { keep } : {}) });
  };

  const claim = (r: Resource<Service>, portName: string, requested: number | undefined): void => {
    const own = state.own(app, r.key, portName);
    const base = { app, serviceKey: r.key, portName };
    if (requested !== undefined) {
      if (!Number.isInteger(requested) || !inRange(requested)) {
        problems.push({ code: 'USAGE', message: `nodePort ${requested} of ${r.key} is outside the range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`, data: { ...base, port: requested }, source: r.source });
        return;
      }
      if (own === requested) return;
      const holder = state.holder(requested);
      if (holder) {
        const heldBy = { app: holder.app, serviceKey: holder.serviceKey, portName: holder.portName };
        problems.push({
          code: 'CONFLICT',
          message: `nodePort ${requested} requested by ${r.key} (app ${app}) is already allocated to ${heldBy.serviceKey} (app ${heldBy.app})`,
          data: { ...base, port: requested, heldBy },
          source: r.source,
        });
        return;
      }
      state.claim(app, r.key, portName, requested);
      changes.push({ type: 'claim-node-port', serviceKey: r.key, portName, port: requested });
      return;
    }
    if (own !== undefined) return;
    const port = nextFree(cursor, (p) => state.holder(p) !== undefined || avoid.has(p));
    if (port === undefined) {
      problems.push({ code: 'CONFLICT', message: `no free nodePort left in ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max} for ${r.key}`, data: base, source: r.source });
      return;
    }
    cursor = port === NODE_PORT_RANGE.max ? NODE_PORT_RANGE.min : port + 1;
    state.claim(app, r.key, portName, port);
    changes.push({ type: 'claim-node-port', serviceKey: r.key, portName, port, cursor });
  };

  for (const r of desired.services) {
    if (!isPublished(r.object)) {
      release(r.key);
      continue;
    }
    const names = nodePortsOf(r.object).map((p) => {
      claim(r, p.name ?? '', p.nodePort);
      return p.name ?? '';
    });
    release(r.key, names);
  }
  for (const serviceKey of state.serviceKeys(app)) {
    if (desired.byKey.has(serviceKey)) continue;
    const [, ns, name] = serviceKey.split('/');
    if (proxies.some((s) => s.namespace === ns && s.name === name)) continue;
    release(serviceKey);
  }
  return { ports: state.byService(app), changes, problems };
}

function inRange(port: number): boolean {
  return port >= NODE_PORT_RANGE.min && port <= NODE_PORT_RANGE.max;
}

/** The first port from `start` on, wrapping around the range, that is not `taken`. */
function nextFree(start: number, taken: (port: number) => boolean): number | undefined {
  const size = NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1;
  for (let i = 0; i < size; i++) {
    const port = NODE_PORT_RANGE.min + ((start - NODE_PORT_RANGE.min + i) % size);
    if (!taken(port)) return port;
  }
  return undefined;
}

/** A working copy of the store's node_ports table, changed as the store will be by the changes. */
class Allocations {
  private readonly byPort = new Map<number, NodePortAllocation>();

  constructor(allocations: readonly NodePortAllocation[]) {
    for (const a of allocations) this.byPort.set(a.port, a);
  }

  holder(port: number): NodePortAllocation | undefined {
    return this.byPort.get(port);
  }

  own(app: string, serviceKey: string, portName: string): number | undefined {
    for (const a of this.byPort.values()) if (a.app === app && a.serviceKey === serviceKey && a.portName === portName) return a.port;
    return undefined;
  }

  /** As the store's claim: the Service port moves off the port it held. */
  claim(app: string, serviceKey: string, portName: string, port: number): void {
    const own = this.own(app, serviceKey, portName);
    if (own !== undefined) this.byPort.delete(own);
    this.byPort.set(port, { port, app, serviceKey, portName, allocatedAt: 0 });
  }

  release(app: string, serviceKey: string, keep: readonly string[]): number[] {
    const released = [...this.byPort.values()].filter((a) => a.app === app && a.serviceKey === serviceKey && !keep.includes(a.portName)).map((a) => a.port);
    for (const p of released) this.byPort.delete(p);
    return released;
  }

  serviceKeys(app: string): string[] {
    return [...new Set([...this.byPort.values()].filter((a) => a.app === app).map((a) => a.serviceKey))];
  }

  byService(app: string): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const a of [...this.byPort.values()].sort((x, y) => x.port - y.port)) if (a.app === app) (out[a.serviceKey] ??= {})[a.portName] = a.port;
    return out;
  }
}
