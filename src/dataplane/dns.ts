/**
 * Entry point of the DNS container: `node dns.js --config-dir DIR [--port 53] [--upstream IP[:PORT]]`.
 * Answers headless, ExternalName and SRV names that Docker's embedded DNS cannot, forwards the
 * rest. See docs/dataplane.md. Node built-ins only.
 */
import type { OptionSpec } from './cli-args.js';
import { UsageError } from './cli-args.js';
import type { Upstream } from './dns-upstream.js';
import { DNS_DEFAULTS, startDnsProgram } from './dns-program.js';
import { LOG_LEVEL_SPEC, runMain } from './program-main.js';
import { DEFAULT_DNS_CONFIG_DIR } from './protocol.js';
import { parseHostPort } from './protocol-validate.js';

const SPECS: OptionSpec[] = [
  { flag: 'config-dir', env: 'BERTH_DNS_CONFIG_DIR', kind: 'string', default: DEFAULT_DNS_CONFIG_DIR, help: 'directory berth uploads record files into' },
  { flag: 'port', env: 'BERTH_DNS_PORT', kind: 'int', default: DNS_DEFAULTS.port, help: 'UDP and TCP port to serve' },
  { flag: 'listen-host', env: 'BERTH_DNS_LISTEN_HOST', kind: 'string', help: 'address to bind (default: all IPv4)' },
  { flag: 'upstream', env: 'BERTH_DNS_UPSTREAMS', kind: 'list', default: DNS_DEFAULTS.upstreams, help: 'resolvers for other names, ip[:port], repeatable or comma-separated' },
  { flag: 'upstream-timeout-ms', env: 'BERTH_DNS_UPSTREAM_TIMEOUT_MS', kind: 'int', default: DNS_DEFAULTS.upstreamTimeoutMs, help: 'per-upstream query timeout' },
  { flag: 'poll-ms', env: 'BERTH_DNS_POLL_MS', kind: 'int', default: DNS_DEFAULTS.pollMs, help: 'config dir polling interval' },
  { flag: 'status-ms', env: 'BERTH_DNS_STATUS_MS', kind: 'int', default: DNS_DEFAULTS.statusIntervalMs, help: 'status.json refresh interval' },
  LOG_LEVEL_SPEC,
];

function upstreams(list: string[]): Upstream[] {
  return list.map((text) => {
    const u = parseHostPort(text, 53);
    if (!u) throw new UsageError(`--upstream ${text}: expected ip, ip:port or [ipv6]:port`);
    return u;
  });
}

runMain({
  component: 'dns',
  specs: SPECS,
  graceMs: () => 0,
  start: async (o, log) => {
    const program = await startDnsProgram({
      configDir: o['config-dir'] as string,
      port: o.port as number,
      ...(o['listen-host'] === undefined ? {} : { listenHost: o['listen-host'] as string }),
      upstreams: upstreams(o.upstream as string[]),
      upstreamTimeoutMs: Math.max(1, o['upstream-timeout-ms'] as number),
      pollMs: Math.max(10, o['poll-ms'] as number),
      statusIntervalMs: Math.max(100, o['status-ms'] as number),
      log,
      now: () => Date.now(),
    });
    return { shutdown: () => program.shutdown() };
  },
});
