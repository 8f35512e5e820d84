import { describe, expect, it } from 'vitest';
import { countDnatFlows } from '../../src/dataplane/conntrack.js';
import { affinityList, hostFrontends, hostRuleNames, PROXY_RULE_NAMES, proxyFrontends, renderRules } from '../../src/dataplane/kernel-rules.js';
import type { ProxyConfig } from '../../src/dataplane/protocol.js';

const base: ProxyConfig = {
  service: { namespace: 'shop', name: 'web' },
  ports: [
    { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
    { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
  ],
  endpoints: [
    { name: 'web-a', ip: '10.0.0.2', ready: true },
    { name: 'web-b', ip: '10.0.0.3', ready: true },
    { name: 'web-c', ip: '10.0.0.4', ready: false },
  ],
  sessionAffinity: { type: 'None' },
};

const render = (config: ProxyConfig, previous?: Set<string>) =>
  renderRules(config, { names: PROXY_RULE_NAMES, frontends: proxyFrontends(config), ...(previous ? { previous } : {}) });

describe('kernel rules', () => {
  it.each([
    {
      name: 'random balancing over ready endpoints only; UDP stays in userspace',
      config: base,
      want: [
        '*nat',
        ':BERTH-MASQ - [0:0]',
        ':BERTH-P0 - [0:0]',
        ':BERTH-SVC - [0:0]',
        '-A BERTH-MASQ -m mark --mark 0x4000/0x4000 -j MASQUERADE',
        '-A BERTH-SVC -p tcp -m tcp --dport 80 -j BERTH-P0',
        '-A BERTH-P0 -j MARK --set-xmark 0x4000/0x4000',
        '-A BERTH-P0 -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.2:8080',
        '-A BERTH-P0 -p tcp -j DNAT --to-destination 10.0.0.3:8080',
        'COMMIT',
        '',
      ],
    },
    {
      name: 'no ready endpoint: no DNAT, the userspace listener resets the connection',
      config: { ...base, endpoints: base.endpoints.map((e) => ({ ...e, ready: false })) },
      want: ['*nat', ':BERTH-MASQ - [0:0]', ':BERTH-SVC - [0:0]', '-A BERTH-MASQ -m mark --mark 0x4000/0x4000 -j MASQUERADE', 'COMMIT', ''],
    },
    {
      name: 'a named targetPort resolves per endpoint; an endpoint without the name is skipped',
      config: {
        ...base,
        ports: [{ name: 'http', protocol: 'TCP' as const, port: 80 }],
        endpoints: [
          { name: 'web-a', ip: '10.0.0.2', ready: true, ports: { http: 8080 } },
          { name: 'web-b', ip: '10.0.0.3', ready: true, ports: { http: 9090 } },
          { name: 'web-c', ip: '10.0.0.4', ready: true },
        ],
      },
      want: [
        '*nat',
        ':BERTH-MASQ - [0:0]',
        ':BERTH-P0 - [0:0]',
        ':BERTH-SVC - [0:0]',
        '-A BERTH-MASQ -m mark --mark 0x4000/0x4000 -j MASQUERADE',
        '-A BERTH-SVC -p tcp -m tcp --dport 80 -j BERTH-P0',
        '-A BERTH-P0 -j MARK --set-xmark 0x4000/0x4000',
        '-A BERTH-P0 -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.2:8080',
        '-A BERTH-P0 -p tcp -j DNAT --to-destination 10.0.0.3:9090',
        'COMMIT',
        '',
      ],
    },
  ])('$name', ({ config, want }) => {
    expect(render(config).script.split('\n')).toEqual(want);
  });

  it('ClientIP affinity: a recent list per endpoint, checked before the random pick', () => {
    const a = affinityList(PROXY_RULE_NAMES, 'web-a');
    const b = affinityList(PROXY_RULE_NAMES, 'web-b');
    const r = render({ ...base, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 600 } });
    expect(r.script.split('\n')).toEqual([
      '*nat',
      ':BERTH-E0-0 - [0:0]',
      ':BERTH-E0-1 - [0:0]',
      ':BERTH-MASQ - [0:0]',
      ':BERTH-P0 - [0:0]',
      ':BERTH-SVC - [0:0]',
      '-A BERTH-MASQ -m mark --mark 0x4000/0x4000 -j MASQUERADE',
      '-A BERTH-SVC -p tcp -m tcp --dport 80 -j BERTH-P0',
      '-A BERTH-P0 -j MARK --set-xmark 0x4000/0x4000',
      `-A BERTH-P0 -m recent --name ${a} --rcheck --seconds 600 --reap -j BERTH-E0-0`,
      `-A BERTH-P0 -m recent --name ${b} --rcheck --seconds 600 --reap -j BERTH-E0-1`,
      '-A BERTH-P0 -p tcp -m statistic --mode random --probability 0.5000000000 -j BERTH-E0-0',
      '-A BERTH-P0 -p tcp -j BERTH-E0-1',
      `-A BERTH-E0-0 -p tcp -m recent --name ${a} --set -j DNAT --to-destination 10.0.0.2:8080`,
      `-A BERTH-E0-1 -p tcp -m recent --name ${b} --set -j DNAT --to-destination 10.0.0.3:8080`,
      'COMMIT',
      '',
    ]);
    // Lists are named after the endpoint, not its position: affinity survives other endpoints leaving.
    expect(a).toMatch(/^berth-[0-9a-f]{16}$/);
    expect(a).not.toEqual(b);
  });

  it('three endpoints: probabilities 1/3, 1/2, then the rest', () => {
    const r = render({ ...base, endpoints: base.endpoints.map((e) => ({ ...e, ready: true })) });
    expect(r.script.split('\n').filter((l) => l.includes('DNAT'))).toEqual([
      '-A BERTH-P0 -p tcp -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.0.0.2:8080',
      '-A BERTH-P0 -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.3:8080',
      '-A BERTH-P0 -p tcp -j DNAT --to-destination 10.0.0.4:8080',
    ]);
  });

  it('chains no longer used are flushed and deleted', () => {
    const first = render({ ...base, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 } });
    const second = render(base, first.chains);
    expect(second.script.split('\n').filter((l) => l.includes('E0-'))).toEqual([':BERTH-E0-0 - [0:0]', ':BERTH-E0-1 - [0:0]', '-X BERTH-E0-0', '-X BERTH-E0-1']);
    expect([...second.chains].sort()).toEqual(['BERTH-MASQ', 'BERTH-P0', 'BERTH-SVC']);
  });
});

describe('kernel rules, host mode (NodePort fast path)', () => {
  it('forwards published host ports on local non-loopback addresses, first in PREROUTING and OUTPUT, accepted in FORWARD', () => {
    const names = hostRuleNames('app/shop/web');
    const p = names.chainPrefix;
    const config: ProxyConfig = { ...base, published: [{ name: 'http', protocol: 'TCP', hostPort: 30080 }, { name: 'dns', protocol: 'UDP', hostPort: 30053 }] };
    const r = renderRules(config, { names, frontends: hostFrontends(config), host: true });
    expect(p).toMatch(/^BNP[0-9a-f]{8}$/);
    expect(r.script.split('\n')).toEqual([
      '*nat',
      `:${p}-MASQ - [0:0]`,
      `:${p}-P0 - [0:0]`,
      `:${p}-SVC - [0:0]`,
      `-A ${p}-MASQ -m mark --mark 0x2000000/0x2000000 -j MASQUERADE`,
      `-A ${p}-SVC -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -j ${p}-P0`,
      `-A ${p}-P0 -j MARK --set-xmark 0x2000000/0x2000000`,
      `-A ${p}-P0 -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.2:8080`,
      `-A ${p}-P0 -p tcp -j DNAT --to-destination 10.0.0.3:8080`,
      'COMMIT',
      '*filter',
      `:${p}-FWD - [0:0]`,
      `-A ${p}-FWD -p tcp -m conntrack --ctstate DNAT --ctorigdstport 30080 -j ACCEPT`,
      'COMMIT',
      '',
    ]);
    expect(r.hooks).toEqual([
      { table: 'nat', chain: 'PREROUTING', rule: `-j ${p}-SVC`, first: true },
      { table: 'nat', chain: 'OUTPUT', rule: `-j ${p}-SVC`, first: true },
      { table: 'nat', chain: 'POSTROUTING', rule: `-j ${p}-MASQ` },
      { table: 'filter', chain: 'FORWARD', rule: `-j ${p}-FWD`, first: true },
    ]);
    // Each Service (and app) has its own chains in the shared host tables.
    expect(hostRuleNames('app/shop/api').chainPrefix).not.toEqual(p);
  });

  // Issue 11: a port Docker publishes on one address (loadBalancerIP) must not be forwarded from
  // the host's other addresses, where a host process may serve the same port.
  it.each([
    { hostIp: undefined, entry: ['-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 18095'], fwd: ['--ctstate DNAT --ctorigdstport 18095'] },
    { hostIp: '0.0.0.0', entry: ['-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 18095'], fwd: ['--ctstate DNAT --ctorigdstport 18095'] },
    { hostIp: '192.168.5.7', entry: ['-m addrtype --dst-type LOCAL -d 192.168.5.7/32 -p tcp -m tcp --dport 18095'], fwd: ['--ctstate DNAT --ctorigdst 192.168.5.7/32 --ctorigdstport 18095'] },
    // Loopback: Docker's userland proxy on exactly that address serves it; no kernel rule.
    { hostIp: '127.0.0.1', entry: [], fwd: [] },
    { hostIp: '127.0.0.2', entry: [], fwd: [] },
    // IPv6: these rules are IPv4 only; matching every IPv4 address instead would be the bug.
    { hostIp: '::1', entry: [], fwd: [] },
    { hostIp: 'fd00::5', entry: [], fwd: [] },
  ])('a port published on $hostIp is forwarded from that address only', ({ hostIp, entry, fwd }) => {
    const names = hostRuleNames('app/shop/web');
    const p = names.chainPrefix;
    const config: ProxyConfig = { ...base, published: [{ name: 'http', protocol: 'TCP', hostPort: 18095, ...(hostIp === undefined ? {} : { hostIp }) }] };
    const lines = renderRules(config, { names, frontends: hostFrontends(config), host: true }).script.split('\n');
    expect(lines.filter((l) => l.startsWith(`-A ${p}-SVC `))).toEqual(entry.map((m) => `-A ${p}-SVC ${m} -j ${p}-P0`));
    expect(lines.filter((l) => l.startsWith(`-A ${p}-FWD `))).toEqual(fwd.map((m) => `-A ${p}-FWD -p tcp -m conntrack ${m} -j ACCEPT`));
    expect(lines.some((l) => l.includes('DNAT --to-destination'))).toBe(entry.length > 0);
  });
});

describe('conntrack flow counts', () => {
  const table = [
    // host → proxy:80, DNATed to 10.0.0.2:8080, open
    'ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.2 dst=172.19.0.4 sport=52628 dport=80 src=10.0.0.2 dst=172.19.0.4 sport=8080 dport=52628 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.2 dst=172.19.0.4 sport=52629 dport=80 src=10.0.0.2 dst=172.19.0.4 sport=8080 dport=52629 [ASSURED] mark=0 zone=0 use=2',
    // closed: not counted
    'ipv4     2 tcp      6 119 TIME_WAIT src=192.0.2.2 dst=172.19.0.4 sport=52616 dport=80 src=10.0.0.3 dst=172.19.0.4 sport=8080 dport=52616 [ASSURED] mark=0 zone=0 use=2',
    // the userspace proxy's own upstream connection: not DNATed, counted by the proxy itself
    'ipv4     2 tcp      6 300 ESTABLISHED src=172.19.0.4 dst=10.0.0.3 sport=40000 dport=8080 src=10.0.0.3 dst=172.19.0.4 sport=8080 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    // another port (host mode filters by the ports it owns)
    'ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.9 dst=192.0.2.2 sport=1000 dport=30080 src=10.0.0.3 dst=172.19.0.1 sport=8080 dport=1000 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 udp      17 20 src=172.19.0.5 dst=172.19.0.4 sport=5000 dport=53 src=10.0.0.2 dst=172.19.0.4 sport=5353 dport=5000 mark=0 zone=0 use=2',
    '',
  ].join('\n');

  it.each([
    { name: 'every open DNATed TCP flow, by endpoint', ports: undefined, want: [['10.0.0.2:8080', 2], ['10.0.0.3:8080', 1]] },
    { name: 'only flows that arrived on the given ports', ports: new Set([30080]), want: [['10.0.0.3:8080', 1]] },
  ])('$name', ({ ports, want }) => {
    expect([...countDnatFlows(table, ports)]).toEqual(want);
  });
});
