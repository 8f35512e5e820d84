import { describe, expect, it } from 'vitest';
import { formatCidr, formatIpv4, nextFree, parseCidr, parseIpv4, podAddresses, splitSubnet } from '../../src/model/ipv4.js';

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
});
