import type { ServiceAction } from '../../plan/service-actions.js';
import type { PodContext } from '../pod.js';
import { connect, createDns, createHostRules, createProxy, disconnect, removeDataplaneContainer } from './containers.js';

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
      await ctx.dataplane.writer.writeConfig(ctx, action.containerId, 'proxy', action.config, action.after);
      return;
    case 'create-dns':
      ctx.dataplane.dns.remember(action.dns.namespace, await createDns(ctx, action.dns));
      return;
    case 'delete-dns':
      await removeDataplaneContainer(ctx, action.containerId, `the DNS server of namespace ${action.namespace}`);
      ctx.dataplane.dns.remember(action.namespace, undefined);
      return;
    case 'write-dns':
      await ctx.dataplane.writer.writeConfig(ctx, action.containerId, 'dns', action.config, action.after);
      return;
  }
}
