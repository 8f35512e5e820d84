import { describe, expect, it } from 'vitest';
import { generate } from '../../../src/manifests/kustomize/generators.js';
import { applyHashSuffixes } from '../../../src/manifests/kustomize/hash.js';
import { fixNameReferences } from '../../../src/manifests/kustomize/name-references.js';
import type { BuildContext, KResource, Obj } from '../../../src/manifests/kustomize/types.js';
import { brief, buildContext, located, parseDoc, parseDocs, yaml } from './gen-support.js';

/** The objects of a multi-document YAML file as resources of a build, each marked with its origin. */
function resources(ctx: BuildContext, file: string, text: string): KResource[] {
  return parseDocs(file, text).map((doc) => {
    const object = ctx.prov.clone(doc.value as Obj);
    ctx.prov.mark(object, { doc, path: [] });
    const meta = object.metadata as Obj;
    return { object, origin: { doc, path: [] }, history: [{ name: String(meta.name), namespace: meta.namespace as string | undefined }] };
  });
}

/** What a namePrefix/nameSuffix or namespace transformer does to one object. */
function rename(r: KResource, name: string, namespace?: string): void {
  const meta = r.object.metadata as Obj;
  meta.name = name;
  if (namespace !== undefined) meta.namespace = namespace;
  r.history.push({ name, namespace: meta.namespace as string | undefined });
}

const find = (rs: KResource[], kind: string, name: string): KResource => rs.find((r) => r.object.kind === kind && (r.object.metadata as Obj).name === name)!;

describe('fixNameReferences: the k8s docs example', () => {
  it('the Deployment mounts the generated ConfigMap by its hashed name (example-configmap-1-g4hk9g2ff8)', () => {
    const ctx = buildContext({ 'application.properties': 'FOO=Bar\n' });
    const k = parseDoc('kustomization.yaml', 'resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: example-configmap-1\n  files:\n  - application.properties\n');
    const rs = resources(ctx, 'deployment.yaml', yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: my-app
      spec:
        template:
          spec:
            containers:
            - name: app
              image: my-app
            volumes:
            - name: config
              configMap:
                name: example-configmap-1
    `);
    rs.push(generate('ConfigMap', (k.value as Obj & { configMapGenerator: unknown[] }).configMapGenerator[0], { doc: k, path: ['configMapGenerator', 0] }, '', undefined, undefined, ctx)!);
    applyHashSuffixes(rs, ctx);
    fixNameReferences(rs, ctx);
    expect(ctx.problems).toEqual([]);
    expect((rs[1]!.object.metadata as Obj).name).toBe('example-configmap-1-g4hk9g2ff8');
    expect(rs[0]!.object).toMatchObject({ spec: { template: { spec: { volumes: [{ name: 'config', configMap: { name: 'example-configmap-1-g4hk9g2ff8' } }] } } } });
    // A problem in the rewritten value points at the Deployment's own line.
    expect(located(ctx, rs[0]!.object, ['spec', 'template', 'spec', 'volumes', 0, 'configMap', 'name'])).toBe('deployment.yaml:14:17');
  });
});

const POD_SPEC = yaml`
  serviceAccountName: sa
  imagePullSecrets:
  - name: sec
  initContainers:
  - name: i
    envFrom:
    - configMapRef:
        name: cm
  containers:
  - name: c
    env:
    - name: A
      valueFrom:
        configMapKeyRef:
          name: cm
          key: a
    - name: B
      valueFrom:
        secretKeyRef:
          name: sec
          key: b
    envFrom:
    - secretRef:
        name: sec
  ephemeralContainers:
  - name: e
    envFrom:
    - configMapRef:
        name: cm
  volumes:
  - name: v1
    configMap:
      name: cm
  - name: v2
    secret:
      secretName: sec
  - name: v3
    persistentVolumeClaim:
      claimName: pvc
  - name: v4
    projected:
      sources:
      - configMap:
          name: cm
      - secret:
          name: sec
`;

const indent = (text: string, n: number): string => text.split('\n').map((l) => (l === '' ? l : ' '.repeat(n) + l)).join('\n');
const REFERENTS = yaml`
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: cm
  ---
  apiVersion: v1
  kind: Secret
  metadata:
    name: sec
  ---
  apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: pvc
  ---
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: sa
`;

describe('fixNameReferences: every pod template location', () => {
  it.each<[string, string, (string | number)[]]>([
    ['Pod', `apiVersion: v1\nkind: Pod\nmetadata:\n  name: w\nspec:\n${indent(POD_SPEC, 2)}`, ['spec']],
    ...(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => [kind, `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n${indent(POD_SPEC, 6)}`, ['spec', 'template', 'spec']]) as Array<[string, string, (string | number)[]]>),
    ['ReplicationController', `apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n${indent(POD_SPEC, 6)}`, ['spec', 'template', 'spec']],
    ['Job', `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n${indent(POD_SPEC, 6)}`, ['spec', 'template', 'spec']],
    ['CronJob', `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${indent(POD_SPEC, 10)}`, ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  ])('%s', (_kind, workload, at) => {
    const ctx = buildContext();
    const rs = [...resources(ctx, 'w.yaml', workload), ...resources(ctx, 'refs.yaml', REFERENTS)];
    for (const r of rs.slice(1)) rename(r, `x-${String((r.object.metadata as Obj).name)}-1`);
    fixNameReferences(rs, ctx);
    expect(ctx.problems).toEqual([]);
    let pod: Obj = rs[0]!.object;
    for (const seg of at) pod = pod[seg] as Obj;
    expect(pod).toEqual({
      serviceAccountName: 'x-sa-1',
      imagePullSecrets: [{ name: 'x-sec-1' }],
      initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'x-cm-1' } }] }],
      containers: [
        {
          name: 'c',
          env: [
            { name: 'A', valueFrom: { configMapKeyRef: { name: 'x-cm-1', key: 'a' } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'x-sec-1', key: 'b' } } },
          ],
          envFrom: [{ secretRef: { name: 'x-sec-1' } }],
        },
      ],
      ephemeralContainers: [{ name: 'e', envFrom: [{ configMapRef: { name: 'x-cm-1' } }] }],
      volumes: [
        { name: 'v1', configMap: { name: 'x-cm-1' } },
        { name: 'v2', secret: { secretName: 'x-sec-1' } },
        { name: 'v3', persistentVolumeClaim: { claimName: 'x-pvc-1' } },
        { name: 'v4', projected: { sources: [{ configMap: { name: 'x-cm-1' } }, { secret: { name: 'x-sec-1' } }] } },
      ],
    });
  });
});

/**
 * One referrer among referents that the build renamed to `<name>-1` (cluster-scoped ones too),
 * and the referrer as it must come out.
 */
describe('fixNameReferences: references outside pod templates', () => {
  const referents = yaml`
    apiVersion: v1
    kind: Secret
    metadata: {name: sec, namespace: apps}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: svc, namespace: apps}
    ---
    apiVersion: v1
    kind: PersistentVolume
    metadata: {name: pv}
    ---
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: pvc, namespace: apps}
    ---
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: sc}
    ---
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: sa, namespace: apps}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: reader, namespace: apps}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata: {name: admin}
    ---
    apiVersion: networking.k8s.io/v1
    kind: IngressClass
    metadata: {name: edge}
    ---
    apiVersion: cert-manager.io/v1
    kind: Issuer
    metadata: {name: le, namespace: apps}
    ---
    apiVersion: cert-manager.io/v1
    kind: ClusterIssuer
    metadata: {name: le-global}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: {name: gw, namespace: apps}
    ---
    apiVersion: gateway.networking.k8s.io/v1
    kind: GatewayClass
    metadata: {name: gwc}
  `;

  it.each<[string, string, Obj]>([
    [
      'StatefulSet: serviceName, volumeClaimTemplates storageClassName',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: apps}\nspec:\n  serviceName: svc\n  volumeClaimTemplates:\n  - metadata: {name: data}\n    spec: {storageClassName: sc}\n',
      { spec: { serviceName: 'svc-1', volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { storageClassName: 'sc-1' } }] } },
    ],
    [
      'PersistentVolumeClaim: volumeName, storageClassName',
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim, namespace: apps}\nspec: {volumeName: pv, storageClassName: sc}\n',
      { spec: { volumeName: 'pv-1', storageClassName: 'sc-1' } },
    ],
    [
      'PersistentVolume: storageClassName, claimRef in its namespace',
      'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: vol}\nspec:\n  storageClassName: sc\n  claimRef: {name: pvc, namespace: apps}\n',
      { spec: { storageClassName: 'sc-1', claimRef: { name: 'pvc-1', namespace: 'apps' } } },
    ],
    [
      'ServiceAccount: secrets, imagePullSecrets',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot, namespace: apps}\nsecrets:\n- name: sec\nimagePullSecrets:\n- name: sec\n',
      { secrets: [{ name: 'sec-1' }], imagePullSecrets: [{ name: 'sec-1' }] },
    ],
    [
      'RoleBinding: roleRef by kind, ServiceAccount subjects in the binding namespace or their own',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: apps}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n- {kind: ServiceAccount, name: sa, namespace: other}\n- {kind: User, name: sa}\n',
      {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader-1' },
        subjects: [{ kind: 'ServiceAccount', name: 'sa-1' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'other' }, { kind: 'User', name: 'sa' }],
      },
    ],
    [
      'ClusterRoleBinding: ClusterRole roleRef, subjects carry their namespace',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}\nsubjects:\n- {kind: ServiceAccount, name: sa, namespace: apps}\n',
      { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin-1' }, subjects: [{ kind: 'ServiceAccount', name: 'sa-1', namespace: 'apps' }] },
    ],
    [
      'RoleBinding naming a ClusterRole: not the Role of that name',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: apps}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}\n',
      { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' } },
    ],
    [
      'Ingress: class, TLS Secret, backends, cert-manager issuer annotations',
      yaml`
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: web
          namespace: apps
          annotations: {cert-manager.io/issuer: le, cert-manager.io/cluster-issuer: le-global}
        spec:
          ingressClassName: edge
          tls:
          - {hosts: [a.example], secretName: sec}
          defaultBackend: {service: {name: svc, port: {number: 80}}}
          rules:
          - http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}
      `,
      {
        metadata: { name: 'web', namespace: 'apps', annotations: { 'cert-manager.io/issuer': 'le-1', 'cert-manager.io/cluster-issuer': 'le-global-1' } },
        spec: {
          ingressClassName: 'edge-1',
          tls: [{ hosts: ['a.example'], secretName: 'sec-1' }],
          defaultBackend: { service: { name: 'svc-1', port: { number: 80 } } },
          rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc-1', port: { number: 80 } } } }] } }],
        },
      },
    ],
    [
      'Certificate: secretName, issuerRef by kind',
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: apps}\nspec:\n  secretName: sec\n  issuerRef: {name: le-global, kind: ClusterIssuer}\n',
      { spec: { secretName: 'sec-1', issuerRef: { name: 'le-global-1', kind: 'ClusterIssuer' } } },
    ],
    [
      'Issuer: the ACME account key Secret',
      'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: i, namespace: apps}\nspec:\n  acme: {server: "https://acme.example/dir", privateKeySecretRef: {name: sec}}\n',
      { spec: { acme: { server: 'https://acme.example/dir', privateKeySecretRef: { name: 'sec-1' } } } },
    ],
    [
      'Gateway: class, listener certificateRefs',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: apps}\nspec:\n  gatewayClassName: gwc\n  listeners:\n  - name: https\n    tls: {certificateRefs: [{name: sec}]}\n',
      { spec: { gatewayClassName: 'gwc-1', listeners: [{ name: 'https', tls: { certificateRefs: [{ name: 'sec-1' }] } }] } },
    ],
    [
      'HTTPRoute: parentRefs (Gateway by default), backendRefs (Service by default, other kinds untouched)',
      'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: apps}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n  - backendRefs: [{name: svc, port: 80}, {name: svc, kind: ServiceImport, group: multicluster.x-k8s.io}]\n',
      { spec: { parentRefs: [{ name: 'gw-1' }], rules: [{ backendRefs: [{ name: 'svc-1', port: 80 }, { name: 'svc', kind: 'ServiceImport', group: 'multicluster.x-k8s.io' }] }] } },
    ],
    [
      'a referrer in another namespace keeps the name',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: other}\nspec:\n  containers: [{name: c, envFrom: [{secretRef: {name: sec}}]}]\n  serviceAccountName: sa\n',
      { spec: { containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'sec' } }] }], serviceAccountName: 'sa' } },
    ],
  ])('%s', (_name, referrer, expected) => {
    const ctx = buildContext();
    const rs = [...resources(ctx, 'referrer.yaml', referrer), ...resources(ctx, 'refs.yaml', referents)];
    for (const r of rs.slice(1)) rename(r, `${String((r.object.metadata as Obj).name)}-1`);
    fixNameReferences(rs, ctx);
    expect(ctx.problems).toEqual([]);
    expect(rs[0]!.object).toMatchObject(expected);
  });

  it('a namespace change follows into ServiceAccount subjects', () => {
    const ctx = buildContext();
    const rs = resources(ctx, 'r.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: apps}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}\nsubjects:\n- {kind: ServiceAccount, name: sa, namespace: apps}\n');
    rename(rs[0]!, 'prod-sa', 'prod');
    fixNameReferences(rs, ctx);
    expect(rs[1]!.object.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prod-sa', namespace: 'prod' }]);
  });
});

describe('fixNameReferences: ambiguity and provenance', () => {
  it('a reference two objects renamed differently could mean is a problem at the referrer line (kustomize refuses it), reported once however often the build fixes references', () => {
    const ctx = buildContext();
    const rs = resources(ctx, 'all.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c}]\n  volumes:\n  - name: v\n    configMap: {name: cm}\n');
    rename(rs[0]!, 'a-cm');
    rename(rs[1]!, 'b-cm');
    fixNameReferences(rs, ctx);
    fixNameReferences(rs, ctx);
    expect(ctx.problems.map(brief)).toEqual(['all.yaml:16 kustomize-name-reference-ambiguous']);
    expect(ctx.problems[0]!.path).toBe('spec.volumes[0].configMap.name');
    expect(find(rs, 'Pod', 'p').object).toMatchObject({ spec: { volumes: [{ configMap: { name: 'cm' } }] } });
  });

  it('two objects renamed alike are one answer', () => {
    const ctx = buildContext();
    const rs = resources(ctx, 'all.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, envFrom: [{secretRef: {name: s}}, {configMapRef: {name: s}}]}]\n');
    rename(rs[0]!, 's-secret');
    rename(rs[1]!, 's-config');
    fixNameReferences(rs, ctx);
    expect(ctx.problems).toEqual([]);
    expect(find(rs, 'Pod', 'p').object).toMatchObject({ spec: { containers: [{ envFrom: [{ secretRef: { name: 's-secret' } }, { configMapRef: { name: 's-config' } }] }] } });
  });

  it('a name the referent had two renames ago is still followed (prefix, then hash)', () => {
    const ctx = buildContext();
    const rs = resources(ctx, 'all.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, envFrom: [{configMapRef: {name: cm}}, {configMapRef: {name: dev-cm}}]}]\n');
    rename(rs[0]!, 'dev-cm');
    rename(rs[0]!, 'dev-cm-6ct58987ht');
    fixNameReferences(rs, ctx);
    expect(find(rs, 'Pod', 'p').object).toMatchObject({ spec: { containers: [{ envFrom: [{ configMapRef: { name: 'dev-cm-6ct58987ht' } }, { configMapRef: { name: 'dev-cm-6ct58987ht' } }] }] } });
  });
});
