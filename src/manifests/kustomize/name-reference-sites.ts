import type { Path } from '../path.js';
import type { Obj } from './types.js';

/**
 * Where objects of berth's kinds refer to other objects by name (docs/kustomize.md): kustomize's
 * default nameReference configuration for these kinds, plus the fields of berth's other kinds
 * that name an object of the build (Ingress classes and cert-manager issuers, Gateway API
 * parents and backends). Each site is one string field a rename must follow.
 */
export interface ReferenceSite {
  /** The object holding the name, and its key. */
  container: Obj;
  key: string;
  /** Path of the name from the referrer's root (for problems). */
  path: Path;
  /** Kind of the object referred to. */
  kind: string;
  /**
   * Namespace the referent must be in (the referrer's own, or the one the reference names);
   * undefined for a cluster-scoped referent, or a reference that may name any namespace.
   */
  namespace: string | undefined;
  /** The key of `container` that names the referent's namespace, rewritten with the name (subjects, claimRef). */
  namespaceKey?: string;
}

/** Kinds whose objects have no namespace: a reference to one matches by name alone. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass', 'ClusterIssuer', 'GatewayClass']);

/** Where each kind keeps the pod spec it runs (kustomize's fieldSpecs for pod templates). */
const POD_SPEC: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

type Add = (container: unknown, key: string, path: Path, kind: string, namespace: string | undefined, namespaceKey?: string) => void;

/** Every name reference of one object, with the namespace each must be resolved in. */
export function referenceSites(object: Obj): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const add: Add = (container, key, path, kind, namespace, namespaceKey) => {
    if (!isObj(container) || typeof container[key] !== 'string' || container[key] === '') return;
    sites.push({ container, key, path: [...path, key], kind, namespace: CLUSTER_SCOPED.has(kind) ? undefined : namespace, ...(namespaceKey && { namespaceKey }) });
  };
  const kind = String(object.kind);
  const meta = isObj(object.metadata) ? object.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const spec = isObj(object.spec) ? object.spec : undefined;
  const podPath = POD_SPEC[kind];
  if (podPath) {
    const pod = dig(object, podPath);
    if (pod) podSpecSites(pod, [...podPath], ns, add);
  }
  switch (kind) {
    case 'StatefulSet':
      add(spec, 'serviceName', ['spec'], 'Service', ns);
      each(spec?.volumeClaimTemplates, ['spec', 'volumeClaimTemplates'], (t, p) => add(t.spec, 'storageClassName', [...p, 'spec'], 'StorageClass', ns));
      break;
    case 'PersistentVolumeClaim':
      add(spec, 'volumeName', ['spec'], 'PersistentVolume', ns);
      add(spec, 'storageClassName', ['spec'], 'StorageClass', ns);
      break;
    case 'PersistentVolume': {
      add(spec, 'storageClassName', ['spec'], 'StorageClass', ns);
      const claim = spec?.claimRef;
      if (isObj(claim)) add(claim, 'name', ['spec', 'claimRef'], 'PersistentVolumeClaim', str(claim.namespace), 'namespace');
      break;
    }
    case 'ServiceAccount':
      each(object.secrets, ['secrets'], (s, p) => add(s, 'name', p, 'Secret', ns));
      each(object.imagePullSecrets, ['imagePullSecrets'], (s, p) => add(s, 'name', p, 'Secret', ns));
      break;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      bindingSites(object, kind === 'RoleBinding' ? ns : undefined, add);
      break;
    case 'Ingress':
      ingressSites(object, ns, add);
      break;
    case 'Certificate':
      add(spec, 'secretName', ['spec'], 'Secret', ns);
      if (isObj(spec?.issuerRef)) add(spec.issuerRef, 'name', ['spec', 'issuerRef'], spec.issuerRef.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer', ns);
      break;
    case 'Issuer':
    case 'ClusterIssuer': {
      const acme = isObj(spec?.acme) ? spec.acme : undefined;
      // A ClusterIssuer's Secret lives in cert-manager's own namespace: any namespace matches.
      add(acme?.privateKeySecretRef, 'name', ['spec', 'acme', 'privateKeySecretRef'], 'Secret', kind === 'Issuer' ? ns : undefined);
      break;
    }
    case 'Gateway':
      add(spec, 'gatewayClassName', ['spec'], 'GatewayClass', ns);
      each(spec?.listeners, ['spec', 'listeners'], (l, p) => {
        const tls = isObj(l.tls) ? l.tls : undefined;
        each(tls?.certificateRefs, [...p, 'tls', 'certificateRefs'], (ref, rp) => {
          if ((ref.kind ?? 'Secret') === 'Secret' && !ref.group) add(ref, 'name', rp, 'Secret', str(ref.namespace) ?? ns);
        });
      });
      break;
    case 'HTTPRoute':
      each(spec?.parentRefs, ['spec', 'parentRefs'], (ref, p) => {
        if ((ref.kind ?? 'Gateway') === 'Gateway' && (ref.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io') add(ref, 'name', p, 'Gateway', str(ref.namespace) ?? ns);
      });
      each(spec?.rules, ['spec', 'rules'], (rule, p) =>
        each(rule.backendRefs, [...p, 'backendRefs'], (ref, rp) => {
          if ((ref.kind ?? 'Service') === 'Service' && !ref.group) add(ref, 'name', rp, 'Service', str(ref.namespace) ?? ns);
        }),
      );
      break;
  }
  return sites;
}

function podSpecSites(pod: Obj, at: Path, ns: string | undefined, add: Add): void {
  add(pod, 'serviceAccountName', at, 'ServiceAccount', ns);
  each(pod.imagePullSecrets, [...at, 'imagePullSecrets'], (s, p) => add(s, 'name', p, 'Secret', ns));
  each(pod.volumes, [...at, 'volumes'], (v, p) => {
    add(v.configMap, 'name', [...p, 'configMap'], 'ConfigMap', ns);
    add(v.secret, 'secretName', [...p, 'secret'], 'Secret', ns);
    add(v.persistentVolumeClaim, 'claimName', [...p, 'persistentVolumeClaim'], 'PersistentVolumeClaim', ns);
    const projected = isObj(v.projected) ? v.projected : undefined;
    each(projected?.sources, [...p, 'projected', 'sources'], (s, sp) => {
      add(s.configMap, 'name', [...sp, 'configMap'], 'ConfigMap', ns);
      add(s.secret, 'name', [...sp, 'secret'], 'Secret', ns);
    });
  });
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    each(pod[list], [...at, list], (c, p) => {
      each(c.env, [...p, 'env'], (e, ep) => {
        const from = isObj(e.valueFrom) ? e.valueFrom : undefined;
        add(from?.configMapKeyRef, 'name', [...ep, 'valueFrom', 'configMapKeyRef'], 'ConfigMap', ns);
        add(from?.secretKeyRef, 'name', [...ep, 'valueFrom', 'secretKeyRef'], 'Secret', ns);
      });
      each(c.envFrom, [...p, 'envFrom'], (e, ep) => {
        add(e.configMapRef, 'name', [...ep, 'configMapRef'], 'ConfigMap', ns);
        add(e.secretRef, 'name', [...ep, 'secretRef'], 'Secret', ns);
      });
    });
  }
}

/** roleRef by its kind; ServiceAccount subjects in their own namespace (a RoleBinding's by default). */
function bindingSites(object: Obj, ns: string | undefined, add: Add): void {
  const roleRef = object.roleRef;
  if (isObj(roleRef) && (roleRef.kind === 'Role' || roleRef.kind === 'ClusterRole')) add(roleRef, 'name', ['roleRef'], roleRef.kind, ns);
  each(object.subjects, ['subjects'], (s, p) => {
    if (s.kind === 'ServiceAccount') add(s, 'name', p, 'ServiceAccount', str(s.namespace) ?? ns, 'namespace');
  });
}

function ingressSites(object: Obj, ns: string | undefined, add: Add): void {
  const spec = isObj(object.spec) ? object.spec : undefined;
  add(spec, 'ingressClassName', ['spec'], 'IngressClass', ns);
  each(spec?.tls, ['spec', 'tls'], (t, p) => add(t, 'secretName', p, 'Secret', ns));
  const backend = (b: unknown, p: Path): void => {
    if (!isObj(b)) return;
    add(b.service, 'name', [...p, 'service'], 'Service', ns);
    add(b, 'serviceName', p, 'Service', ns); // extensions/v1beta1
  };
  backend(spec?.defaultBackend, ['spec', 'defaultBackend']);
  backend(spec?.backend, ['spec', 'backend']);
  each(spec?.rules, ['spec', 'rules'], (r, p) => {
    const http = isObj(r.http) ? r.http : undefined;
    each(http?.paths, [...p, 'http', 'paths'], (path, pp) => backend(path.backend, [...pp, 'backend']));
  });
  const meta = isObj(object.metadata) ? object.metadata : {};
  add(meta.annotations, 'cert-manager.io/issuer', ['metadata', 'annotations'], 'Issuer', ns);
  add(meta.annotations, 'cert-manager.io/cluster-issuer', ['metadata', 'annotations'], 'ClusterIssuer', ns);
}

function each(list: unknown, at: Path, f: (item: Obj, path: Path) => void): void {
  if (Array.isArray(list)) list.forEach((item, i) => isObj(item) && f(item, [...at, i]));
}

function dig(object: Obj, path: readonly string[]): Obj | undefined {
  let node: unknown = object;
  for (const seg of path) node = isObj(node) ? node[seg] : undefined;
  return isObj(node) ? node : undefined;
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
