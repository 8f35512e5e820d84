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
