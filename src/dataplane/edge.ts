/**
 * Entry point of the edge container: `node edge.js --config-dir DIR --http-port P`.
 * The HTTP(S) front door for Ingress and Gateway API routes (docs/ingress.md). Node built-ins only.
 */
import type { OptionSpec } from './cli-args.js';
import { UsageError } from './cli-args.js';
import { EDGE_DEFAULTS, startEdgeProgram } from './edge-program.js';
import { LOG_LEVEL_SPEC, runMain } from './program-main.js';
import { DEFAULT_EDGE_CONFIG_DIR } from './protocol.js';
import { isIP } from 'node:net';

const SPECS: OptionSpec[] = [
  { flag: 'config-dir', env: 'BERTH_EDGE_CONFIG_DIR', kind: 'string', default: DEFAULT_EDGE_CONFIG_DIR, help: 'directory holding apps/<app>/config-<gen>.json' },
  { flag: 'http-port', env: 'BERTH_EDGE_HTTP_PORT', kind: 'int', default: 80, help: 'plain HTTP listener' },
  { flag: 'https-port', env: 'BERTH_EDGE_HTTPS_PORT', kind: 'int', default: 443, help: 'TLS listener (SNI, certificates from the fragments)' },
  { flag: 'listen-host', env: 'BERTH_EDGE_LISTEN_HOST', kind: 'string', help: 'address to bind (default: all, IPv4 and IPv6)' },
  { flag: 'poll-ms', env: 'BERTH_EDGE_POLL_MS', kind: 'int', default: EDGE_DEFAULTS.pollMs, help: 'config dir polling interval' },
  { flag: 'status-ms', env: 'BERTH_EDGE_STATUS_MS', kind: 'int', default: EDGE_DEFAULTS.statusIntervalMs, help: 'status.json refresh interval' },
  { flag: 'connect-timeout-ms', env: 'BERTH_EDGE_CONNECT_TIMEOUT_MS', kind: 'int', default: EDGE_DEFAULTS.connectTimeoutMs, help: 'upstream connect timeout before the next endpoint is tried' },
  { flag: 'backend-timeout-ms', env: 'BERTH_EDGE_BACKEND_TIMEOUT_MS', kind: 'int', default: EDGE_DEFAULTS.backendTimeoutMs, help: 'response head from the backend within this, else 504' },
  { flag: 'idle-timeout-ms', env: 'BERTH_EDGE_IDLE_TIMEOUT_MS', kind: 'int', default: EDGE_DEFAULTS.idleTimeoutMs, help: 'client keep-alive idle timeout' },
  { flag: 'headers-timeout-ms', env: 'BERTH_EDGE_HEADERS_TIMEOUT_MS', kind: 'int', default: EDGE_DEFAULTS.headersTimeoutMs, help: 'a request head must arrive within this' },
  { flag: 'grace-ms', env: 'BERTH_EDGE_GRACE_MS', kind: 'int', default: EDGE_DEFAULTS.graceMs, help: 'on SIGTERM, how long open requests may finish' },
  { flag: 'max-connections', env: 'BERTH_EDGE_MAX_CONNECTIONS', kind: 'int', default: EDGE_DEFAULTS.maxConnections, help: 'open client connections per listener; more are closed at once' },
  { flag: 'trusted-proxies', env: 'BERTH_EDGE_TRUSTED_PROXIES', kind: 'list', default: [], help: 'addresses or CIDRs whose X-Forwarded-* headers are appended to (default: replaced)' },
  LOG_LEVEL_SPEC,
];

function trustedProxies(list: string[]): string[] {
  for (const e of list) {
    const [addr, bits] = e.split('/') as [string, string | undefined];
    const max = isIP(addr) === 6 ? 128 : 32;
    if (isIP(addr) === 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) throw new UsageError(`--trusted-proxies: ${e} is not an address or CIDR`);
  }
  return list;
}

function port(v: unknown, flag: string): number {
  const n = v as number;
  if (n < 1 || n > 65_535) throw new UsageError(`--${flag} must be from 1 to 65535`);
  return n;
}

runMain({
  component: 'edge',
  specs: SPECS,
  graceMs: (o) => o['grace-ms'] as number,
  start: async (o, log) =>
    startEdgeProgram({
      configDir: o['config-dir'] as string,
      httpPort: port(o['http-port'], 'http-port'),
      httpsPort: port(o['https-port'], 'https-port'),
      ...(o['listen-host'] === undefined ? {} : { listenHost: o['listen-host'] as string }),
      pollMs: Math.max(10, o['poll-ms'] as number),
      statusIntervalMs: Math.max(100, o['status-ms'] as number),
      connectTimeoutMs: Math.max(1, o['connect-timeout-ms'] as number),
      backendTimeoutMs: Math.max(1, o['backend-timeout-ms'] as number),
      idleTimeoutMs: Math.max(1, o['idle-timeout-ms'] as number),
      headersTimeoutMs: Math.max(1, o['headers-timeout-ms'] as number),
      maxConnections: Math.max(1, o['max-connections'] as number),
      trustedProxies: trustedProxies(o['trusted-proxies'] as string[]),
      log,
      now: () => Date.now(),
    }),
});
