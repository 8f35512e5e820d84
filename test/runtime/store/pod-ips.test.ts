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

  it('keeps networks apart, and releases a network\'s addresses with it', () => {
    const { store } = open();
    claim(store, 'default/p1');
    expect(claim(store, 'default/p1', [], 'berth_a_other')).toBe('0.0.0.100');
    expect(store.releaseNetworkPodIps(NET)).toBe(1);
    expect(store.listPodIps().map((c) => c.network)).toEqual(['berth_a_other']);
    // Its cursor went with it: the range starts over.
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

  // `berth state rebuild`: the app's claims become what Docker shows, whatever the store held.
  const q = (pod: string, ip: string, claimedAt: number) => ({ network: NET, pod, app: 'a', ip, claimedAt });
  const rebuilds: Array<{ name: string; before: string[]; docker: ReturnType<typeof q>[]; after: string[]; refused: string[] }> = [
    { name: 'a stale claim of a gone pod gives way to the address a live container holds', before: ['default/gone'], docker: [q('default/live', '0.0.0.100', 5)], after: ['default/live 0.0.0.100'], refused: [] },
    { name: 'claims of pods Docker does not show go', before: ['default/p1', 'default/p2'], docker: [], after: [], refused: [] },
    {
      name: 'of two containers naming one address, the newer holds it',
      before: [],
      docker: [q('default/old', '0.0.0.102', 1), q('default/new', '0.0.0.102', 9)],
      after: ['default/new 0.0.0.102'],
      refused: ['default/old 0.0.0.102'],
    },
  ];
  for (const c of rebuilds) {
    it(`replaces the app's claims on a rebuild: ${c.name}`, () => {
      const { store } = open();
      for (const pod of c.before) claim(store, pod);
      store.claimPodIp({ app: 'b', network: 'berth_b_default', pod: 'default/p1', ...range, taken: new Set() });
      expect(store.replaceAppPodIps('a', c.docker).map((r) => `${r.pod} ${r.ip}`)).toEqual(c.refused);
      expect(store.listPodIps(NET).map((r) => `${r.pod} ${r.ip}`)).toEqual(c.after);
      // Another app's claims are not touched.
      expect(store.listPodIps('berth_b_default')).toHaveLength(1);
    });
  }
});
