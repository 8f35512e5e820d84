/**
 * The DNS program minus process concerns: config directory → Zone → DnsServer, plus
 * status.json. dns.ts wraps it for the container; tests run it in-process.
 */
import { ConfigDirWatcher, StatusFile } from './config-dir.js';
import type { Upstream } from './dns-upstream.js';
import { DnsServer } from './dns-server.js';
import { Zone } from './dns-zone.js';
import type { Logger } from './log.js';
import type { DnsStatus } from './protocol.js';
import { PROTOCOL_FORMAT } from './protocol.js';
import { parseHostPort } from './protocol-validate.js';

export interface DnsProgramOptions {
  configDir: string;
  port: number;
  listenHost?: string;
  upstreams: Upstream[];
  upstreamTimeoutMs: number;
  pollMs: number;
  statusIntervalMs: number;
  log: Logger;
  now: () => number;
  watch?: boolean;
}

export const DNS_DEFAULTS = { port: 53, upstreams: ['127.0.0.11'], upstreamTimeoutMs: 2_000, pollMs: 500, statusIntervalMs: 2_000 };

export interface DnsProgram {
  readonly server: DnsServer;
  status(): DnsStatus;
  flushStatus(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startDnsProgram(o: DnsProgramOptions): Promise<DnsProgram> {
  const startedAt = new Date(o.now()).toISOString();
  const log = o.log;
  const server = new DnsServer({ port: o.port, ...(o.listenHost === undefined ? {} : { host: o.listenHost }), upstreams: o.upstreams, upstreamTimeoutMs: o.upstreamTimeoutMs });
  let zone: Zone | undefined;
  let statusFile: StatusFile | undefined;
  const watcher = new ConfigDirWatcher({
    dir: o.configDir,
    kind: 'dns',
    log,
    now: o.now,
    pollMs: o.pollMs,
    ...(o.watch === undefined ? {} : { watch: o.watch }),
    onChange: () => statusFile?.request(),
    apply: (config) => {
      zone = new Zone(config.payload, config.generation);
      const upstreams = config.payload.upstreams?.map((u) => parseHostPort(u, 53)).filter((u): u is Upstream => u !== undefined);
      server.setZone(zone, upstreams);
      log.info('reconfigured', { generation: config.generation, domain: zone.domain, services: zone.serviceCount, names: zone.nameCount });
    },
  });
  const status = (): DnsStatus => {
    const current = watcher.current;
    const appliedAt = watcher.appliedAt;
    const listening = server.listening();
    return {
      format: PROTOCOL_FORMAT,
      kind: 'dns',
      generation: current?.generation ?? 0,
      checksum: current?.checksum ?? null,
      appliedAt: appliedAt === undefined ? null : new Date(appliedAt).toISOString(),
      startedAt,
      updatedAt: new Date(o.now()).toISOString(),
      pid: process.pid,
      listening,
      records: { services: zone?.serviceCount ?? 0, names: zone?.nameCount ?? 0 },
      queries: { ...server.stats },
      errors: [
        ...watcher.errors(),
        ...listening.filter((l) => l.state === 'failed').map((l) => ({ code: 'LISTEN_FAILED', message: `cannot listen on ${l.protocol}/${l.port}: ${l.error ?? 'unknown'}`, at: startedAt })),
      ],
    };
  };
  await server.listen();
  for (const l of server.listening()) if (l.state === 'failed') log.error('listen failed', { protocol: l.protocol, port: l.port, err: l.error });
  statusFile = new StatusFile({ dir: o.configDir, build: status, intervalMs: o.statusIntervalMs, log });
  await watcher.start();
  statusFile.start();
  await statusFile.flush();
  log.info('started', { configDir: o.configDir, port: o.port, upstreams: o.upstreams.map((u) => `${u.host}:${u.port}`), generation: watcher.current?.generation ?? 0 });
  return {
    server,
    status,
    flushStatus: () => statusFile.flush(),
    shutdown: async () => {
      watcher.stop();
      statusFile.stop();
      await server.close();
    },
  };
}
