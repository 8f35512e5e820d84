import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { localHostScope, registryHost } from '../../model/image-ref.js';

/**
 * Where a registry's name leads at the moment berth asks Docker to pull (issue 11, F2).
 *
 * Validation reads the registry's name only (model/image-ref.ts): it runs offline, in CI, and
 * cannot know this host's names. But root's dockerd resolves the name on this host, reading
 * /etc/hosts first, so `vm:5999/x` (the host's own name, mapped to 127.0.0.1 there),
 * `localhost.localdomain`, `ip6-localhost`, or one of the host's own addresses (its eth0
 * address, the docker0 gateway 172.17.0.1) made it send `GET /v2/` to a service of the host.
 * Right before a pull, the name is resolved as the C library resolves it (dns.lookup reads
 * /etc/hosts as dockerd's resolver does) and every address is held to the same rule as a
 * written one, and to the host's interface addresses besides. A name that changes its answer
 * between this lookup and Docker's own (DNS rebinding) is beyond it (docs/security.md).
 */

export interface RegistryResolver {
  /** Every address `host` resolves to, as the system resolver gives them. */
  lookup(host: string): Promise<ReadonlyArray<{ address: string }>>;
  /** The host's interface addresses (bridges included: their gateways are the host's too). */
  interfaces(): ReadonlyArray<{ name: string; address: string }>;
}

export const SYSTEM_RESOLVER: RegistryResolver = {
  lookup: (host) => dnsLookup(host, { all: true, verbatim: true }),
  interfaces: () => Object.entries(networkInterfaces()).flatMap(([name, list]) => (list ?? []).map((i) => ({ name, address: i.address }))),
};

/** How long a lookup may take; a registry whose name does not resolve in time is Docker's to fail. */
const LOOKUP_TIMEOUT_MS = 10_000;

/**
 * Why pulling from `registry` (`host[:port]` as in image names) would reach berth's own host:
 * `resolves to 127.0.1.1, a loopback address of berth's host`, `is 172.17.0.1, the address of
 * this host's interface docker0`; undefined when every address is elsewhere, or when the name
 * does not resolve (then Docker cannot reach it either and reports that itself).
 */
export async function registryOnHost(registry: string, resolver: RegistryResolver = SYSTEM_RESOLVER): Promise<string | undefined> {
  const host = registryHost(registry);
  let addresses: ReadonlyArray<{ address: string }>;
  try {
    addresses = await withTimeout(resolver.lookup(host), LOOKUP_TIMEOUT_MS);
  } catch {
    return undefined;
  }
  const own = new Map<string, string>();
  for (const i of resolver.interfaces()) own.set(canonical(i.address), i.name);
  const verb = isIP(host) !== 0 ? 'is' : 'resolves to';
  for (const { address } of addresses) {
    const a = canonical(address);
    const scope = localHostScope(a);
    if (scope !== undefined) return `${verb} ${a}, ${scope === 'unspecified' ? 'an unspecified address (this host)' : `a ${scope} address of berth's host`}`;
    const name = own.get(a);
    if (name !== undefined) return `${verb} ${a}, the address of this host's interface ${name}`;
  }
  return undefined;
}

/** Lower case, without a zone, `::ffff:a.b.c.d` as the IPv4 address it carries. */
function canonical(address: string): string {
  const a = address.toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped && isIPv4(mapped[1]!) ? mapped[1]! : a;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
