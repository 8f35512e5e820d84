import { describe, expect, it } from 'vitest';
import type { DepartedFlows } from '../../src/dataplane/conntrack.js';
import { departedClosedFlows } from '../../src/dataplane/conntrack.js';

/** A host fast-path flow: client → host:nodePort, DNATed to `ep:8080`, masqueraded from the bridge gateway. */
const flow = (state: string, sport: number, ep: string, dport = 30080) =>
  `ipv4 2 tcp 6 100 ${state} src=192.0.2.2 dst=192.0.2.2 sport=${sport} dport=${dport} src=${ep} dst=172.18.0.1 sport=8080 dport=${sport} [ASSURED] mark=0 use=1`;
/** A flow the host itself opened to a pod (a probe): no DNAT. */
const direct = (state: string, sport: number, ep: string) => `ipv4 2 tcp 6 100 ${state} src=172.18.0.1 dst=${ep} sport=${sport} dport=8080 src=${ep} dst=172.18.0.1 sport=8080 dport=${sport} [ASSURED] mark=0 use=1`;

describe('departedClosedFlows: what the host fast path deletes before dockerd purges an address (issue 13 #4)', () => {
  const ports = new Set([30080]);
  const endpoints = new Set(['172.18.0.4', '172.18.0.5']);
  it.each<[string, string[], DepartedFlows[]]>([
    ['closed flows of an endpoint that left, by state', [flow('TIME_WAIT', 1, '172.18.0.7'), flow('TIME_WAIT', 2, '172.18.0.7'), flow('CLOSE', 3, '172.18.0.7')], [
      { dport: 30080, ip: '172.18.0.7', port: 8080, state: 'CLOSE', count: 1 },
      { dport: 30080, ip: '172.18.0.7', port: 8080, state: 'TIME_WAIT', count: 2 },
    ]],
    ['open flows of a departed endpoint drain: never deleted', [flow('ESTABLISHED', 1, '172.18.0.7'), flow('FIN_WAIT', 2, '172.18.0.7'), flow('LAST_ACK', 3, '172.18.0.7')], []],
    ['flows of listed endpoints stay, closed or not', [flow('TIME_WAIT', 1, '172.18.0.4'), flow('CLOSE', 2, '172.18.0.5')], []],
    ['other node ports belong to other fast paths', [flow('TIME_WAIT', 1, '172.18.0.7', 30081)], []],
    ['flows the host opened itself are no fast-path flows', [direct('TIME_WAIT', 1, '172.18.0.7')], []],
    ['UDP and garbage lines are skipped', ['ipv4 2 udp 17 20 src=1.1.1.1 dst=2.2.2.2 sport=1 dport=30080 src=3.3.3.3 dst=1.1.1.1 sport=53 dport=1', 'nonsense', ''], []],
  ])('%s', (_name, lines, want) => {
    expect(departedClosedFlows(lines.join('\n'), ports, endpoints)).toEqual(want);
  });
});
