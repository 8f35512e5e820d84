/**
 * The service-proxy program minus process concerns (argv, signals, exit): config directory →
 * ServiceProxy → status.json. proxy.ts wraps it for the container; tests run it in-process.
 */
import { ConfigDirWatcher, StatusFile } from './config-dir.js';
import type { KernelForwarder } from './kernel-forwarder.js';
import { withKernelFlows } from './kernel-forwarder.js';
import type { Logger } from './log.js';
import type { EndpointStatus, ProxyConfig, ProxyStatus } from './protocol.js';
import { PROTOCOL_FORMAT } from './protocol.js';
import { ServiceProxy } from './service-proxy.js';

export interface ProxyProgramOptions {
  configDir: string;
  listenHost?: string;
  /** Polling scan of the config dir (fs.watch may miss files Docker extracts). */
  pollMs: number;
  /** How often status.json is refreshed when counters changed. */
  statusIntervalMs: number;
  connectTimeoutMs: number;
  udpIdleMs: number;
  log: Logger;
  now: () => number;
  watch?: boolean;
  /** Kernel forwarding of TCP (DNAT in this namespace); without it every connection is relayed in userspace. */
  kernel?: KernelForwarder;
  /** Host mode: no listeners of our own, only kernel rules, which are removed again on shutdown. */
  rulesOnly?: boolean;
}

const HOOK_CHECK_MS = 15_000;

export const PROXY_DEFAULTS = { pollMs: 500, statusIntervalMs: 2_000, connectTimeoutMs: 2_000, udpIdleMs: 30_000, graceMs: 5_000 };

export interface ProxyProgram {
  readonly proxy: ServiceProxy;
  status(): ProxyStatus;
  /** Writes status.json now (tests, and before exit). */
  flushStatus(): Promise<void>;
  /** Rescans the config dir now. */
  rescan(): Promise<void>;
  shutdown(graceMs: number): Promise<void>;
}

export async function startProxyProgram(o: ProxyProgramOptions): Promise<ProxyProgram> {
  const startedAt = new Date(o.now()).toISOString();
  const log = o.log;
  let statusFile: StatusFile | undefined;
  const requestStatus = () => statusFile?.request();
  // Who an IP was when last configured, so a draining kernel flow is reported under its pod's name.
  const namesByIp = new Map<string, string>();
  const proxy = new ServiceProxy({
    ...(o.listenHost === undefined ? {} : { listenHost: o.listenHost }),
    connectTimeoutMs: o.connectTimeoutMs,
    udpIdleMs: o.udpIdleMs,
    log,
    now: o.now,
    onChange: requestStatus,
  });
  const watcher = new ConfigDirWatcher({
    dir: o.configDir,
    kind: 'proxy',
    log,
    now: o.now,
    pollMs: o.pollMs,
    ...(o.watch === undefined ? {} : { watch: o.watch }),
    onChange: requestStatus,
    apply: async (config) => {
      if (!o.rulesOnly) await proxy.apply(config.payload);
      for (const ep of config.payload.endpoints) namesByIp.set(ep.ip, ep.name ?? ep.ip);
      await o.kernel?.apply(config.payload);
      const p = config.payload;
      log.info('reconfigured', {
        generation: config.generation,
        service: `${p.service.namespace}/${p.service.name}`,
        ports: p.ports.map((x) => `${x.protocol}/${x.port}`),
        endpoints: p.endpoints.filter((e) => e.ready).length,
        notReady: p.endpoints.filter((e) => !e.ready).length,
        failedListeners: proxy.listening().filter((l) => l.state === 'failed').map((l) => `${l.protocol}/${l.port}`),
        tcp: o.kernel?.mode ?? 'userspace',
      });
    },
  });
  const status = (): ProxyStatus => {
    const current = watcher.current;
    const appliedAt = watcher.appliedAt;
    const listening = proxy.listening();
    const appliedAtIso = appliedAt === undefined ? null : new Date(appliedAt).toISOString();
    return {
      format: PROTOCOL_FORMAT,
      kind: 'proxy',
      generation: current?.generation ?? 0,
      checksum: current?.checksum ?? null,
      appliedAt: appliedAtIso,
      startedAt,
      updatedAt: new Date(o.now()).toISOString(),
      pid: process.pid,
      service: proxy.service,
      listening,
      endpoints: o.kernel ? withKernelFlows(o.rulesOnly ? configuredEndpoints(current?.payload) : proxy.endpoints(), o.kernel.flowTargets(), namesByIp) : proxy.endpoints(),
      forwarding: { tcp: o.kernel?.mode ?? 'userspace', ...(o.kernel?.error ? { error: o.kernel.error } : {}) },
      ...(o.kernel?.flowsReadAt === undefined ? {} : { flowsAt: new Date(o.kernel.flowsReadAt).toISOString() }),
      errors: [
        ...watcher.errors(),
        ...listening
          .filter((l) => l.state === 'failed')
          .map((l) => ({ code: 'LISTEN_FAILED', message: `cannot listen on ${l.protocol}/${l.port}: ${l.error ?? 'unknown'}`, at: appliedAtIso ?? startedAt })),
      ],
    };
  };
  statusFile = new StatusFile({ dir: o.configDir, build: status, intervalMs: o.statusIntervalMs, log });
  await watcher.start();
  statusFile.start();
  // Kernel flows change without the program seeing them: re-count them as often as status refreshes.
  const flowTimer = o.kernel
    ? setInterval(() => {
        void o.kernel?.refreshFlows().then((changed) => changed && requestStatus());
      }, o.statusIntervalMs)
    : undefined;
  flowTimer?.unref();
  // Host mode shares the host's tables with Docker and firewalls: keep our hooks in place and first.
  const hookTimer = o.rulesOnly && o.kernel ? setInterval(() => void o.kernel?.reassert(), HOOK_CHECK_MS) : undefined;
  hookTimer?.unref();
  await statusFile.flush();
  log.info('started', { configDir: o.configDir, generation: watcher.current?.generation ?? 0 });
  return {
    proxy,
    status,
    flushStatus: () => statusFile.flush(),
    rescan: () => watcher.scan(),
    shutdown: async (graceMs) => {
      watcher.stop();
      statusFile.stop();
      if (flowTimer) clearInterval(flowTimer);
      if (hookTimer) clearInterval(hookTimer);
      if (o.rulesOnly) await o.kernel?.remove();
      await proxy.shutdown(graceMs);
    },
  };
}

/** Host mode relays nothing itself: its endpoints are what the config lists (kernel flows are added by the caller). */
function configuredEndpoints(config: ProxyConfig | undefined): EndpointStatus[] {
  return (config?.endpoints ?? []).map((e) => ({ name: e.name ?? e.ip, ip: e.ip, ready: e.ready, state: e.ready ? 'serving' : 'not-ready', active: 0, total: 0, failures: 0 }));
}
