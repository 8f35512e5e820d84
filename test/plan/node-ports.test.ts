import { describe, expect, it } from 'vitest';
import type { NodePortAllocation } from '../../src/model/state.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { NodePortObservation } from '../../src/plan/node-ports.js';
import { NODE_PORT_RANGE, needsNewNodePort, planNodePorts } from '../../src/plan/node-ports.js';
import { res, TEST_HASH_KEY } from '../support/builders.js';

/**
 * NodePort allocation as a pure decision: the store's allocations of every app, the round-robin
 * cursor and the host's ports in; the ports, the claims/releases to commit and the problems out.
 */
type Port = { name?: string; port?: number; nodePort?: number; protocol?: string };
const svc = (name: string, type: string, ports: Port[] = [{ name: 'http' }]) =>
  res({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type, selector: { app: 'web' }, ports: ports.map((p) => ({ port: 80, targetPort: 8080, ...p })) },
  });
const np = (name: string, ports?: Port[]) => svc(name, 'NodePort', ports);
const at = (port: number, serviceKey: string, portName = 'http', app = 'a'): NodePortAllocation => ({ port, app, serviceKey, portName, allocatedAt: 1 });
const A = 'Service/default/a';
const B = 'Service/default/b';

interface Case {
  name: string;
  services: ReturnType<typeof svc>[];
  allocations?: NodePortAllocation[];
  cursor?: number;
  hostPorts?: number[];
  /** Services whose proxy still runs (namespace default). */
  proxies?: string[];
  ports: Record<string, Record<string, number>>;
  changes: unknown[];
  problems?: unknown[];
}

const cases: Case[] = [
  {
    name: 'a requested port is claimed without moving the cursor',
    services: [np('a', [{ name: 'http', nodePort: 31080 }])],
    ports: { [A]: { http: 31080 } },
    changes: [{ type: 'claim-node-port', serviceKey: A, portName: 'http', port: 31080 }],
  },
  {
    name: 'a requested port the Service port holds already changes nothing',
    services: [np('a', [{ name: 'http', nodePort: 31080 }])],
    allocations: [at(31080, A)],
    ports: { [A]: { http: 31080 } },
    changes: [],
  },
  {
    name: 'a newly requested port moves the Service port off the one it held',
    services: [np('a', [{ name: 'http', nodePort: 31080 }])],
    allocations: [at(30000, A)],
    ports: { [A]: { http: 31080 } },
    changes: [{ type: 'claim-node-port', serviceKey: A, portName: 'http', port: 31080 }],
  },
  {
    name: 'an allocated port is kept, whatever the host publishes now',
    services: [np('a')],
    allocations: [at(30007, A)],
    hostPorts: [30007],
    ports: { [A]: { http: 30007 } },
    changes: [],
  },
  {
    name: 'new ports come from the cursor on, one after another, each claim moving it',
    services: [np('a', [{ name: 'http' }, { name: 'https', port: 443 }]), np('b')],
    cursor: 30005,
    ports: { [A]: { http: 30005, https: 30006 }, [B]: { http: 30007 } },
    changes: [
      { type: 'claim-node-port', serviceKey: A, portName: 'http', port: 30005, cursor: 30006 },
      { type: 'claim-node-port', serviceKey: A, portName: 'https', port: 30006, cursor: 30007 },
      { type: 'claim-node-port', serviceKey: B, portName: 'http', port: 30007, cursor: 30008 },
    ],
  },
  {
    name: 'round robin: a port released below the cursor is not handed out again at once',
    services: [np('b')],
    cursor: 30001,
    ports: { [B]: { http: 30001 } },
    changes: [{ type: 'claim-node-port', serviceKey: B, portName: 'http', port: 30001, cursor: 30002 }],
  },
  {
    name: "round robin skips ports other apps hold and wraps around the range's top",
    services: [np('a')],
    allocations: [at(NODE_PORT_RANGE.max, 'Service/default/x', 'http', 'other'), at(NODE_PORT_RANGE.min, 'Service/default/y', 'http', 'other')],
    cursor: NODE_PORT_RANGE.max,
    ports: { [A]: { http: NODE_PORT_RANGE.min + 1 } },
    changes: [{ type: 'claim-node-port', serviceKey: A, portName: 'http', port: NODE_PORT_RANGE.min + 1, cursor: NODE_PORT_RANGE.min + 2 }],
  },
  {
    name: 'a cursor outside the range starts at its bottom',
    services: [np('a')],
    cursor: 80,
    ports: { [A]: { http: 30000 } },
    changes: [{ type: 'claim-node-port', serviceKey: A, portName: 'http', port: 30000, cursor: 30001 }],
  },
  {
    name: 'new ports avoid host ports Docker publishes or a host process listens on',
    services: [np('a'), np('b')],
    hostPorts: [30000, 30002],
    ports: { [A]: { http: 30001 }, [B]: { http: 30003 } },
    changes: [
      { type: 'claim-node-port', serviceKey: A, portName: 'http', port: 30001, cursor: 30002 },
      { type: 'claim-node-port', serviceKey: B, portName: 'http', port: 30003, cursor: 30004 },
    ],
  },
  {
    name: "new ports avoid the ports the revision's LoadBalancers will publish (issue 11)",
    services: [np('a'), svc('lb', 'LoadBalancer', [{ name: 'http', port: 30000 }])],
    ports: { [A]: { http: 30001 }, 'Service/default/lb': { http: 30002 } },
    changes: [
      { type: 'claim-node-port', serviceKey: A, portName: 'http', port: 30001, cursor: 30002 },
      { type: 'claim-node-port', serviceKey: 'Service/default/lb', portName: 'http', port: 30002, cursor: 30003 },
    ],
  },
  {
    name: 'SCTP ports get no node port',
    services: [np('a', [{ name: 'http' }, { name: 'sig', protocol: 'SCTP', port: 9 }])],
    ports: { [A]: { http: 30000 } },
    changes: [{ type: 'claim-node-port', serviceKey: A, portName: 'http', port: 30000, cursor: 30001 }],
  },
  {
    name: 'a requested port another app holds is a CONFLICT naming the holder; nothing is claimed',
    services: [np('b', [{ name: 'http', nodePort: 30080 }])],
    allocations: [at(30080, A, 'http', 'other')],
    ports: {},
    changes: [],
    problems: [
      {
        code: 'CONFLICT',
        message: `nodePort 30080 requested by ${B} (app a) is already allocated to ${A} (app other)`,
        data: { app: 'a', serviceKey: B, portName: 'http', port: 30080, heldBy: { app: 'other', serviceKey: A, portName: 'http' } },
        source: { file: 'test.yaml', line: 1, column: 1 },
      },
    ],
  },
  {
    name: 'a requested port another Service of the app holds is a CONFLICT; the Service keeps what it had',
    services: [np('a', [{ name: 'http', nodePort: 30080 }]), np('b', [{ name: 'http', nodePort: 30080 }])],
    allocations: [at(30080, A), at(30001, B)],
    ports: { [A]: { http: 30080 }, [B]: { http: 30001 } },
    changes: [],
    problems: [expect.objectContaining({ code: 'CONFLICT', data: expect.objectContaining({ serviceKey: B, heldBy: { app: 'a', serviceKey: A, portName: 'http' } }) })],
  },
  {
    name: 'a requested port outside the range is USAGE',
    services: [np('a', [{ name: 'http', nodePort: 80 }])],
    ports: {},
    changes: [],
    problems: [expect.objectContaining({ code: 'USAGE', message: `nodePort 80 of ${A} is outside the range 30000-32767` })],
  },
  {
    name: 'a Service no longer NodePort releases its ports at once; a later Service may claim them',
    services: [svc('a', 'ClusterIP'), np('b', [{ name: 'http', nodePort: 30000 }])],
    allocations: [at(30000, A)],
    proxies: ['a'],
    ports: { [B]: { http: 30000 } },
    changes: [
      { type: 'release-node-ports', serviceKey: A },
      { type: 'claim-node-port', serviceKey: B, portName: 'http', port: 30000 },
    ],
  },
  {
    name: 'a port removed from a Service is released, its others kept',
    services: [np('a', [{ name: 'http' }])],
    allocations: [at(30000, A), at(30001, A, 'metrics')],
    ports: { [A]: { http: 30000 } },
    changes: [{ type: 'release-node-ports', serviceKey: A, keep: ['http'] }],
  },
  {
    name: 'a Service gone from the revision keeps its ports while its proxy runs (an orphan without --prune)',
    services: [],
    allocations: [at(30000, A)],
    proxies: ['a'],
    ports: { [A]: { http: 30000 } },
    changes: [],
  },
  {
    name: 'a Service gone from the revision releases its ports once its proxy is gone; other apps keep theirs',
    services: [],
    allocations: [at(30000, A), at(30001, A, 'http', 'other')],
    ports: {},
    changes: [{ type: 'release-node-ports', serviceKey: A }],
  },
  {
    name: 'a full range is a CONFLICT',
    services: [np('a')],
    allocations: Array.from({ length: NODE_PORT_RANGE.max - NODE_PORT_RANGE.min + 1 }, (_, i) => at(NODE_PORT_RANGE.min + i, `Service/default/s${i}`, 'p', 'other')),
    ports: {},
    changes: [],
    problems: [expect.objectContaining({ code: 'CONFLICT', message: `no free nodePort left in 30000-32767 for ${A}`, data: { app: 'a', serviceKey: A, portName: 'http' } })],
  },
];

describe('planNodePorts', () => {
  it.each(cases)('$name', (c) => {
    const desired = buildDesiredState(c.services, { hashKey: TEST_HASH_KEY });
    const seen: NodePortObservation = { allocations: c.allocations ?? [], cursor: c.cursor ?? NODE_PORT_RANGE.min, hostPorts: new Set(c.hostPorts ?? []) };
    const proxies = (c.proxies ?? []).map((name) => ({ namespace: 'default', name }));
    expect(planNodePorts('a', desired, proxies, seen)).toEqual({ ports: c.ports, changes: c.changes, problems: c.problems ?? [] });
  });
});

describe('needsNewNodePort: the host is read only when a Service port needs a new number', () => {
  it.each([
    { name: 'nothing published', services: [svc('a', 'ClusterIP')], allocations: [], needs: false },
    { name: 'a port without a number', services: [np('a')], allocations: [], needs: true },
    { name: 'a requested port', services: [np('a', [{ name: 'http', nodePort: 31000 }])], allocations: [], needs: false },
    { name: 'an allocated port', services: [np('a')], allocations: [at(30000, A)], needs: false },
    { name: "another app's allocation of the same key", services: [np('a')], allocations: [at(30000, A, 'http', 'other')], needs: true },
  ])('$name → $needs', ({ services, allocations, needs }) => {
    expect(needsNewNodePort('a', buildDesiredState(services, { hashKey: TEST_HASH_KEY }), allocations)).toBe(needs);
  });
});
