import { Readable } from 'node:stream';
import { systemClock } from '../../src/runtime/clock.js';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../src/apply/docker.js';
import { ensureImage } from '../../src/apply/images/index.js';
import { BerthError } from '../../src/model/errors.js';
import type { RegistryResolver } from '../../src/apply/images/registry-address.js';
import { registryOnHost } from '../../src/apply/images/registry-address.js';

/**
 * The run-time check before a pull (issue 11, F2): a registry name is resolved as dockerd
 * resolves it (/etc/hosts first) and refused when an address is the host's. The resolver is
 * injected: a table of names as this host's /etc/hosts and DNS would answer, and its interfaces.
 */
const NAMES: Record<string, string[]> = {
  vm: ['127.0.0.1'],
  'ubuntu-host': ['127.0.1.1'],
  'localhost.localdomain': ['127.0.0.1'],
  'ip6-localhost': ['::1'],
  'mapped.example': ['::ffff:127.0.0.1'],
  'meta.example': ['169.254.169.254'],
  'zero.example': ['0.0.0.0'],
  'self.example': ['192.0.2.2'],
  'bridge.example': ['172.17.0.1'],
  'mixed.example': ['203.0.113.7', '127.0.0.1'],
  'v6-self.example': ['2001:db8::2'],
  'ghcr.io': ['140.82.112.33', '2606:50c0::1'],
  'registry.lan': ['192.0.2.50'],
};

const resolver: RegistryResolver = {
  lookup: async (host) => {
    if (/^[\d.]+$/.test(host) || host.includes(':')) return [{ address: host }];
    const found = NAMES[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address }));
  },
  interfaces: () => [
    { name: 'lo', address: '127.0.0.1' },
    { name: 'eth0', address: '192.0.2.2' },
    { name: 'eth0', address: '2001:DB8::2' },
    { name: 'docker0', address: '172.17.0.1' },
    { name: 'br-23b5037687d2', address: '172.24.0.1' },
  ],
};

describe('registryOnHost', () => {
  it.each<[string, string | undefined]>([
    // names of the host's /etc/hosts, which the name check cannot know
    ['vm:5999', "resolves to 127.0.0.1, a loopback address of berth's host"],
    ['ubuntu-host:5000', "resolves to 127.0.1.1, a loopback address of berth's host"],
    ['localhost.localdomain:80', "resolves to 127.0.0.1, a loopback address of berth's host"],
    ['ip6-localhost:5000', "resolves to ::1, a loopback address of berth's host"],
    ['mapped.example:1', "resolves to 127.0.0.1, a loopback address of berth's host"],
    ['meta.example', "resolves to 169.254.169.254, a link-local address of berth's host"],
    ['zero.example:80', 'resolves to 0.0.0.0, an unspecified address (this host)'],
    // the host's own interface addresses, bridge gateways included
    ['192.0.2.2:5999', "is 192.0.2.2, the address of this host's interface eth0"],
    ['172.17.0.1:5000', "is 172.17.0.1, the address of this host's interface docker0"],
    ['172.24.0.1:5000', "is 172.24.0.1, the address of this host's interface br-23b5037687d2"],
    ['[2001:db8::2]:5000', "is 2001:db8::2, the address of this host's interface eth0"],
    ['self.example:443', "resolves to 192.0.2.2, the address of this host's interface eth0"],
    ['bridge.example', "resolves to 172.17.0.1, the address of this host's interface docker0"],
    ['v6-self.example:5000', "resolves to 2001:db8::2, the address of this host's interface eth0"],
    // any one address on the host is enough: Docker may try each
    ['mixed.example:5000', "resolves to 127.0.0.1, a loopback address of berth's host"],
    // elsewhere
    ['ghcr.io', undefined],
    ['registry.lan:5000', undefined],
    ['172.17.0.5:5000', undefined],
    ['VM.:5999', "resolves to 127.0.0.1, a loopback address of berth's host"],
    // a name that does not resolve is Docker's to report
    ['nowhere.invalid:5000', undefined],
  ])('%s → %s', async (registry, want) => {
    expect(await registryOnHost(registry, resolver)).toBe(want);
  });

  it('reads this host\'s own names through the system resolver (localhost is in every /etc/hosts)', async () => {
    expect(await registryOnHost('localhost:5000')).toMatch(/^resolves to (127\.0\.0\.1|::1), a loopback address of berth's host$/);
  });
});

describe('ensureImage holds a pull to the run-time check', () => {
  /** A Docker client that records pulls; `present` images inspect fine, others are 404. */
  function fakeDocker(present: string[] = []) {
    const pulls: string[] = [];
    const api = {
      getImage: (ref: string) => ({
        inspect: async () => {
          if (present.includes(ref)) return {};
          throw Object.assign(new Error('no such image'), { statusCode: 404 });
        },
      }),
      pull: async (ref: string) => {
        pulls.push(ref);
        return Readable.from([]);
      },
      modem: { followProgress: (_s: unknown, done: (err: Error | null, out: unknown[]) => void) => done(null, []) },
    };
    return { docker: { api } as unknown as DockerClient, pulls };
  }

  it('refuses a registry that resolves to the host, names the flag, and never asks Docker', async () => {
    const { docker, pulls } = fakeDocker();
    const err = await ensureImage(docker, systemClock, 'vm:5999/x:1', 'Always', new Map(), { allowedRegistries: [], resolver }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).code).toBe('IMAGE_UNAVAILABLE');
    expect((err as BerthError).message).toMatch(/^image vm:5999\/x:1 is not on the host and berth refused to pull it: its registry vm:5999 resolves to 127\.0\.0\.1, a loopback address of berth's host.*--allow-registry vm:5999 \(host policy allowedRegistries\)$/);
    expect(pulls).toEqual([]);
  });

  it('an unknown policy allows no registry on the host', async () => {
    const { docker, pulls } = fakeDocker();
    await expect(ensureImage(docker, systemClock, '172.17.0.1:5000/x:1', 'IfNotPresent', new Map(), { resolver })).rejects.toThrow(/interface docker0/);
    expect(pulls).toEqual([]);
  });

  it('pulls when --allow-registry names the registry, or when it is elsewhere', async () => {
    const { docker, pulls } = fakeDocker();
    await ensureImage(docker, systemClock, 'vm:5999/x:1', 'Always', new Map(), { allowedRegistries: ['VM:5999'], resolver });
    await ensureImage(docker, systemClock, 'registry.lan:5000/x:1', 'Always', new Map(), { allowedRegistries: [], resolver });
    await ensureImage(docker, systemClock, 'busybox:1.36', 'Always', new Map(), { allowedRegistries: [], resolver });
    expect(pulls).toEqual(['vm:5999/x:1', 'registry.lan:5000/x:1', 'busybox:1.36']);
  });

  it('no pull, no check: an IfNotPresent image already on the host is used', async () => {
    const { docker, pulls } = fakeDocker(['vm:5999/x:1']);
    const lookups: string[] = [];
    const counting: RegistryResolver = { ...resolver, lookup: (h) => (lookups.push(h), resolver.lookup(h)) };
    expect(await ensureImage(docker, systemClock, 'vm:5999/x:1', 'IfNotPresent', new Map(), { resolver: counting })).toEqual({ ref: 'vm:5999/x:1', pulled: false });
    expect(lookups).toEqual([]);
    expect(pulls).toEqual([]);
  });

  it('Always with a copy on the host: the refused pull falls back to it with a warning', async () => {
    const { docker, pulls } = fakeDocker(['self.example:443/x:1']);
    const r = await ensureImage(docker, systemClock, 'self.example:443/x:1', 'Always', new Map(), { resolver });
    expect(r.pulled).toBe(false);
    expect(r.warning).toMatch(/^pulling self\.example:443\/x:1 was refused \(.*interface eth0.*--allow-registry self\.example:443/);
    expect(pulls).toEqual([]);
  });
});
