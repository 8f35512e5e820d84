import type Dockerode from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { createdNs, createNetwork, lostRace } from '../../src/apply/network.js';
import { parseCidr } from '../../src/model/ipv4.js';

/**
 * Namespace networks against a fake engine: the subnet is the one Docker gives a probe network
 * (which never stays behind), split for pod addresses when it is IPv4 and a /24 or larger; the
 * race of two makers is settled by the older network (lostRace, createdNs).
 */
describe('createdNs', () => {
  it.each<[string, string | undefined, bigint]>([
    ['nine fraction digits', '2026-12-06T00:00:01.123456789Z', 1_796_515_201_123_456_789n],
    ['trailing zeros dropped (Docker)', '2026-12-06T00:00:01.1Z', 1_796_515_201_100_000_000n],
    ['no fraction', '2026-12-06T00:00:01Z', 1_796_515_201_000_000_000n],
    ['an offset, same instant as Z', '2026-12-06T01:00:01.5+01:00', 1_796_515_201_500_000_000n],
    ['a negative offset', '2026-12-05T23:00:01.5-01:00', 1_796_515_201_500_000_000n],
    ['unparsable: 0 (oldest)', 'yesterday', 0n],
    ['missing: 0', undefined, 0n],
  ])('%s', (_name, text, ns) => {
    expect(createdNs(text)).toBe(ns);
  });
});

type Net = { Id: string; Name: string; Created: string; IPAM?: { Config: Array<{ Subnet?: string }> } };

function listing(nets: Net[]) {
  const removed: string[] = [];
  const api = {
    listNetworks: async () => nets,
    getNetwork: (id: string) => ({ remove: async () => void removed.push(id) }),
  } as unknown as Dockerode;
  return { ctx: { docker: { api } as DockerClient, app: 'a' }, removed };
}

describe('lostRace', () => {
  const mine: Net = { Id: 'm', Name: 'berth_a_web', Created: '2026-12-06T00:00:01.000000002Z', IPAM: { Config: [{ Subnet: '172.20.0.0/16' }] } };
  const subnet = parseCidr('172.20.0.0/16')!;
  const cases: Array<[string, Net[], 'name' | 'subnet' | undefined]> = [
    ['alone: kept', [mine], undefined],
    ['an older network of the name: lost to it', [mine, { ...mine, Id: 'o', Created: '2026-12-06T00:00:01.000000001Z', IPAM: { Config: [] } }], 'name'],
    ['a younger network of the name: kept (the younger one removes itself)', [mine, { ...mine, Id: 'y', Created: '2026-12-06T00:00:01.000000003Z' }], undefined],
    ['made the same ns, the smaller Id wins', [mine, { ...mine, Id: 'a' }], 'name'],
    ['an older network overlapping the subnet: lost', [mine, { Id: 'o', Name: 'other', Created: '2026-12-06T00:00:00Z', IPAM: { Config: [{ Subnet: '172.20.128.0/17' }] } }], 'subnet'],
    ['an older network with another subnet: kept', [mine, { Id: 'o', Name: 'other', Created: '2026-12-06T00:00:00Z', IPAM: { Config: [{ Subnet: '172.21.0.0/16' }] } }], undefined],
    ['mine missing from the list: kept (nothing to compare)', [{ ...mine, Id: 'o', Created: '2026-12-06T00:00:00Z' }], undefined],
  ];
  it.each(cases)('%s', async (_name, nets, outcome) => {
    const { ctx, removed } = listing(nets);
    expect(await lostRace(ctx, 'm', 'berth_a_web', subnet)).toBe(outcome);
    // Only ever the network this maker just made, and only when it lost.
    expect(removed).toEqual(outcome ? ['m'] : []);
  });
});

type Made = { Name: string; Labels: Record<string, string>; IPAM?: { Config: Array<{ Subnet: string; IPRange: string; Gateway: string }> } };

/** An engine that gives probes the subnets in `probes` in turn, and refuses the first `overlaps` real creations. */
function engine(o: { probes: Array<string[]>; overlaps?: number; inspectFails?: boolean; removeFails?: boolean }) {
  const made: Made[] = [];
  const live = new Map<string, Made>();
  let probes = 0;
  let overlaps = o.overlaps ?? 0;
  const api = {
    createNetwork: async (opts: Made) => {
      if (!opts.Name.includes('_probe_') && opts.IPAM && overlaps-- > 0) throw Object.assign(new Error('x'), { statusCode: 403, json: { message: 'Pool overlaps with other one on this address space' } });
      const id = `n${made.length}`;
      made.push(opts);
      live.set(id, opts);
      return { id };
    },
    getNetwork: (id: string) => ({
      inspect: async () => {
        if (o.inspectFails) throw Object.assign(new Error('x'), { statusCode: 500, json: { message: 'boom' } });
        return { Id: id, IPAM: { Config: (o.probes[probes++] ?? []).map((Subnet) => ({ Subnet })) } };
      },
      remove: async () => {
        if (o.removeFails) throw Object.assign(new Error('x'), { statusCode: 500, json: { message: 'device busy' } });
        live.delete(id);
      },
    }),
    listNetworks: async () => [...live].map(([Id, n]) => ({ Id, Name: n.Name, Created: '2026-12-06T00:00:00Z', IPAM: { Config: n.IPAM?.Config ?? [] } })),
  } as unknown as Dockerode;
  return { ctx: { docker: { api } as DockerClient, app: 'a' }, made, live };
}

describe('createNetwork', () => {
  const real = (e: ReturnType<typeof engine>) => e.made.filter((m) => !m.Name.includes('_probe_'));
  const cases: Array<{ name: string; probes: string[][]; overlaps?: number; podRange?: string; ipam?: { Subnet: string; IPRange: string; Gateway: string } }> = [
    {
      name: "Docker's /16: split, Docker the lower half, pods the upper",
      probes: [['172.18.0.0/16']],
      podRange: '172.18.128.0/17',
      ipam: { Subnet: '172.18.0.0/16', IPRange: '172.18.0.0/17', Gateway: '172.18.0.1' },
    },
    { name: 'a /24 still splits', probes: [['10.9.8.0/24']], podRange: '10.9.8.128/25', ipam: { Subnet: '10.9.8.0/24', IPRange: '10.9.8.0/25', Gateway: '10.9.8.1' } },
    { name: 'smaller than a /24: Docker chooses, no pod range', probes: [['10.9.8.0/26']] },
    { name: 'IPv6 only: Docker chooses, no pod range', probes: [['fd00:1::/64']] },
    { name: 'IPv6 beside IPv4: the IPv4 subnet', probes: [['fd00:1::/64', '172.19.0.0/16']], podRange: '172.19.128.0/17', ipam: { Subnet: '172.19.0.0/16', IPRange: '172.19.0.0/17', Gateway: '172.19.0.1' } },
    {
      name: 'taken meanwhile (Pool overlaps): the probe is asked again',
      probes: [['172.18.0.0/16'], ['172.20.0.0/16']],
      overlaps: 1,
      podRange: '172.20.128.0/17',
      ipam: { Subnet: '172.20.0.0/16', IPRange: '172.20.0.0/17', Gateway: '172.20.0.1' },
    },
    { name: 'overlapping every time: after the bounded attempts, Docker chooses', probes: Array.from({ length: 8 }, (_, i) => [`172.${18 + i}.0.0/16`]), overlaps: 99 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const e = engine({ probes: c.probes, overlaps: c.overlaps ?? 0 });
      await createNetwork(e.ctx, 'web');
      const r = real(e).at(-1)!;
      expect(r.Name).toBe('berth_a_web');
      expect(r.Labels['berth.pod-range']).toBe(c.podRange);
      expect(r.IPAM?.Config[0]).toEqual(c.ipam);
      // No probe stays; probes carry berth's labels but no namespace (no pass takes one for a namespace network).
      expect([...e.live.values()].map((n) => n.Name)).toEqual(['berth_a_web']);
      for (const p of e.made.filter((m) => m.Name.includes('_probe_'))) expect(p.Labels).toEqual({ 'berth.managed': 'true', 'berth.app': 'a', 'berth.role': 'network-probe' });
    });
  }

  it('removes the probe when reading it fails, and says what failed', async () => {
    const e = engine({ probes: [], inspectFails: true });
    await expect(createNetwork(e.ctx, 'web')).rejects.toMatchObject({ code: 'DOCKER_ERROR', message: expect.stringMatching(/inspecting network berth_a_web_probe_\w+.*boom/) });
    expect(e.live.size).toBe(0);
  });

  it('a probe it cannot remove is an error that names it and how to remove it', async () => {
    const e = engine({ probes: [['172.18.0.0/16']], removeFails: true });
    await expect(createNetwork(e.ctx, 'web')).rejects.toMatchObject({ code: 'DOCKER_ERROR', data: { hint: expect.stringMatching(/^remove it with: docker network rm berth_a_web_probe_\w+$/) } });
    expect(real(e)).toEqual([]);
  });
});
