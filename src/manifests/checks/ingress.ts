import { checkDns1035Label, checkDns1123Subdomain, checkPortName } from '../../model/names.js';
import { quote } from '../../model/excerpt.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkControllerName } from './edge-names.js';
import { checkEdgeHostname, checkEdgePath } from './edge-values.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';

// Ingress and IngressClass, checked as the API server validates networking.k8s.io/v1
// (pkg/apis/networking/validation): a manifest Kubernetes rejects is rejected here too.
// References to other objects are checked across the revision (checks/edge-refs.ts).

const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** ingress-nginx annotations the edge reads: ssl-redirect (the http → https redirect) only. */
const HONOURED_NGINX = new Set(['nginx.ingress.kubernetes.io/ssl-redirect', 'nginx.ingress.kubernetes.io/force-ssl-redirect']);

export function checkIngress(object: Rec, r: Reporter): void {
  checkAnnotations(object, r);
  const spec = rec(object.spec);
  if (!spec || (!has(spec, 'rules') && !has(spec, 'defaultBackend'))) {
    r.report('missing-field', spec ? ['spec'] : [], 'an Ingress needs spec.rules or spec.defaultBackend', { at: 'key' });
    return;
  }
  const className = str(spec.ingressClassName);
  if (className !== undefined) {
    const err = checkDns1123Subdomain(className);
    if (err) r.report('invalid-name', ['spec', 'ingressClassName'], `ingressClassName ${quote(className)} is invalid: ${err}`);
    const legacy = str(rec(rec(object.metadata)?.annotations)?.[LEGACY_CLASS_ANNOTATION]);
    if (legacy !== undefined && legacy !== className)
      r.report('invalid-value', ['spec', 'ingressClassName'], `ingressClassName ${quote(className)} and the annotation ${LEGACY_CLASS_ANNOTATION}: ${quote(legacy)} disagree; set only ingressClassName`);
  }
  if (has(spec, 'defaultBackend')) checkBackend(rec(spec.defaultBackend), ['spec', 'defaultBackend'], r);
  arr(spec.rules).forEach((rule, i) => checkRule(rec(rule), ['spec', 'rules', i], r));
  arr(spec.tls).forEach((tls, i) => {
    const t = rec(tls);
    arr(t?.hosts).forEach((h, j) => checkHost(str(h), ['spec', 'tls', i, 'hosts', j], r));
    const secret = str(t?.secretName);
    const err = secret !== undefined ? checkDns1123Subdomain(secret) : undefined;
    if (err) r.report('invalid-name', ['spec', 'tls', i, 'secretName'], `secretName ${quote(secret!)} is invalid: ${err}`);
  });
}

function checkAnnotations(object: Rec, r: Reporter): void {
  for (const key of Object.keys(rec(rec(object.metadata)?.annotations) ?? {})) {
    if (!key.startsWith('nginx.ingress.kubernetes.io/') || HONOURED_NGINX.has(key)) continue;
    r.report('ingress-annotation-ignored', ['metadata', 'annotations', key], `${key} is an ingress-nginx annotation; berth's edge does not read it (only nginx.ingress.kubernetes.io/ssl-redirect)`, { at: 'key' });
  }
}

function checkHost(host: string | undefined, path: Path, r: Reporter): void {
  if (host === undefined) return;
  const err = checkEdgeHostname(host);
  if (err) r.report('invalid-host', path, `host ${quote(host)} is invalid: ${err}`);
}

function checkRule(rule: Rec | undefined, path: Path, r: Reporter): void {
  if (!rule) return;
  checkHost(str(rule.host), [...path, 'host'], r);
  arr(rec(rule.http)?.paths).forEach((p, i) => checkPath(rec(p), [...path, 'http', 'paths', i], r));
}

function checkPath(p: Rec | undefined, path: Path, r: Reporter): void {
  if (!p) return;
  const type = str(p.pathType);
  const value = str(p.path);
  if (type === undefined) r.report('missing-field', path, 'pathType is required in networking.k8s.io/v1: Exact, Prefix or ImplementationSpecific', { at: 'key', locate: has(p, 'path') ? [...path, 'path'] : path });
  if (value === undefined) {
    if (type === 'Exact' || type === 'Prefix') r.report('missing-field', [...path, 'pathType'], `a ${type} path needs a path`, { at: 'key' });
  } else if (value !== '' || type !== 'ImplementationSpecific') {
    // An empty ImplementationSpecific path is valid (it serves '/').
    const err = checkEdgePath(value, type === 'ImplementationSpecific' ? 'ingress-implementation-specific' : 'ingress');
    if (err) r.report('invalid-route-path', [...path, 'path'], `path ${quote(value)} ${err}`);
  }
  checkBackend(rec(p.backend), [...path, 'backend'], r);
}

/** A backend is one Service with one port, by number or by name; a resource backend is not routed (warned by the schema). */
function checkBackend(backend: Rec | undefined, path: Path, r: Reporter): void {
  if (!backend) return;
  const service = rec(backend.service);
  if (has(backend, 'service') && has(backend, 'resource')) {
    r.report('invalid-value', [...path, 'resource'], 'a backend is a service or a resource, not both', { at: 'key' });
    return;
  }
  if (!service) {
    if (!has(backend, 'resource')) r.report('missing-field', path, 'a backend needs a service (name and port)', { at: 'key' });
    return;
  }
  const name = str(service.name);
  const nameErr = name !== undefined ? checkDns1035Label(name) : undefined;
  if (nameErr) r.report('invalid-name', [...path, 'service', 'name'], `service name ${quote(name!)} is invalid: ${nameErr}`);
  const port = rec(service.port);
  const byName = str(port?.name);
  const byNumber = port?.number;
  if (!port || (byName === undefined && byNumber === undefined)) r.report('missing-field', port ? [...path, 'service', 'port'] : [...path, 'service'], 'a service backend needs port.number or port.name', { at: 'key' });
  else if (byName !== undefined && byNumber !== undefined) r.report('invalid-value', [...path, 'service', 'port'], 'a service backend port is a number or a name, not both', { at: 'key' });
  else if (byName !== undefined) {
    const err = checkPortName(byName);
    if (err) r.report('invalid-name', [...path, 'service', 'port', 'name'], `port name ${quote(byName)} is invalid: ${err}`);
  }
}

export function checkIngressClass(object: Rec, r: Reporter): void {
  const controller = str(rec(object.spec)?.controller);
  if (controller === undefined) {
    r.report('missing-field', has(object, 'spec') ? ['spec'] : [], 'an IngressClass needs spec.controller (berth\'s is berth.dev/ingress-controller)', { at: 'key' });
    return;
  }
  const err = checkControllerName(controller);
  if (err) r.report('invalid-value', ['spec', 'controller'], `controller ${quote(controller)} ${err}`);
}
