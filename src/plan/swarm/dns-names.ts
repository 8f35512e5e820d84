import type { Resource, Service } from '../../model/types.js';
import { matches, selectorFromMap } from '../../model/selectors.js';

/** The Service DNS names a pod in the namespace may use, as on one host. */
export function serviceDnsNames(name: string, ns: string): string[] {
  return [name, `${name}.${ns}`, `${name}.${ns}.svc`, `${name}.${ns}.svc.cluster.local`];
}

/** Aliases a headless Service gives the workloads it selects (its DNS names resolve to their tasks). */
export function headlessAliases(services: readonly Resource<Service>[], ns: string, podLabels: Record<string, string>): string[] {
  return services
    .filter((r) => r.object.spec.clusterIP === 'None' && (r.object.metadata.namespace ?? 'default') === ns && r.object.spec.selector && Object.keys(r.object.spec.selector).length > 0 && matches(selectorFromMap(r.object.spec.selector), podLabels))
    .flatMap((r) => serviceDnsNames(r.object.metadata.name, ns))
    // Sorted: the Services' order in the revision is no change to the workloads they select.
    .sort();
}
