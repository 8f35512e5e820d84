import { matches, selectorFromMap } from '../../model/selectors.js';
import type { ViewOf } from './types.js';

type ServicePortView = NonNullable<ViewOf<'Service'>['object']['spec']['ports']>[number];

/** One address a Service port sends to: a pod's IP and the port its targetPort means there. */
export interface ServiceEndpoint {
  /** `ip:port` */
  address: string;
  pod: string;
  /** Only ready pods receive traffic; unready ones are listed so people see why they do not. */
  ready: boolean;
}

/**
 * The endpoints of each port of a Service, as the endpoints controller computes them: the pods
 * its selector matches that have an IP, with a named targetPort resolved against each pod's
 * container ports. Shared by `describe svc` (ready ones only, kubectl's Endpoints line) and the
 * web UI's tree (all, marked ready or not), so both name the same addresses.
 */
export function serviceEndpoints(service: ViewOf<'Service'>, pods: readonly ViewOf<'Pod'>[]): Array<{ port: ServicePortView; endpoints: ServiceEndpoint[] }> {
  const s = service.object.spec;
  const backends = s.selector && Object.keys(s.selector).length > 0 ? pods.filter((p) => p.namespace === service.namespace && p.object.status.podIP && matches(selectorFromMap(s.selector!), p.labels)) : [];
  return (s.ports ?? []).map((port) => ({
    port,
    endpoints: backends.flatMap((b) => {
      const target = resolveTargetPort(port.targetPort, b);
      return target === undefined ? [] : [{ address: `${b.object.status.podIP}:${target}`, pod: b.name, ready: b.ready }];
    }),
  }));
}

/** A named targetPort resolves against the pod's container ports, as the endpoints controller does. */
function resolveTargetPort(target: number | string, pod: ViewOf<'Pod'>): number | undefined {
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.object.spec.containers) {
    if (!('ports' in c)) continue;
    const p = c.ports?.find((x) => x.name === target);
    if (p) return p.containerPort;
  }
  return undefined;
}
