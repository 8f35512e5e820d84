import { describe, expect, it } from 'vitest';
import { storeHarness } from './harness.js';

const { open } = storeHarness();
const NET = 'berth_a_default';
const range = { first: 100, last: 103 };
const claim = (store: ReturnType<typeof open>['store'], pod: string, taken: string[] = [], network = NET) =>
  store.claimPodIp({ app: 'a', network, pod, ...range, taken: new Set(taken) });

describe('pod addresses in the store', () => {
  it('gives a pod the address it holds on every claim, and claims the next one round-robin for the next pod', () => {
    const { store, clock } = open();
    const at = clock.now();
    expect(claim(store, 'default/p1')).toBe('0.0.0.100');
    expect(claim(store, 'default/p1')).toBe('0.0.0.100');
    expect(claim(store, 'default/p2')).toBe('0.0.0.101');
    expect(store.listPodIps(NET)).toEqual([
      { network: NET, pod: 'default/p1', app: 'a', ip: '0.0.0.100', claimedAt: at },
      { network: NET, pod: 'default/p2', app: 'a', ip: '0.0.0.101', claimedAt: at },
    ]);
  });

  it('does not hand a released address out again before the rest of the range', () => {
    const { store } = open();
    claim(store, 'default/p1');
    expect(store.releasePodIp(NET, 'default/p1')).toBe(true);
    expect(store.releasePodIp(NET, 'default/p1')).toBe(false);
    expect(claim(store, 'default/p2')).toBe('0.0.0.101');
    expect(claim(store, 'default/p3')).toBe('0.0.0.102');
    expect(claim(store, 'default/p4')).toBe('0.0.0.103');
    // Wrapped: the first free one from the start is the released one.
    expect(claim(store, 'default/p5')).toBe('0.0.0.100');
    expect(claim(store, 'default/p6')).toBeUndefined();
  });

  it('counts addresses seen in use as taken, and gives up a claim of its own that another container holds', () => {
    const { store } = open();
    expect(claim(store, 'default/p1', ['0.0.0.100', '0.0.0.101'])).toBe('0.0.0.102');
    expect(claim(store, 'default/p1', ['0.0.0.102'])).toBe('0.0.0.103');
    expect(store.listPodIps(NET).map((c) => c.ip)).toEqual(['0.0.0.103']);
  });

  it('keeps networks apart, releases a network\'s addresses with it, and restores claims read back from Docker with their own dates', () => {
    const { store } = open();
    claim(store, 'default/p1');
    expect(claim(store, 'default/p1', [], 'berth_a_other')).toBe('0.0.0.100');
    expect(store.releaseNetworkPodIps(NET)).toBe(1);
    expect(store.listPodIps().map((c) => c.network)).toEqual(['berth_a_other']);
    expect(store.restorePodIp({ network: NET, pod: 'default/q', app: 'a', ip: '0.0.0.102', claimedAt: 1_700_000_000_000 })).toBe(true);
    expect(store.restorePodIp({ network: NET, pod: 'default/r', app: 'a', ip: '0.0.0.102', claimedAt: 1 })).toBe(false);
    expect(store.listPodIps(NET)).toEqual([{ network: NET, pod: 'default/q', app: 'a', ip: '0.0.0.102', claimedAt: 1_700_000_000_000 }]);
    expect(claim(store, 'default/p9')).toBe('0.0.0.100');
  });

  it('forgets an app\'s addresses with the rest of its state', () => {
    const { store } = open();
    claim(store, 'default/p1');
    claim(store, 'default/p2');
    store.deleteAppState('a');
    expect(store.listPodIps()).toEqual([]);
    // The round-robin cursor went too: the next claim on the network starts at the range's start.
    expect(claim(store, 'default/p3')).toBe('0.0.0.100');
  });

  // A deleted pod's release takes only the claim it held: a StatefulSet ordinal re-created
  // under the same name while the old termination still removed its volumes keeps its own.
  const held: Array<{ name: string; reclaimAfterBegin: boolean; ip?: string; released: boolean }> = [
    { name: 'the claim made before the termination began', reclaimAfterBegin: false, released: true },
    { name: 'the claim made before, at the address the terminated owner had', reclaimAfterBegin: false, ip: '0.0.0.100', released: true },
    { name: 'not the claim taken again by the pod re-created after the termination began', reclaimAfterBegin: true, released: false },
    { name: 'not a claim at another address than the terminated owner had', reclaimAfterBegin: false, ip: '0.0.0.101', released: false },
  ];
  for (const c of held) {
    it(`releases on deletion ${c.name}`, async () => {
      const { store, clock } = open();
      claim(store, 'default/web-0');
      await clock.advance(1000);
      const before = clock.now();
      await clock.advance(1000);
      if (c.reclaimAfterBegin) expect(claim(store, 'default/web-0')).toBe('0.0.0.100');
      expect(store.releasePodIp(NET, 'default/web-0', { before, ...(c.ip ? { ip: c.ip } : {}) })).toBe(c.released);
      expect(store.listPodIps(NET).map((r) => r.pod)).toEqual(c.released ? [] : ['default/web-0']);
    });
  }
});
