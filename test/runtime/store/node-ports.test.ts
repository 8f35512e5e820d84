import { describe, expect, it } from 'vitest';
import { NODE_PORT_RANGE } from '../../../src/runtime/store/index.js';
import { storeHarness, thrown } from './harness.js';

/**
 * The store records the node ports the planner chose (plan/node-ports.ts, tested there) and is
 * the race guard: a port someone holds is refused, whatever the plan thought.
 */
const h = storeHarness();
const WEB = 'Service/default/web';
const API = 'Service/default/api';

describe('NodePort allocation store', () => {
  it('records a port, is stable, and moves a Service port off the one it held', () => {
    const { store } = h.open();
    expect(store.allocateNodePort('app', WEB, 'http', 30000)).toBe(30000);
    expect(store.allocateNodePort('app', WEB, 'http', 30000)).toBe(30000);
    expect(store.allocateNodePort('app', WEB, 'http', 31080)).toBe(31080);
    expect(store.listNodePorts().map((a) => a.port)).toEqual([31080]);
  });

  it('starts the round-robin cursor at the bottom of the range and moves it only when told', () => {
    const { store } = h.open();
    expect(store.nodePortCursor()).toBe(NODE_PORT_RANGE.min);
    store.allocateNodePort('app', WEB, 'http', 30005);
    expect(store.nodePortCursor()).toBe(NODE_PORT_RANGE.min);
    store.allocateNodePort('app', API, 'http', 30000, { cursor: 30001 });
    expect(store.nodePortCursor()).toBe(30001);
    // Released ports leave the cursor where it is: the next Service does not get them at once.
    store.releaseNodePorts('app', API);
    expect(store.nodePortCursor()).toBe(30001);
  });

  it.each([
    { name: 'another Service of the same app', app: 'app', service: API, port: 'http' },
    { name: 'a Service of another app (host ports are global)', app: 'other', service: WEB, port: 'http' },
    { name: 'another port of the same Service', app: 'app', service: WEB, port: 'metrics' },
  ])('refuses a port held by $name with CONFLICT naming the holder', ({ app, service, port }) => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http', 30080);
    expect(thrown(() => store.allocateNodePort(app, service, port, 30080, { cursor: 30081 }))).toMatchObject({
      code: 'CONFLICT',
      data: { app, serviceKey: service, portName: port, port: 30080, heldBy: { app: 'app', serviceKey: WEB, portName: 'http' } },
    });
    expect(store.listNodePorts().map((a) => [a.port, a.app, a.serviceKey, a.portName])).toEqual([[30080, 'app', WEB, 'http']]);
    expect(store.nodePortCursor()).toBe(NODE_PORT_RANGE.min);
  });

  it.each([29999, 32768, 80, 30000.5])('refuses port %s outside the range with USAGE', (port) => {
    const { store } = h.open();
    expect(thrown(() => store.allocateNodePort('app', WEB, 'http', port))).toMatchObject({ code: 'USAGE', data: { port } });
  });

  it('releases a Service’s ports except those still in its spec, and lists per app', () => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http', 30000);
    store.allocateNodePort('app', WEB, 'https', 30001);
    store.allocateNodePort('app', WEB, 'metrics', 30002);
    store.allocateNodePort('other', WEB, 'http', 30003);
    expect(store.releaseNodePorts('app', WEB, { keep: ['https'] })).toEqual([30000, 30002]);
    expect(store.listNodePorts('app')).toEqual([{ port: 30001, app: 'app', serviceKey: WEB, portName: 'https', allocatedAt: expect.any(Number) }]);
    expect(store.listNodePorts().map((a) => `${a.app}:${a.port}`)).toEqual(['app:30001', 'other:30003']);
  });
});
