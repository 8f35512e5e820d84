import { describe, expect, it } from 'vitest';
import { dedent, output } from './support.js';
import { DEPLOYMENT, POD, SERVICE } from './fixtures.js';

/**
 * One row per kustomization field: a small tree and the exact `kustomize build` output. Where
 * kustomize documents an example (kubernetes-sigs/kustomize examples/, kubectl.docs.kubernetes.io
 * references/kustomize/kustomization/*), the tree and the expectation follow it; the source is
 * named in the row.
 */
interface Row {
  name: string;
  files: Record<string, string>;
  dir?: string;
  expected: string;
}

const rows: Row[] = [
  {
    // examples/multibases/README.md: three variants of one base, composed with one more prefix.
    name: 'bases: multibases, a prefix on top of per-variant prefixes',
    files: {
      'base/kustomization.yaml': 'resources:\n- pod.yaml\n',
      'base/pod.yaml': POD,
      'dev/kustomization.yaml': 'bases:\n- ./../base\nnamePrefix: dev-\n',
      'staging/kustomization.yaml': 'bases:\n- ./../base\nnamePrefix: stag-\n',
      'production/kustomization.yaml': 'bases:\n- ./../base\nnamePrefix: prod-\n',
      'kustomization.yaml': 'bases:\n- ./dev\n- ./staging\n- ./production\n\nnamePrefix: cluster-a-\n',
    },
    expected: ['dev', 'prod', 'stag']
      .map((v) => `apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    app: myapp\n  name: cluster-a-${v}-myapp-pod\nspec:\n  containers:\n  - image: nginx:1.7.9\n    name: nginx\n`)
      .join('---\n'),
  },
  {
    name: 'resources: multi-document files and kind: List, in the legacy kind order',
    files: {
      'kustomization.yaml': 'resources:\n- all.yaml\n- list.yaml\n',
      'all.yaml': `${DEPLOYMENT}---\n${dedent(SERVICE)}`,
      'list.yaml': `
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: b
        - apiVersion: v1
          kind: Namespace
          metadata:
            name: a
      `,
    },
    expected: `
      apiVersion: v1
      kind: Namespace
      metadata:
        name: a
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: b
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        ports:
        - port: 80
        selector:
          app: web
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - image: nginx
              name: web
    `,
  },
  {
    name: 'sortOptions: fifo keeps the order resources were listed in',
    files: {
      'kustomization.yaml': 'sortOptions:\n  order: fifo\nresources:\n- svc.yaml\n- ns.yaml\n',
      'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
      'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n',
    },
    expected: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n',
  },
  {
    // references/kustomize/kustomization/sortoptions: legacySortOptions replace the kind lists.
    name: 'sortOptions: legacy with its own first and last kinds',
    files: {
      'kustomization.yaml': 'sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst:\n    - Service\n    orderLast:\n    - Namespace\nresources:\n- r.yaml\n',
      'r.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
    },
    expected: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n',
  },
  {
    // kubectl.docs.kubernetes.io references/kustomize/kustomization/namespace: namespaced objects
    // move, cluster-scoped ones do not; the `default` subject of a RoleBinding follows.
    name: 'namespace',
    files: {
      'kustomization.yaml': 'namespace: prod\nresources:\n- rbac.yaml\n',
      'rbac.yaml': `
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: default
          namespace: other
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: reader
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata:
          name: read
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: reader
        subjects:
        - kind: ServiceAccount
          name: default
        - kind: ServiceAccount
          name: robot
          namespace: ops
      `,
    },
    expected: `
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: default
        namespace: prod
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata:
        name: reader
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: read
        namespace: prod
      roleRef:
        apiGroup: rbac.authorization.k8s.io
        kind: ClusterRole
        name: reader
      subjects:
      - kind: ServiceAccount
        name: default
        namespace: prod
      - kind: ServiceAccount
        name: robot
        namespace: ops
    `,
  },
  {
    // kustomize's namespace fieldSpecs (api/konfig/builtinpluginconsts/namespace.go): a Namespace
    // object takes the kustomization's namespace as its name; a written template namespace follows.
    name: 'namespace: a Namespace object is renamed, a pod template namespace follows',
    files: {
      'kustomization.yaml': 'namespace: prod\nresources:\n- r.yaml\n',
      'r.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  template:\n    metadata:\n      namespace: dev\n',
    },
    expected: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: prod\nspec:\n  template:\n    metadata:\n      namespace: prod\n',
  },
  {
    // examples/transformerconfigs/README.md (namePrefix alices-, nameSuffix -v2); Namespaces keep their name.
    name: 'namePrefix and nameSuffix',
    files: {
      'kustomization.yaml': 'namePrefix: alices-\nnameSuffix: -v2\nresources:\n- r.yaml\n',
      'r.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: team\n',
    },
    expected: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alices-cfg-v2\n  namespace: team\n',
  },
  {
    // references/kustomize/kustomization/commonlabels: metadata, selectors and templates.
    name: 'commonLabels',
    files: { 'kustomization.yaml': 'commonLabels:\n  owner: alice\nresources:\n- d.yaml\n- s.yaml\n', 'd.yaml': DEPLOYMENT, 's.yaml': SERVICE },
    expected: `
      apiVersion: v1
      kind: Service
      metadata:
        labels:
          owner: alice
        name: web
      spec:
        ports:
        - port: 80
        selector:
          app: web
          owner: alice
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          owner: alice
        name: web
      spec:
        selector:
          matchLabels:
            app: web
            owner: alice
        template:
          metadata:
            labels:
              app: web
              owner: alice
          spec:
            containers:
            - image: nginx
              name: web
    `,
  },
  {
    // references/kustomize/kustomization/labels, example 1: selectors and templates not modified.
    name: 'labels without includeSelectors or includeTemplates: metadata only',
    files: { 'kustomization.yaml': 'labels:\n- pairs:\n    owner: alice\nresources:\n- d.yaml\n', 'd.yaml': DEPLOYMENT },
    expected: `
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          owner: alice
        name: web
      spec:
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - image: nginx
              name: web
    `,
  },
  {
    name: 'labels with includeTemplates: metadata and pod templates, not selectors',
    files: { 'kustomization.yaml': 'labels:\n- pairs:\n    owner: alice\n  includeTemplates: true\nresources:\n- d.yaml\n- s.yaml\n', 'd.yaml': DEPLOYMENT, 's.yaml': SERVICE },
    expected: `
      apiVersion: v1
      kind: Service
      metadata:
        labels:
          owner: alice
        name: web
      spec:
        ports:
        - port: 80
        selector:
          app: web
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          owner: alice
        name: web
      spec:
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
              owner: alice
          spec:
            containers:
            - image: nginx
              name: web
    `,
  },
  {
    name: 'labels with includeTemplates: the pod templates, created where absent, as commonLabels writes them (kustomize #4805; a CronJob: its job and its pod template)',
    files: {
      'kustomization.yaml': 'labels:\n- pairs:\n    owner: alice\n  includeTemplates: true\nresources:\n- cj.yaml\n',
      'cj.yaml': 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tick\nspec:\n  schedule: "@daily"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n',
    },
    expected:
      'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  labels:\n    owner: alice\n  name: tick\nspec:\n  jobTemplate:\n    metadata:\n      labels:\n        owner: alice\n    spec:\n      template:\n        metadata:\n          labels:\n            owner: alice\n        spec:\n          restartPolicy: Never\n  schedule: "@daily"\n',
  },
  {
    name: 'labels with includeSelectors: as commonLabels (a Job keeps its generated selector, a PDB selects its pods)',
    files: {
      'kustomization.yaml': 'labels:\n- pairs:\n    tier: be\n  includeSelectors: true\nresources:\n- r.yaml\n',
      'r.yaml': `
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: once
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: c
                image: busybox
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: pdb
        spec:
          minAvailable: 1
          selector:
            matchLabels:
              app: web
      `,
    },
    expected: `
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        labels:
          tier: be
        name: pdb
      spec:
        minAvailable: 1
        selector:
          matchLabels:
            app: web
            tier: be
      ---
      apiVersion: batch/v1
      kind: Job
      metadata:
        labels:
          tier: be
        name: once
      spec:
        template:
          metadata:
            labels:
              tier: be
          spec:
            containers:
            - image: busybox
              name: c
            restartPolicy: Never
    `,
  },
  {
    // references/kustomize/kustomization/labels: fields adds places to write (a kind berth does not run here).
    name: 'labels with fields: a custom field spec, created where asked',
    files: {
      'kustomization.yaml': 'labels:\n- pairs:\n    app: web\n  fields:\n  - path: spec/selector/matchLabels\n    kind: PodMonitor\n    create: true\nresources:\n- pm.yaml\n',
      'pm.yaml': 'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: web\nspec:\n  podMetricsEndpoints:\n  - port: metrics\n',
    },
    expected: 'apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  labels:\n    app: web\n  name: web\nspec:\n  podMetricsEndpoints:\n  - port: metrics\n  selector:\n    matchLabels:\n      app: web\n',
  },
];

describe('kustomize build: one field at a time', () => {
  it.each(rows)('$name', ({ files, dir, expected }) => {
    expect(output(files, dir)).toBe(dedent(expected));
  });
});
