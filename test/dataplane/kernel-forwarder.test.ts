import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from '../../src/dataplane/kernel-forwarder.js';
import { KernelForwarder, withKernelFlows } from '../../src/dataplane/kernel-forwarder.js';
import { hostFrontends, parseHostRules, PROXY_RULE_NAMES, proxyFrontends } from '../../src/dataplane/kernel-rules.js';
import { ownerAlive, statStartTime } from '../../src/dataplane/owner.js';
import type { ProxyConfig } from '../../src/dataplane/protocol.js';
import { memoryLogger } from './helpers.js';

const config: ProxyConfig = {
  service: { namespace: 'shop', name: 'web' },
  ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
  endpoints: [{ name: 'web-a', ip: '10.0.0.2', ready: true }],
  sessionAffinity: { type: 'None' },
};

/** Records commands; answers from a table of `args` prefixes → result. */
function fakeIptables(answers: (file: string, args: readonly string[], input?: string) => Partial<CommandResult> | Error = () => ({})) {
  const calls: string[] = [];
  const run: CommandRunner = async (file, args, input) => {
    calls.push(`${file.split('/').pop()} ${args.join(' ')}${input ? ` <<${input.split('\n').length} lines` : ''}`);
    const a = answers(file, args, input);
    if (a instanceof Error) throw a;
    return { code: 0, stdout: '', stderr: '', ...a };
  };
  return { run, calls };
}

function forwarder(run: CommandRunner, conntrack = '') {
  const log = memoryLogger();
  const f = new KernelForwarder({
    iptables: '/usr/sbin/iptables',
    iptablesRestore: '/usr/sbin/iptables-restore',
    conntrackFile: '/proc/net/nf_conntrack',
    names: PROXY_RULE_NAMES,
    frontends: proxyFrontends,
    log,
    run,
    readText: async () => conntrack,
  });
  return { f, log };
}

describe('kernel forwarder', () => {
  it('restores the rules, then hooks its chains into PREROUTING and POSTROUTING once', async () => {
    // -C fails until the hook was inserted into that chain.
    const hooked = new Set<string>();
    const ipt = fakeIptables((_f, args) => {
      const chain = args[args.indexOf('-t') + 3]!;
      if (args.includes('-C')) return { code: hooked.has(chain) ? 0 : 1 };
      if (args.includes('-I')) hooked.add(chain);
      return {};
    });
    const { f } = forwarder(ipt.run);
    await f.apply(config);
    expect(f.mode).toBe('kernel');
    expect(ipt.calls).toEqual([
      'iptables-restore --noflush -w 5 <<10 lines',
      'iptables -w 5 -t nat -C PREROUTING -j BERTH-SVC',
      'iptables -w 5 -t nat -I PREROUTING 1 -j BERTH-SVC',
      'iptables -w 5 -t nat -C POSTROUTING -j BERTH-MASQ',
      'iptables -w 5 -t nat -I POSTROUTING 1 -j BERTH-MASQ',
    ]);
    ipt.calls.length = 0;
    await f.apply(config);
    expect(ipt.calls).toEqual(['iptables-restore --noflush -w 5 <<10 lines', 'iptables -w 5 -t nat -C PREROUTING -j BERTH-SVC', 'iptables -w 5 -t nat -C POSTROUTING -j BERTH-MASQ']);
  });

  it('falls back to userspace when iptables fails, emptying the entry chain of an earlier config', async () => {
    let fail = false;
    const ipt = fakeIptables((_f, args) => (fail && args[0] === '--noflush' ? { code: 4, stderr: 'iptables-restore: Permission denied (you must be root)\n' } : {}));
    const { f, log } = forwarder(ipt.run);
    await f.apply(config);
    expect(f.mode).toBe('kernel');
    fail = true;
    ipt.calls.length = 0;
    await f.apply(config);
    expect(f.mode).toBe('userspace');
    expect(f.error).toBe('iptables-restore exited with 4: iptables-restore: Permission denied (you must be root)');
    expect(ipt.calls).toEqual(['iptables-restore --noflush -w 5 <<10 lines', 'iptables -w 5 -t nat -F BERTH-SVC']);
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual(['kernel forwarding unavailable; forwarding in userspace']);
  });

  it('a missing binary is the same as no kernel forwarding', async () => {
    const ipt = fakeIptables(() => Object.assign(new Error('spawn /usr/sbin/iptables-restore ENOENT'), { code: 'ENOENT' }));
    const { f } = forwarder(ipt.run);
    await f.apply(config);
    expect(f.mode).toBe('userspace');
    expect(f.error).toBe('ENOENT: spawn /usr/sbin/iptables-restore ENOENT');
  });

  it('counts open flows per endpoint and reports whether they changed', async () => {
    const line = (sport: number, ep: string) =>
      `ipv4 2 tcp 6 431999 ESTABLISHED src=192.0.2.2 dst=172.19.0.4 sport=${sport} dport=80 src=${ep} dst=172.19.0.4 sport=8080 dport=${sport} [ASSURED] mark=0 use=2`;
    const { f } = forwarder(fakeIptables().run, [line(1, '10.0.0.2'), line(2, '10.0.0.2'), line(3, '10.0.0.9')].join('\n'));
    await f.apply(config);
    expect(await f.refreshFlows()).toBe(true);
    expect(await f.refreshFlows()).toBe(false);
    expect(f.flowsTo('10.0.0.2', 8080)).toBe(2);
    // 10.0.0.9 left the config earlier: its flows show it draining, under its old name.
    const endpoints = withKernelFlows(
      [{ name: 'web-a', ip: '10.0.0.2', ready: true, state: 'serving', active: 1, total: 5, failures: 0 }],
      f.flowTargets(),
      new Map([['10.0.0.9', 'web-old']]),
    );
    expect(endpoints).toEqual([
      { name: 'web-a', ip: '10.0.0.2', ready: true, state: 'serving', active: 3, total: 5, failures: 0 },
      { name: 'web-old', ip: '10.0.0.9', ready: false, state: 'draining', active: 1, total: 0, failures: 0 },
    ]);
  });
});

describe('host fast path: stale rules of a killed owner are removed', () => {
  const saved = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':BNP11111111-MASQ - [0:0]',
    ':BNP11111111-P0 - [0:0]',
    ':BNP11111111-SVC - [0:0]',
    ':BNP22222222-SVC - [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -j BNP22222222-SVC',
    '-A PREROUTING -j BNP11111111-SVC',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT -j BNP11111111-SVC',
    '-A POSTROUTING -j BNP11111111-MASQ',
    '-A BNP11111111-SVC -m comment --comment berth-owner=100:555@pid:[4026531836]',
    '-A BNP11111111-SVC -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -p tcp -m tcp --dport 30080 -j BNP11111111-P0',
    '-A BNP22222222-SVC -m comment --comment berth-owner=200:777@pid:[4026531836]',
    'COMMIT',
    '*filter',
    ':FORWARD DROP [0:0]',
    ':BNP11111111-FWD - [0:0]',
    '-A FORWARD -j BNP11111111-FWD',
    '-A BNP11111111-FWD -p tcp -m conntrack --ctstate DNAT --ctorigdstport 30080 -j ACCEPT',
    'COMMIT',
    '',
  ].join('\n');

  it('parses each set with its owner, chains and hooks', () => {
    expect(parseHostRules(saved)).toEqual([
      {
        prefix: 'BNP11111111',
        owner: '100:555@pid:[4026531836]',
        chains: [
          { table: 'nat', chain: 'BNP11111111-MASQ' },
          { table: 'nat', chain: 'BNP11111111-P0' },
          { table: 'nat', chain: 'BNP11111111-SVC' },
          { table: 'filter', chain: 'BNP11111111-FWD' },
        ],
        hooks: [
          { table: 'nat', args: ['-D', 'PREROUTING', '-j', 'BNP11111111-SVC'] },
          { table: 'nat', args: ['-D', 'OUTPUT', '-j', 'BNP11111111-SVC'] },
          { table: 'nat', args: ['-D', 'POSTROUTING', '-j', 'BNP11111111-MASQ'] },
          { table: 'filter', args: ['-D', 'FORWARD', '-j', 'BNP11111111-FWD'] },
        ],
      },
      { prefix: 'BNP22222222', owner: '200:777@pid:[4026531836]', chains: [{ table: 'nat', chain: 'BNP22222222-SVC' }], hooks: [{ table: 'nat', args: ['-D', 'PREROUTING', '-j', 'BNP22222222-SVC'] }] },
    ]);
  });

  it('removes the sets of dead owners, keeps live ones and its own', async () => {
    const ipt = fakeIptables((file) => (file.endsWith('iptables-save') ? { stdout: saved } : {}));
    const f = new KernelForwarder({
      iptables: '/usr/sbin/iptables',
      iptablesRestore: '/usr/sbin/iptables-restore',
      iptablesSave: '/usr/sbin/iptables-save',
      conntrackFile: '/proc/net/nf_conntrack',
      names: { chainPrefix: 'BNP33333333', listPrefix: 'bnp33333333-', markBit: 0x2000000 },
      frontends: hostFrontends,
      host: true,
      owner: '300:999@pid:[4026531836]',
      ownerAlive: (owner) => owner.startsWith('200:'),
      log: memoryLogger(),
      run: ipt.run,
    });
    expect(await f.sweepStale()).toEqual(['BNP11111111']);
    expect(ipt.calls).toEqual([
      'iptables-save ',
      'iptables -w 5 -t nat -D PREROUTING -j BNP11111111-SVC',
      'iptables -w 5 -t nat -D OUTPUT -j BNP11111111-SVC',
      'iptables -w 5 -t nat -D POSTROUTING -j BNP11111111-MASQ',
      'iptables -w 5 -t filter -D FORWARD -j BNP11111111-FWD',
      'iptables-restore --noflush -w 5 <<13 lines',
    ]);
  });

  it('an owner is alive only while a process with that PID and start time exists in the same PID namespace', () => {
    const stat = (start: string) => `4242 (node (proxy)) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 11 0 ${start} 1000 10 18446744073709551615`;
    expect(statStartTime(stat('98765'))).toBe('98765');
    const read = (path: string) => {
      if (path === '/proc/4242/stat') return stat('98765');
      throw new Error('ENOENT');
    };
    expect(ownerAlive('4242:98765@pid:[1]', read, 'pid:[1]')).toBe(true);
    expect(ownerAlive('4242:11111@pid:[1]', read, 'pid:[1]')).toBe(false); // PID reused
    expect(ownerAlive('4343:98765@pid:[1]', read, 'pid:[1]')).toBe(false); // gone
    expect(ownerAlive('4242:98765@pid:[2]', read, 'pid:[1]')).toBeUndefined(); // cannot judge
  });
});

describe('host fast path: closed flows of departed endpoints (issue 13 #4)', () => {
  const hostConfig: ProxyConfig = { ...config, published: [{ name: 'http', protocol: 'TCP', hostPort: 30080 }] };
  const tw = (sport: number, ep: string) => `ipv4 2 tcp 6 100 TIME_WAIT src=192.0.2.2 dst=192.0.2.2 sport=${sport} dport=30080 src=${ep} dst=172.18.0.1 sport=8080 dport=${sport} [ASSURED] mark=0 use=1`;
  const est = (sport: number, ep: string) => tw(sport, ep).replace('TIME_WAIT', 'ESTABLISHED');

  function hostForwarder(tables: string[], conntrack: string | undefined, answer: (args: readonly string[]) => Partial<CommandResult> = () => ({ code: 0, stderr: 'conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n' })) {
    const ipt = fakeIptables((file, args) => (file.endsWith('conntrack') ? answer(args) : {}));
    let read = 0;
    const f = new KernelForwarder({
      iptables: '/usr/sbin/iptables',
      iptablesRestore: '/usr/sbin/iptables-restore',
      conntrackFile: '/proc/net/nf_conntrack',
      names: { chainPrefix: 'BNP33333333', listPrefix: 'bnp33333333-', markBit: 0x2000000 },
      frontends: hostFrontends,
      host: true,
      countPorts: (c) => new Set(hostFrontends(c).map((x) => x.dport)),
      ...(conntrack ? { conntrack } : {}),
      now: () => 1_000,
      log: memoryLogger(),
      run: ipt.run,
      readText: async () => tables[Math.min(read++, tables.length - 1)]!,
    });
    return { f, calls: () => ipt.calls.filter((c) => c.startsWith('conntrack')) };
  }

  it('deletes them by node port, address, port and state, and reports none once gone', async () => {
    const before = [tw(1, '10.0.0.9'), tw(2, '10.0.0.9'), est(3, '10.0.0.9'), tw(4, '10.0.0.2')].join('\n');
    const after = [est(3, '10.0.0.9'), tw(4, '10.0.0.2')].join('\n');
    const { f, calls } = hostForwarder([before, after], '/usr/sbin/conntrack');
    await f.apply(hostConfig);
    await f.refreshFlows();
    expect(calls()).toEqual(['conntrack -D -p tcp --orig-port-dst 30080 --reply-src 10.0.0.9 --reply-port-src 8080 --state TIME_WAIT']);
    // The open flow of the departed endpoint drains; the listed endpoint's closed flow is not counted.
    expect([...f.flowTargets()]).toEqual([['10.0.0.9:8080', 1]]);
    // Every read is reported (status flowsAt), so berth can wait for one made after a moment.
    expect(f.flowsReadAt).toBe(1_000);
    expect(await f.refreshFlows()).toBe(true);
  });

  it('reports closed flows it could not delete as draining, so berth keeps the sandbox until they are gone', async () => {
    const table = [tw(1, '10.0.0.9')].join('\n');
    const { f } = hostForwarder([table], '/usr/sbin/conntrack', () => ({ code: 1, stderr: 'conntrack v1.4.7 (conntrack-tools): Operation not permitted\n' }));
    await f.apply(hostConfig);
    await f.refreshFlows();
    expect([...f.flowTargets()]).toEqual([['10.0.0.9:8080', 1]]);
  });

  it('without the conntrack tool deletes nothing and counts open flows only, as before', async () => {
    const { f, calls } = hostForwarder([[tw(1, '10.0.0.9'), est(2, '10.0.0.9')].join('\n')], undefined);
    await f.apply(hostConfig);
    await f.refreshFlows();
    expect(calls()).toEqual([]);
    expect([...f.flowTargets()]).toEqual([['10.0.0.9:8080', 1]]);
    expect(f.flowsReadAt).toBeUndefined();
  });
});
