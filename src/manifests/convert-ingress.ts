import type { Path } from './path.js';
import type { Rec } from './checks/values.js';
import { arr, rec } from './checks/values.js';
import type { Reporter } from './report.js';

/**
 * extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress → networking.k8s.io/v1, as the API
 * server converted them (pkg/apis/networking/v1beta1 conversion and defaults): `spec.backend` is
 * `spec.defaultBackend`; a backend's `serviceName`/`servicePort` is `service.name` and
 * `service.port.number` (an integer) or `.name` (a string); a path without a pathType was
 * defaulted to ImplementationSpecific.
 */
export function convertLegacyIngress(spec: Rec): void {
  if (spec.backend !== undefined && spec.defaultBackend === undefined) {
    spec.defaultBackend = convertBackend(spec.backend);
    delete spec.backend;
  }
  for (const rule of arr(spec.rules))
    for (const p of arr(rec(rec(rule)?.http)?.paths)) {
      const path = rec(p);
      if (!path) continue;
      path.pathType ??= 'ImplementationSpecific';
      if (path.backend !== undefined) path.backend = convertBackend(path.backend);
    }
}

function convertBackend(value: unknown): unknown {
  const backend = rec(value);
  if (!backend || (backend.serviceName === undefined && backend.servicePort === undefined)) return value;
  const { serviceName, servicePort, ...rest } = backend;
  const port = typeof servicePort === 'number' ? { number: servicePort } : typeof servicePort === 'string' ? (/^\d+$/.test(servicePort) ? { number: Number(servicePort) } : { name: servicePort }) : undefined;
  return { ...rest, service: { name: serviceName, ...(port ? { port } : {}) } };
}
