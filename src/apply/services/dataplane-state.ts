import type { ConfigWriter } from './config-writer.js';
import { createConfigWriter } from './config-writer.js';

/**
 * DNS server address per namespace of one app, learned from observation and from DNS containers
 * this process creates, so pods created later in the same step already point at the new server.
 */
export interface DnsDirectory {
  remember(namespace: string, ip: string | undefined): void;
  get(namespace: string): string | undefined;
}

export function createDnsDirectory(): DnsDirectory {
  const addresses = new Map<string, string>();
  return {
    remember(namespace, ip) {
      if (ip) addresses.set(namespace, ip);
      else addresses.delete(namespace);
    },
    get: (namespace) => addresses.get(namespace),
  };
}

/**
 * What this process remembers about one app's data plane (proxies and DNS servers) between
 * actions and passes. Built once per app by the composition root (runtime/compose.ts) and
 * reached through PodContext, never through module state.
 */
export interface DataplaneState {
  writer: ConfigWriter;
  dns: DnsDirectory;
}

export function createDataplaneState(): DataplaneState {
  return { writer: createConfigWriter(), dns: createDnsDirectory() };
}
