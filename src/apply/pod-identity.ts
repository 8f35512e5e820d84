import type { PodPlan } from '../plan/pod-plan.js';
import { CLUSTER_DOMAIN } from '../plan/services.js';
import type { PodContext } from './pod-context.js';

/**
 * What the container owning a pod's namespaces is made with so the pod has its identity:
 * hostname, FQDN, /etc/hosts entries, network sysctls and DNS. The owner is the sandbox, or
 * the one container of a single-container pod (plan/pod-shape.ts); both take it from here.
 */
export function podIdentity(ctx: PodContext, pod: PodPlan): {
  config: { Hostname?: string; Domainname?: string };
  host: { ExtraHosts: string[]; Sysctls: Record<string, string>; Dns?: string[]; DnsSearch?: string[]; DnsOptions?: string[] };
} {
  const dns = ctx.dns?.(pod.namespace);
  return {
    config: {
      ...(pod.hostNetwork ? {} : { Hostname: pod.hostname }),
      // hostname + subdomain: the pod's FQDN `<host>.<subdomain>.<ns>.svc.<domain>` (`hostname -f`),
      // as the kubelet writes it into /etc/hosts; StatefulSet members find themselves by it.
      ...(pod.subdomain && !pod.hostNetwork ? { Domainname: `${pod.subdomain}.${pod.namespace}.svc.${CLUSTER_DOMAIN}` } : {}),
    },
    host: {
      ExtraHosts: pod.hostAliases.flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)),
      Sysctls: pod.sysctls,
      ...(dns && !pod.hostNetwork && pod.dnsPolicy !== 'Default' ? { Dns: dns.servers, DnsSearch: dns.search, DnsOptions: ['ndots:5'] } : {}),
    },
  };
}
