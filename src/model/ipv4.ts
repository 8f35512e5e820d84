/**
 * IPv4 address arithmetic for namespace networks and the pod addresses berth assigns in them
 * (apply/network.ts, apply/pod-ips.ts). Pure: addresses are unsigned 32-bit numbers here.
 */

export interface Cidr {
  /** The network address. */
  base: number;
  prefix: number;
}

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, bits, ...rest] = text.split('/');
  if (rest.length || ip === undefined || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
  const addr = parseIpv4(ip);
  if (addr === undefined) return undefined;
  const prefix = Number(bits);
  return { base: addr - (addr % size(prefix)), prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** How many addresses a prefix length spans. */
export function size(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
}

/**
 * Whether a network's `berth.pod-range` label can be trusted: it lies inside the network's
 * subnet, shares no address with the range Docker allocates from (IPRange) and does not hold the
 * gateway. A label someone edited or a network made by hand that fails this would have berth ask
 * for addresses Docker hands out too.
 */
export function podRangeFits(range: Cidr, net: { subnet: Cidr; ipRange?: Cidr; gateway?: number }): boolean {
  const inside = range.base >= net.subnet.base && range.base + size(range.prefix) <= net.subnet.base + size(net.subnet.prefix);
  const gateway = net.gateway ?? net.subnet.base + 1;
  const holdsGateway = gateway >= range.base && gateway < range.base + size(range.prefix);
  // Without an IPRange Docker allocates from the whole subnet, the range included.
  return inside && net.ipRange !== undefined && !overlaps(range, net.ipRange) && !holdsGateway;
}

/** A namespace network's halves: Docker allocates from `docker` (IPRange), berth assigns pod addresses from `pods`. */
export function splitSubnet(subnet: Cidr): { gateway: number; docker: Cidr; pods: Cidr } {
  const half = { prefix: subnet.prefix + 1 };
  return { gateway: subnet.base + 1, docker: { base: subnet.base, ...half }, pods: { base: subnet.base + size(half.prefix), ...half } };
}

/** The addresses of a pod range berth may assign: all but the subnet's broadcast address, its last. */
export function podAddresses(range: Cidr): { first: number; last: number } {
  return { first: range.base, last: range.base + size(range.prefix) - 2 };
}

/**
 * The next address to claim, round-robin: the first from `cursor` on (wrapping at the end of the
 * range) that `taken` does not hold; undefined when every address is taken. Round-robin, not
 * lowest-free, so an address just released is the last to be handed out again: conntrack entries
 * and endpoint lists elsewhere may still name its previous pod for a while.
 */
export function nextFree(range: { first: number; last: number }, cursor: number, taken: (ip: number) => boolean): number | undefined {
  const count = range.last - range.first + 1;
  const start = cursor >= range.first && cursor <= range.last ? cursor - range.first : 0;
  for (let i = 0; i < count; i++) {
    const ip = range.first + ((start + i) % count);
    if (!taken(ip)) return ip;
  }
  return undefined;
}
