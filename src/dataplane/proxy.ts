/**
 * Entry point of the service proxy container: `node proxy.js --config-dir DIR`.
 * See docs/dataplane.md. Uses Node built-ins only: the image has no node_modules.
 */
import type { OptionSpec } from './cli-args.js';
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
  LOG_LEVEL_SPEC,
];

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
    }),
});
