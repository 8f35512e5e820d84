import { describe, expect, it } from 'vitest';
import { formatCidr, formatIpv4, nextFree, parseCidr, parseIpv4, podAddresses, podRangeFits, splitSubnet } from '../../src/model/ipv4.js';

const ip = (s: string) => parseIpv4(s)!;

describe('ipv4', () => {
  it('parses and formats addresses and CIDRs, refusing what is not one', () => {
    expect(formatIpv4(ip('172.31.240.7'))).toBe('172.31.240.7');
    expect(formatCidr(parseCidr('172.18.5.9/16')!)).toBe('172.18.0.0/16');
    expect(parseIpv4('1.2.3')).toBeUndefined();
    expect(parseIpv4('1.2.3.256')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  it('splits a subnet: gateway first, Docker the lower half, pods the upper half without its broadcast address', () => {
    const s = splitSubnet(parseCidr('172.31.240.0/20')!);
    expect(formatIpv4(s.gateway)).toBe('172.31.240.1');
    expect(formatCidr(s.docker)).toBe('172.31.240.0/21');
    expect(formatCidr(s.pods)).toBe('172.31.248.0/21');
    const r = podAddresses(s.pods);
    expect([formatIpv4(r.first), formatIpv4(r.last)]).toEqual(['172.31.248.0', '172.31.255.254']);
  });

  it('hands addresses out round-robin from the cursor, wrapping, skipping the taken, until none is left', () => {
    const range = { first: 10, last: 13 };
    expect(nextFree(range, 12, () => false)).toBe(12);
    expect(nextFree(range, 13, (n) => n === 13)).toBe(10);
    expect(nextFree(range, 99, () => false)).toBe(10);
    expect(nextFree(range, 10, () => true)).toBeUndefined();
  });

  // A network's berth.pod-range label is trusted only when Docker cannot hand out its addresses.
  const net = { subnet: parseCidr('172.18.0.0/16')!, ipRange: parseCidr('172.18.0.0/17')!, gateway: ip('172.18.0.1') };
  it.each<[string, string, Partial<typeof net>, boolean]>([
    ['the upper half of the subnet berth made', '172.18.128.0/17', {}, true],
    ['a smaller range in the upper half', '172.18.200.0/24', {}, true],
    ['outside the subnet', '172.19.128.0/17', {}, false],
    ['reaching past the subnet', '172.18.0.0/15', {}, false],
    ["overlapping Docker's IPRange", '172.18.64.0/18', {}, false],
    ['holding the gateway', '172.18.128.0/17', { gateway: ip('172.18.128.1') }, false],
    ['on a network without an IPRange (Docker allocates everywhere)', '172.18.128.0/17', { ipRange: undefined }, false],
  ])('podRangeFits: %s', (_name, range, over, fits) => {
    const n = { ...net, ...over };
    expect(podRangeFits(parseCidr(range)!, { subnet: n.subnet, ...(n.ipRange ? { ipRange: n.ipRange } : {}), gateway: n.gateway })).toBe(fits);
  });
});
