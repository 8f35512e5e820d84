import { BUILTIN_INGRESS_CLASS, ISSUER_ANNOTATIONS } from '../../model/edge.js';
import { clip, quote } from '../../model/excerpt.js';
import { readTlsSecret } from '../../model/tls-secret.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import type { Rec } from './values.js';
import { arr, int, rec, str } from './values.js';

// References from the edge's objects to the rest of the revision. Kubernetes accepts every one
// of them dangling (an Ingress naming a missing Service, a Certificate naming a missing
// Issuer): each is a warning saying what will not work until the object exists, never an error.

interface EdgeEntry {
  info: { kind: string };
  object: Rec;
  namespace: string;
  name?: string;
  r: Reporter;
}

class Index {
  private readonly byKey = new Map<string, EdgeEntry>();
  /** Secrets a Certificate of the revision will issue, `ns/name`. */
  readonly issued = new Set<string>();

  constructor(entries: readonly EdgeEntry[]) {
    for (const e of entries) {
      if (e.name !== undefined) this.byKey.set(`${e.info.kind}/${e.namespace}/${e.name}`, e);
      const secret = e.info.kind === 'Certificate' ? str(rec(e.object.spec)?.secretName) : undefined;
      if (secret !== undefined) this.issued.add(`${e.namespace}/${secret}`);
    }
  }

  get(kind: string, namespace: string, name: string): EdgeEntry | undefined {
    return this.byKey.get(`${kind}/${namespace}/${name}`);
  }
}

export function checkEdgeReferences(entries: readonly EdgeEntry[]): void {
  const index = new Index(entries);
  for (const e of entries) {
    switch (e.info.kind) {
      case 'Ingress':
        checkIngressRefs(e, index);
        break;
      case 'Gateway':
        checkGatewayRefs(e, index);
        break;
      case 'HTTPRoute':
        checkRouteRefs(e, index);
        break;
      case 'Certificate':
        checkCertificateRefs(e, index);
        break;
    }
  }
}

function missing(e: EdgeEntry, path: Path, what: string, consequence: string, at: 'key' | 'value' = 'value'): void {
  e.r.report('edge-missing-reference', path, `${what} is not defined in this revision; ${consequence}`, { at });
}

function checkIngressRefs(e: EdgeEntry, index: Index): void {
  const spec = rec(e.object.spec) ?? {};
  const className = str(spec.ingressClassName);
  if (className !== undefined && className !== BUILTIN_INGRESS_CLASS && !index.get('IngressClass', '', className))
    missing(e, ['spec', 'ingressClassName'], `IngressClass ${quote(className)}`, `berth serves class ${BUILTIN_INGRESS_CLASS} and the IngressClasses of the revision naming its controller, so this Ingress is not served`);
  const backends: Array<[Rec | undefined, Path]> = [[rec(spec.defaultBackend), ['spec', 'defaultBackend']]];
  arr(spec.rules).forEach((rule, i) => arr(rec(rec(rule)?.http)?.paths).forEach((p, j) => backends.push([rec(rec(p)?.backend), ['spec', 'rules', i, 'http', 'paths', j, 'backend']])));
  for (const [backend, path] of backends) {
    const service = rec(backend?.service);
    const name = str(service?.name);
    if (name === undefined) continue;
    const target = index.get('Service', e.namespace, name);
    if (!target) {
      missing(e, [...path, 'service', 'name'], `Service ${quote(name)} in namespace ${clip(e.namespace)}`, 'requests routed to it answer 500 until it exists (the edge has nowhere to send them)');
      continue;
    }
    const port = rec(service?.port);
    checkServicePort(e, target, str(port?.name) ?? int(port?.number), [...path, 'service', 'port', port?.name !== undefined ? 'name' : 'number']);
  }
  const annotations = rec(rec(e.object.metadata)?.annotations) ?? {};
  const issuedByAnnotation = ISSUER_ANNOTATIONS.some((a) => a in annotations);
  arr(spec.tls).forEach((t, i) => {
    const secret = str(rec(t)?.secretName);
    if (secret === undefined || issuedByAnnotation) return;
    checkSecret(e, index, secret, ['spec', 'tls', i, 'secretName'], "these hosts are served over HTTPS only once it exists (or add the cert-manager.io/cluster-issuer annotation to have it issued)");
  });
}

function checkSecret(e: EdgeEntry, index: Index, name: string, path: Path, consequence: string, namespace = e.namespace): void {
  const secret = index.get('Secret', namespace, name);
  if (secret) return checkTlsContent(e, secret, name, path);
  if (index.issued.has(`${namespace}/${name}`)) return;
  missing(e, path, `Secret ${quote(name)} in namespace ${clip(namespace)} (nor a Certificate issuing it)`, consequence);
}

/**
 * The Secret is there: the edge loads it only as a matching key and certificate (model/tls-secret.ts,
 * the planner's own reader), so say here, at the line naming it, what it will refuse.
 */
function checkTlsContent(e: EdgeEntry, secret: EdgeEntry, name: string, path: Path): void {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(secret.object.data) ?? {})) if (typeof v === 'string') data[k] = v;
  for (const [k, v] of Object.entries(rec(secret.object.stringData) ?? {})) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  const pair = readTlsSecret({ type: str(secret.object.type) ?? 'Opaque', data });
  if ('error' in pair) e.r.report('tls-secret-unusable', path, `Secret ${quote(name)} cannot serve TLS: ${pair.error}; HTTPS for these hosts fails its handshake until it is fixed`);
}

/** A backend port must be one the Service has: a number it exposes, or a name of one of its ports. */
function checkServicePort(e: EdgeEntry, service: EdgeEntry, port: string | number | undefined, path: Path): void {
  if (port === undefined) return;
  const ports = arr(rec(service.object.spec)?.ports).map(rec);
  const type = str(rec(service.object.spec)?.type);
  if (type === 'ExternalName') return;
  const known = ports.some((p) => (typeof port === 'number' ? int(p?.port) === port : str(p?.name) === port));
  if (known) return;
  const offered = ports.map((p) => (str(p?.name) ? `${str(p?.name)} (${String(p?.port)})` : String(p?.port))).join(', ') || 'none';
  e.r.report('unknown-backend-port', path, `Service ${quote(service.name ?? '')} has no port ${typeof port === 'number' ? port : quote(port)} (its ports: ${offered}); requests routed to it fail until it has`);
}

function checkGatewayRefs(e: EdgeEntry, index: Index): void {
  const spec = rec(e.object.spec) ?? {};
  const className = str(spec.gatewayClassName);
  if (className !== undefined && !index.get('GatewayClass', '', className))
    missing(e, ['spec', 'gatewayClassName'], `GatewayClass ${quote(className)}`, 'the Gateway is not accepted until it exists');
  arr(spec.listeners).forEach((l, i) =>
    arr(rec(rec(l)?.tls)?.certificateRefs).forEach((c, j) => {
      const ref = rec(c);
      const name = str(ref?.name);
      if (name === undefined || (str(ref?.kind) ?? 'Secret') !== 'Secret' || (str(ref?.group) ?? '') !== '') return;
      checkSecret(e, index, name, ['spec', 'listeners', i, 'tls', 'certificateRefs', j, 'name'], 'the listener has no certificate until it exists', str(ref?.namespace) ?? e.namespace);
    }),
  );
}

function checkRouteRefs(e: EdgeEntry, index: Index): void {
  const spec = rec(e.object.spec) ?? {};
  arr(spec.parentRefs).forEach((p, i) => {
    const ref = rec(p);
    const name = str(ref?.name);
    if (name === undefined || (str(ref?.kind) ?? 'Gateway') !== 'Gateway') return;
    const ns = str(ref?.namespace) ?? e.namespace;
    const gateway = index.get('Gateway', ns, name);
    if (!gateway) {
      missing(e, ['spec', 'parentRefs', i, 'name'], `Gateway ${quote(name)} in namespace ${clip(ns)}`, 'the route is attached to nothing until it exists');
      return;
    }
    const section = str(ref?.sectionName);
    const listeners = arr(rec(gateway.object.spec)?.listeners).map((l) => str(rec(l)?.name));
    if (section !== undefined && !listeners.includes(section))
      missing(e, ['spec', 'parentRefs', i, 'sectionName'], `listener ${quote(section)} of Gateway ${quote(name)}`, `the route is not attached (its listeners: ${listeners.join(', ') || 'none'})`);
  });
  arr(spec.rules).forEach((rule, i) =>
    arr(rec(rule)?.backendRefs).forEach((b, j) => {
      const ref = rec(b);
      const name = str(ref?.name);
      if (name === undefined || (str(ref?.kind) ?? 'Service') !== 'Service' || (str(ref?.group) ?? '') !== '') return;
      const path: Path = ['spec', 'rules', i, 'backendRefs', j];
      const ns = str(ref?.namespace) ?? e.namespace;
      if (ns !== e.namespace) {
        // No ReferenceGrant exists on berth: a backend in another namespace is never permitted.
        e.r.report('unsupported-route-feature', [...path, 'namespace'], `a backend in namespace ${clip(ns)} needs a ReferenceGrant, which berth does not support; the backend is refused (RefNotPermitted) and answers 500`);
        return;
      }
      const target = index.get('Service', ns, name);
      if (!target) missing(e, [...path, 'name'], `Service ${quote(name)} in namespace ${clip(ns)}`, 'its share of the requests answers 500 until it exists');
      else checkServicePort(e, target, int(ref?.port), [...path, 'port']);
    }),
  );
}

function checkCertificateRefs(e: EdgeEntry, index: Index): void {
  const issuer = rec(rec(e.object.spec)?.issuerRef);
  const name = str(issuer?.name);
  if (name === undefined || (str(issuer?.group) ?? 'cert-manager.io') !== 'cert-manager.io') return;
  const kind = str(issuer?.kind) ?? 'Issuer';
  if (kind !== 'Issuer' && kind !== 'ClusterIssuer') return;
  if (!index.get(kind, kind === 'Issuer' ? e.namespace : '', name))
    missing(e, ['spec', 'issuerRef', 'name'], `${kind} ${quote(name)}${kind === 'Issuer' ? ` in namespace ${clip(e.namespace)}` : ''}`, 'the certificate is not issued until it exists');
}
