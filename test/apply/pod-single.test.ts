import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import type { PodContext } from '../../src/apply/pod-context.js';
import type { PodIpBook } from '../../src/apply/pod-ips.js';
import { podIps } from '../../src/apply/pod-ips.js';
import { createSinglePod } from '../../src/apply/pod-single.js';
import { validateRevision } from '../../src/manifests/index.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import { FakeClock } from '../support/fake-clock.js';
import { TEST_HASH_KEY } from '../support/builders.js';

/**
 * createSinglePod against a fake engine: the container is made on the namespace network with
 * the claimed address in the create call; Docker's "Address already in use" (a container the
 * store and the network view did not know of) gives the address up and claims the next, a
 * bounded number of times; a network without a pod range makes no single pod.
 */
function podPlan(): PodPlan {
  const yaml = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: app, image: 'img:1', imagePullPolicy: IfNotPresent}
`;
  const { resources } = validateRevision([{ path: 'p.yaml', content: Buffer.from(yaml) }]);
  const w = buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads[0]!;
  return w.template.build(w.name);
}

/** A store of claims in memory, handing out 10.0.0.x in order, skipping the taken. */
function book(): PodIpBook & { released: string[] } {
  const held = new Map<string, string>();
  const released: string[] = [];
  return {
    released,
    claimPodIp: (r) => {
      const own = held.get(r.pod);
      if (own && !r.taken.has(own)) return own;
      for (let n = r.first; n <= r.last; n++) {
        const ip = `10.0.0.${n}`;
        if (!r.taken.has(ip) && ![...held.values()].includes(ip)) {
          held.set(r.pod, ip);
          return ip;
        }
      }
      return undefined;
    },
    releasePodIp: (_network, pod) => {
      released.push(pod);
      return held.delete(pod);
    },
    releaseNetworkPodIps: () => 0,
    listPodIps: () => [...held].map(([pod, ip]) => ({ pod, ip })),
  };
}

type Listed = { Labels: Record<string, string>; NetworkSettings: { Networks: Record<string, { IPAddress: string; IPAMConfig?: { IPv4Address: string } }> } };

function engine(o: { podRange?: string; inUse: number; containers?: Listed[] }) {
  const created: Array<{ name: string; ip: string | undefined; network: string | undefined }> = [];
  const removed: string[] = [];
  let refusals = o.inUse;
  const api = {
    // A pod range berth trusts: in the subnet, apart from Docker's IPRange and the gateway.
    getNetwork: () => ({
      inspect: async () => ({
        Name: 'berth_a_default',
        Labels: o.podRange ? { 'berth.pod-range': o.podRange } : {},
        IPAM: { Config: [{ Subnet: '0.0.0.0/24', IPRange: '0.0.0.128/25', Gateway: '0.0.0.129' }] },
        Containers: {},
      }),
    }),
    listContainers: async () => o.containers ?? [],
    createContainer: async (opts: { name: string; HostConfig: { NetworkMode?: string }; NetworkingConfig?: { EndpointsConfig: Record<string, { IPAMConfig: { IPv4Address: string } }> } }) => {
      const id = `c${created.length}`;
      created.push({ name: opts.name, network: opts.HostConfig.NetworkMode, ip: opts.NetworkingConfig?.EndpointsConfig.berth_a_default?.IPAMConfig.IPv4Address });
      return {
        id,
        start: async () => {
          if (refusals-- > 0) throw Object.assign(new Error('(HTTP code 500) server error - Address already in use'), { statusCode: 500, json: { message: 'Address already in use' } });
        },
        remove: async () => void removed.push(id),
        inspect: async () => ({ State: { Running: true, Error: '' }, Config: { Labels: {} } }),
      };
    },
  } as unknown as Dockerode;
  return { docker: { api } as DockerClient, created, removed };
}

function context(docker: DockerClient, b: PodIpBook): PodContext {
  const pulls = new Map([['IfNotPresent img:1', Promise.resolve({ ref: 'img:1', pulled: false })]]);
  const warnings: string[] = [];
  return { docker, app: 'a', clock: new FakeClock(), pulls, warn: (_k: string, reason: string) => warnings.push(reason), podIps: podIps(b) } as unknown as PodContext;
}

describe('createSinglePod', () => {
  it('makes the one container on the namespace network with the claimed address, and starts it', async () => {
    const e = engine({ podRange: '0.0.0.0/30', inUse: 0 });
    const r = await createSinglePod(context(e.docker, book()), podPlan(), false);
    expect(r).toEqual({ started: true });
    expect(e.created).toEqual([{ name: 'berth_a_default_p_app', network: 'berth_a_default', ip: '10.0.0.0' }]);
  });

  it('on "Address already in use" gives the address up and claims another, three tries at most', async () => {
    const e = engine({ podRange: '0.0.0.0/28', inUse: 2 });
    const b = book();
    expect(await createSinglePod(context(e.docker, b), podPlan(), false)).toEqual({ started: true });
    expect(e.created.map((c) => c.ip)).toEqual(['10.0.0.0', '10.0.0.1', '10.0.0.2']);
    expect(e.removed).toEqual(['c0', 'c1']);
    expect(b.released).toEqual(['default/p', 'default/p']);

    const stuck = engine({ podRange: '0.0.0.0/28', inUse: 5 });
    await expect(createSinglePod(context(stuck.docker, book()), podPlan(), false)).rejects.toMatchObject({ code: 'DOCKER_ERROR', data: { pod: 'default/p' } });
    expect(stuck.created).toHaveLength(3);
    expect(stuck.removed).toHaveLength(3);
  });

  it('with the range full, gives up the claims of pods no container on the network holds, and claims one of those', async () => {
    const e = engine({ podRange: '0.0.0.0/30', inUse: 0 });
    const b = book();
    // The range (10.0.0.0–2) is claimed by pods that are gone: their containers were removed by hand.
    for (const pod of ['default/gone-1', 'default/gone-2', 'default/gone-3']) b.claimPodIp({ app: 'a', network: 'berth_a_default', pod, first: 0, last: 2, taken: new Set() });
    expect(await createSinglePod(context(e.docker, b), podPlan(), false)).toEqual({ started: true });
    expect(b.released.sort()).toEqual(['default/gone-1', 'default/gone-2', 'default/gone-3']);
    expect(e.created.map((c) => c.ip)).toEqual(['10.0.0.0']);
  });

  it('makes nothing for a network without a pod range, or a pod a NodePort selects: the caller makes a sandbox pod', async () => {
    const old = engine({ inUse: 0 });
    expect(await createSinglePod(context(old.docker, book()), podPlan(), false)).toBeUndefined();
    const exposed = engine({ podRange: '0.0.0.0/28', inUse: 0 });
    expect(await createSinglePod(context(exposed.docker, book()), podPlan(), true)).toBeUndefined();
    expect([...old.created, ...exposed.created]).toEqual([]);
  });

  it('gives up the pod\'s claim when it is made the sandbox way after all', async () => {
    const b = book();
    b.claimPodIp({ app: 'a', network: 'berth_a_default', pod: 'default/p', first: 0, last: 2, taken: new Set() });
    expect(await createSinglePod(context(engine({ inUse: 0 }).docker, b), podPlan(), false)).toBeUndefined();
    expect(b.released).toEqual(['default/p']);
    expect(b.listPodIps('berth_a_default')).toEqual([]);
  });

  // With the range full, which claims are forgotten: those no single pod's container holds.
  const on = (ip: string, labels: Record<string, string>, ipam?: string): Listed => ({
    Labels: { 'berth.managed': 'true', 'berth.app': 'a', 'berth.kind': 'Pod', 'berth.namespace': 'default', ...labels },
    NetworkSettings: { Networks: { berth_a_default: { IPAddress: ip, ...(ipam ? { IPAMConfig: { IPv4Address: ipam } } : {}) } } },
  });
  const holders: Array<{ name: string; holder?: Listed; released: boolean }> = [
    { name: 'a pod gone without a deletion', released: true },
    { name: 'a pod that is a sandbox pod now', holder: on('10.0.0.200', { 'berth.name': 'held', 'berth.role': 'sandbox' }), released: true },
    { name: 'not a running single pod', holder: on('10.0.0.1', { 'berth.name': 'held', 'berth.role': 'container', 'berth.pod-shape': 'single' }, '10.0.0.1'), released: false },
    { name: 'not a stopped single pod (Docker keeps its IPAMConfig)', holder: on('', { 'berth.name': 'held', 'berth.role': 'container', 'berth.pod-shape': 'single' }, '10.0.0.1'), released: false },
  ];
  for (const c of holders) {
    it(`with the range full, gives up the claim of ${c.name}`, async () => {
      const b = book();
      for (const pod of ['default/held', 'default/x', 'default/y']) b.claimPodIp({ app: 'a', network: 'berth_a_default', pod, first: 0, last: 2, taken: new Set() });
      const e = engine({ podRange: '0.0.0.0/30', inUse: 0, containers: c.holder ? [c.holder] : [] });
      await createSinglePod(context(e.docker, b), podPlan(), false);
      expect(b.released.includes('default/held')).toBe(c.released);
    });
  }

  it('makes no single pod on a network whose pod-range label overlaps the addresses Docker hands out', async () => {
    const e = engine({ podRange: '0.0.0.128/28', inUse: 0 });
    expect(await createSinglePod(context(e.docker, book()), podPlan(), false)).toBeUndefined();
    expect(e.created).toEqual([]);
  });
});
