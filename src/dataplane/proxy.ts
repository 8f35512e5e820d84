/**
 * Entry point of the service proxy container: `node proxy.js --config-dir DIR`.
 * See docs/dataplane.md. Uses Node built-ins only: the image has no node_modules.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OptionSpec } from './cli-args.js';
import { UsageError } from './cli-args.js';
import { KernelForwarder } from './kernel-forwarder.js';
import { hostFrontends, hostRuleNames, PROXY_RULE_NAMES, proxyFrontends } from './kernel-rules.js';
import type { Logger } from './log.js';
import { ownerAlive, selfOwner } from './owner.js';
import { LOG_LEVEL_SPEC, runMain } from './program-main.js';
import { DEFAULT_PROXY_CONFIG_DIR } from './protocol.js';
import { PROXY_DEFAULTS, startProxyProgram } from './proxy-program.js';

const SPECS: OptionSpec[] = [
  { flag: 'config-dir', env: 'BERTH_PROXY_CONFIG_DIR', kind: 'string', default: DEFAULT_PROXY_CONFIG_DIR, help: 'directory berth uploads config files into' },
  { flag: 'listen-host', env: 'BERTH_PROXY_LISTEN_HOST', kind: 'string', help: 'address to bind (default: all)' },
  { flag: 'poll-ms', env: 'BERTH_PROXY_POLL_MS', kind: 'int', default: PROXY_DEFAULTS.pollMs, help: 'config dir polling interval' },
  { flag: 'status-ms', env: 'BERTH_PROXY_STATUS_MS', kind: 'int', default: PROXY_DEFAULTS.statusIntervalMs, help: 'status.json refresh interval' },
  { flag: 'connect-timeout-ms', env: 'BERTH_PROXY_CONNECT_TIMEOUT_MS', kind: 'int', default: PROXY_DEFAULTS.connectTimeoutMs, help: 'upstream connect timeout before trying the next endpoint' },
  { flag: 'udp-idle-ms', env: 'BERTH_PROXY_UDP_IDLE_MS', kind: 'int', default: PROXY_DEFAULTS.udpIdleMs, help: 'UDP flow idle timeout' },
  { flag: 'grace-ms', env: 'BERTH_PROXY_GRACE_MS', kind: 'int', default: PROXY_DEFAULTS.graceMs, help: 'on SIGTERM, how long open connections may finish' },
  { flag: 'kernel', env: 'BERTH_PROXY_KERNEL', kind: 'string', default: 'off', help: 'TCP forwarding by DNAT rules in this network namespace: auto (when iptables works) or off; berth passes auto to the containers it creates, never enable it on a host' },
  { flag: 'iptables-dir', env: 'BERTH_PROXY_IPTABLES_DIR', kind: 'string', default: '/usr/sbin', help: 'directory holding iptables and iptables-restore' },
  {
    flag: 'host-rules',
    env: 'BERTH_PROXY_HOST_RULES',
    kind: 'string',
    help: 'NodePort fast path: run in the host network namespace, listen on nothing, and forward the config\'s published host ports with kernel rules named after this id; the rules are removed on exit',
  },
  LOG_LEVEL_SPEC,
];

function kernelForwarder(mode: string, dir: string, hostRules: string | undefined, log: Logger): KernelForwarder | undefined {
  if (mode !== 'auto' && mode !== 'off') throw new UsageError(`--kernel must be auto or off, got ${mode}`);
  const iptables = join(dir, 'iptables');
  if (hostRules !== undefined) {
    if (!existsSync(iptables)) throw new UsageError(`--host-rules needs iptables, and there is none at ${iptables}`);
    return new KernelForwarder({
      iptables,
      iptablesRestore: join(dir, 'iptables-restore'),
      conntrackFile: '/proc/net/nf_conntrack',
      names: hostRuleNames(hostRules),
      frontends: hostFrontends,
      host: true,
      iptablesSave: join(dir, 'iptables-save'),
      ownerAlive: (owner) => ownerAlive(owner),
      ...optional('owner', selfOwner()),
      countPorts: (config) => new Set(hostFrontends(config).map((f) => f.dport)),
      ...optional('conntrack', existsSync(join(dir, 'conntrack')) ? join(dir, 'conntrack') : undefined),
      log,
    });
  }
  if (mode === 'off' || !existsSync(iptables)) {
    if (mode === 'auto') log.info('no iptables in the image; forwarding in userspace', { iptables });
    return undefined;
  }
  return new KernelForwarder({
    iptables,
    iptablesRestore: join(dir, 'iptables-restore'),
    conntrackFile: '/proc/net/nf_conntrack',
    names: PROXY_RULE_NAMES,
    frontends: proxyFrontends,
    log,
  });
}

runMain({
  component: 'proxy',
  specs: SPECS,
  graceMs: (o) => o['grace-ms'] as number,
  start: (o, log) =>
    startProxyProgram({
      configDir: o['config-dir'] as string,
      ...(o['listen-host'] === undefined ? {} : { listenHost: o['listen-host'] as string }),
      pollMs: Math.max(10, o['poll-ms'] as number),
      statusIntervalMs: Math.max(100, o['status-ms'] as number),
      connectTimeoutMs: Math.max(1, o['connect-timeout-ms'] as number),
      udpIdleMs: Math.max(100, o['udp-idle-ms'] as number),
      log,
      now: () => Date.now(),
      ...optional('kernel', kernelForwarder(o.kernel as string, o['iptables-dir'] as string, o['host-rules'] as string | undefined, log)),
      ...(o['host-rules'] === undefined ? {} : { rulesOnly: true }),
    }),
});

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
