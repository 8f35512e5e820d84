/**
 * Entry point of the Swarm service proxy: `node /app/swarm-proxy.js`, configured by the
 * environment variable BERTH_SWARM_PROXY (a SwarmProxySpec as JSON; docs/dataplane.md). One
 * task per node (a global Swarm service) forwards the Service's ports to the tasks its backend
 * names resolve to. Userspace forwarding only: a Swarm task gets no NET_ADMIN for DNAT rules.
 * Uses Node built-ins only: the image has no node_modules.
 */
import type { OptionSpec } from './cli-args.js';
import { UsageError } from './cli-args.js';
import { LOG_LEVEL_SPEC, runMain } from './program-main.js';
import { parseSwarmProxySpec, SWARM_PROXY_ENV } from './swarm-proxy-spec.js';
import { startSwarmProxyProgram, SWARM_PROXY_DEFAULTS, systemResolve4 } from './swarm-proxy-program.js';

const SPECS: OptionSpec[] = [
  { flag: 'spec', env: SWARM_PROXY_ENV, kind: 'string', help: 'the proxy spec: service, ports, sessionAffinity, backends (DNS names), resolveMs, readiness (probes per backend); JSON' },
  { flag: 'listen-host', env: 'BERTH_PROXY_LISTEN_HOST', kind: 'string', help: 'address to bind (default: all)' },
  { flag: 'connect-timeout-ms', env: 'BERTH_PROXY_CONNECT_TIMEOUT_MS', kind: 'int', default: SWARM_PROXY_DEFAULTS.connectTimeoutMs, help: 'upstream connect timeout before trying the next endpoint' },
  { flag: 'udp-idle-ms', env: 'BERTH_PROXY_UDP_IDLE_MS', kind: 'int', default: SWARM_PROXY_DEFAULTS.udpIdleMs, help: 'UDP flow idle timeout' },
  { flag: 'grace-ms', env: 'BERTH_PROXY_GRACE_MS', kind: 'int', default: SWARM_PROXY_DEFAULTS.graceMs, help: 'on SIGTERM, how long open connections may finish' },
  LOG_LEVEL_SPEC,
];

/** Per-try DNS timeout: at most one resolve interval, so a silent resolver never stacks rounds up. */
const MAX_DNS_TIMEOUT_MS = 1_000;

runMain({
  component: 'swarm-proxy',
  specs: SPECS,
  graceMs: (o) => o['grace-ms'] as number,
  // async: a bad spec rejects with a UsageError, which runMain turns into exit 2.
  start: async (o, log) => {
    const parsed = parseSwarmProxySpec(o.spec as string | undefined);
    if (!parsed.ok) throw new UsageError(`invalid ${SWARM_PROXY_ENV}:\n  ${parsed.problems.join('\n  ')}`);
    const resolveMs = parsed.spec.resolveMs;
    return startSwarmProxyProgram({
      spec: parsed.spec,
      ...(o['listen-host'] === undefined ? {} : { listenHost: o['listen-host'] as string }),
      connectTimeoutMs: Math.max(1, o['connect-timeout-ms'] as number),
      udpIdleMs: Math.max(100, o['udp-idle-ms'] as number),
      log,
      now: () => Date.now(),
      resolve4: systemResolve4({ timeoutMs: Math.min(MAX_DNS_TIMEOUT_MS, resolveMs ?? MAX_DNS_TIMEOUT_MS) }),
    });
  },
});
