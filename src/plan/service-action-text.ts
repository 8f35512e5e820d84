import type { ServiceAction } from './service-actions.js';

/** describeAction for service actions: one line for logs, events and `--dry-run`. */
export function describeServiceAction(a: ServiceAction): string {
  switch (a.type) {
    case 'create-proxy':
      return `create proxy of service ${a.proxy.namespace}/${a.proxy.name} (${a.reason})`;
    case 'delete-proxy':
      return `delete proxy of service ${a.namespace}/${a.name} (${a.reason})`;
    case 'create-host-rules':
      return `create host fast path of service ${a.proxy.namespace}/${a.proxy.name} (${a.reason})`;
    case 'delete-host-rules':
      return `delete host fast path of service ${a.namespace}/${a.name} (${a.reason})`;
    case 'connect-proxy':
      return `attach proxy of service ${a.namespace}/${a.name} to namespace ${a.network.namespace}`;
    case 'disconnect-proxy':
      return `detach proxy of service ${a.namespace}/${a.name} from namespace ${a.network}`;
    case 'write-endpoints':
      return `update endpoints of service ${a.namespace}/${a.name}${a.host ? ' on the host fast path' : ''} (${a.reason})`;
    case 'create-dns':
      return `create DNS server of namespace ${a.dns.namespace} (${a.reason})`;
    case 'delete-dns':
      return `delete DNS server of namespace ${a.namespace} (${a.reason})`;
    case 'write-dns':
      return `update DNS records of namespace ${a.namespace} (${a.reason})`;
  }
}

/** kubectl-flavoured progress line (`berth apply`): `service/web: endpoints updated (...)`. */
export function serviceActionText(a: ServiceAction): string {
  switch (a.type) {
    case 'create-proxy':
      return `service/${a.proxy.name}: proxy created (${a.reason})`;
    case 'delete-proxy':
      return `service/${a.name}: proxy deleted (${a.reason})`;
    case 'create-host-rules':
      return `service/${a.proxy.name}: host fast path created`;
    case 'delete-host-rules':
      return `service/${a.name}: host fast path deleted (${a.reason})`;
    case 'connect-proxy':
      return `service/${a.name}: reachable from namespace/${a.network.namespace}`;
    case 'disconnect-proxy':
      return `service/${a.name}: detached from namespace/${a.network}`;
    case 'write-endpoints':
      return `service/${a.name}: endpoints updated${a.host ? ' on the host fast path' : ''} (${a.reason})`;
    case 'create-dns':
      return `namespace/${a.dns.namespace}: DNS server created`;
    case 'delete-dns':
      return `namespace/${a.namespace}: DNS server deleted`;
    case 'write-dns':
      return `namespace/${a.namespace}: DNS records updated (${a.reason})`;
  }
}

/** Event reasons for a successful service action (converge's event log). */
export function serviceActionReason(type: ServiceAction['type']): string {
  switch (type) {
    case 'create-proxy':
    case 'create-host-rules':
    case 'create-dns':
      return 'Created';
    case 'delete-proxy':
    case 'delete-host-rules':
    case 'delete-dns':
      return 'Deleted';
    case 'connect-proxy':
    case 'disconnect-proxy':
      return 'NetworkChanged';
    case 'write-endpoints':
      return 'EndpointsUpdated';
    case 'write-dns':
      return 'DnsUpdated';
  }
}

/**
 * The event of an endpoints write: the state it serves (`3 ready`), not the change (`web-x
 * ready`), as one update of the Service whichever of its proxy and host fast path took it: the
 * writes of a scale or a rollout say the same thing often, and the event store counts those
 * (x4) instead of printing a row per pod. Which pod joined or left is on the pod's events.
 */
export function endpointsEventText(a: Extract<ServiceAction, { type: 'write-endpoints' }>): string {
  const ready = a.config.endpoints.filter((e) => e.ready).length;
  return `update endpoints of service ${a.namespace}/${a.name}: ${ready === 0 ? 'none' : ready} ready`;
}
