import type { ServiceAction } from '../../diff/service-actions.js';
import type { PodContext } from '../pod.js';
import { writeConfig } from './config-writer.js';
import { connect, createDns, createHostRules, createProxy, disconnect, removeDataplaneContainer } from './containers.js';

/**
 * DNS server address per `app/namespace`, learned from observation and from DNS containers this
 * process creates, so pods created later in the same step already point at the new server.
 */
const dnsAddresses = new Map<string, string>();

export function rememberDnsAddress(app: string, namespace: string, ip: string | undefined): void {
  if (ip) dnsAddresses.set(`${app}/${namespace}`, ip);
  else dnsAddresses.delete(`${app}/${namespace}`);
}

export function dnsAddress(app: string, namespace: string): string | undefined {
  return dnsAddresses.get(`${app}/${namespace}`);
}

export async function executeServiceAction(action: ServiceAction, ctx: PodContext): Promise<void> {
  switch (action.type) {
    case 'create-proxy':
      return createProxy(ctx, action.proxy);
    case 'delete-proxy':
      return removeDataplaneContainer(ctx, action.containerId, `the proxy of service ${action.namespace}/${action.name}`);
    case 'create-host-rules':
      return createHostRules(ctx, action.proxy);
    case 'delete-host-rules':
      return removeDataplaneContainer(ctx, action.containerId, `the host fast path of service ${action.namespace}/${action.name}`);
    case 'connect-proxy':
      return connect(ctx.docker, action.containerId, ctx.app, action.network);
    case 'disconnect-proxy':
      return disconnect(ctx.docker, action.containerId, ctx.app, action.network);
    case 'write-endpoints':
      await writeConfig(ctx, action.containerId, 'proxy', action.config, action.after);
      return;
    case 'create-dns':
      rememberDnsAddress(ctx.app, action.dns.namespace, await createDns(ctx, action.dns));
      return;
    case 'delete-dns':
      await removeDataplaneContainer(ctx, action.containerId, `the DNS server of namespace ${action.namespace}`);
      rememberDnsAddress(ctx.app, action.namespace, undefined);
      return;
    case 'write-dns':
      await writeConfig(ctx, action.containerId, 'dns', action.config, action.after);
      return;
  }
}
