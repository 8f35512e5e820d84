import { describe, expect, it } from 'vitest';
import { NODE_PORT_RANGE } from '../../../src/runtime/store/index.js';
import { storeHarness, thrown } from './harness.js';

const h = storeHarness();
const WEB = 'Service/default/web';
const API = 'Service/default/api';

describe('NodePort allocation', () => {
  it('allocates in order from the bottom of the range and is stable across applies', () => {
    const { store } = h.open();
    const first = [store.allocateNodePort('app', WEB, 'http'), store.allocateNodePort('app', WEB, 'https'), store.allocateNodePort('app', API, '')];
    const again = [store.allocateNodePort('app', WEB, 'http'), store.allocateNodePort('app', WEB, 'https'), store.allocateNodePort('app', API, '')];
    expect(first).toEqual([30000, 30001, 30002]);
    expect(again).toEqual(first);
  });

  it('skips ports to avoid (published on the host by something this store does not know)', () => {
    const { store } = h.open();
    expect(store.allocateNodePort('app', WEB, 'http', undefined, { avoid: new Set([30000, 30001]) })).toBe(30002);
    // An allocation that exists stays, whatever is avoided later.
    expect(store.allocateNodePort('app', WEB, 'http', undefined, { avoid: new Set([30002]) })).toBe(30002);
  });

  it('does not hand a just-released port to the next Service (round robin)', () => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http');
    expect(store.releaseNodePorts('app', WEB)).toEqual([30000]);
    expect(store.allocateNodePort('app', API, 'http')).toBe(30001);
  });

  it('honours a preferred port, moving the Service off its old one', () => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http');
    expect(store.allocateNodePort('app', WEB, 'http', 31080)).toBe(31080);
    expect(store.allocateNodePort('app', WEB, 'http', 31080)).toBe(31080);
    expect(store.allocateNodePort('app', WEB, 'http')).toBe(31080);
    expect(store.listNodePorts().map((a) => a.port)).toEqual([31080]);
  });

  it.each([
    { name: 'another Service of the same app', app: 'app', service: API, port: 'http' },
    { name: 'a Service of another app (host ports are global)', app: 'other', service: WEB, port: 'http' },
    { name: 'another port of the same Service', app: 'app', service: WEB, port: 'metrics' },
  ])('refuses a preferred port held by $name with CONFLICT naming the holder', ({ app, service, port }) => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http', 30080);
    expect(thrown(() => store.allocateNodePort(app, service, port, 30080))).toMatchObject({
      code: 'CONFLICT',
      data: { app, serviceKey: service, portName: port, port: 30080, heldBy: { app: 'app', serviceKey: WEB, portName: 'http' } },
    });
    expect(store.listNodePorts().map((a) => [a.port, a.app, a.serviceKey, a.portName])).toEqual([[30080, 'app', WEB, 'http']]);
  });

  it.each([29999, 32768, 80, 30000.5])('refuses preferred port %s outside the range with USAGE', (port) => {
    const { store } = h.open();
    expect(thrown(() => store.allocateNodePort('app', WEB, 'http', port))).toMatchObject({ code: 'USAGE', data: { port } });
  });

  it('skips ports taken explicitly when allocating automatically, and wraps around', () => {
    const { store } = h.open();
    store.allocateNodePort('app', 'Service/default/top', 'p', NODE_PORT_RANGE.max - 1);
    store.allocateNodePort('app', 'Service/default/low', 'p', NODE_PORT_RANGE.min + 1);
    expect(store.allocateNodePort('app', WEB, 'a')).toBe(NODE_PORT_RANGE.min);
    expect(store.allocateNodePort('app', WEB, 'b')).toBe(NODE_PORT_RANGE.min + 2);
  });

  it('fails with CONFLICT when the range is full', () => {
    const { store } = h.open();
    store.transaction(() => {
      for (let p = NODE_PORT_RANGE.min; p <= NODE_PORT_RANGE.max; p++) store.allocateNodePort('app', `Service/default/s${p}`, 'p', p);
    });
    expect(thrown(() => store.allocateNodePort('app', WEB, 'http'))).toMatchObject({ code: 'CONFLICT', data: { serviceKey: WEB } });
  });

  it('releases a Service’s ports except those still in its spec, and lists per app', () => {
    const { store } = h.open();
    store.allocateNodePort('app', WEB, 'http');
    store.allocateNodePort('app', WEB, 'https');
    store.allocateNodePort('app', WEB, 'metrics');
    store.allocateNodePort('other', WEB, 'http');
    expect(store.releaseNodePorts('app', WEB, { keep: ['https'] })).toEqual([30000, 30002]);
    expect(store.listNodePorts('app')).toEqual([{ port: 30001, app: 'app', serviceKey: WEB, portName: 'https', allocatedAt: expect.any(Number) }]);
    expect(store.listNodePorts().map((a) => `${a.app}:${a.port}`)).toEqual(['app:30001', 'other:30003']);
  });
});
