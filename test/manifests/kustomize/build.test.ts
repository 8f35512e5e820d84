import { describe, expect, it } from 'vitest';
import { dedent, output } from './support.js';

/**
 * One row per kustomization field: a small tree and the exact `kustomize build` output. Where
 * kustomize documents an example (kubernetes-sigs/kustomize examples/, kubectl.docs.kubernetes.io
 * references/kustomize/kustomization/*), the tree and the expectation follow it; the source is
 * named in the row.
 */
const POD = `
  apiVersion: v1
  kind: Pod
  metadata:
    name: myapp-pod
    labels:
      app: myapp
  spec:
    containers:
    - name: nginx
      image: nginx:1.7.9
`;

const DEPLOYMENT = `
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
        - name: web
          image: nginx
`;

const SERVICE = `
  apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    selector:
      app: web
    ports:
    - port: 80
`;

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
    // references/kustomize/kustomization/commonannotations: metadata and pod templates (a CronJob's two).
    name: 'commonAnnotations',
    files: {
      'kustomization.yaml': 'commonAnnotations:\n  oncallPager: 800-555-1212\nresources:\n- cj.yaml\n',
      'cj.yaml': `
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: tick
        spec:
          schedule: "* * * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: c
                    image: busybox
      `,
    },
    expected: `
      apiVersion: batch/v1
      kind: CronJob
      metadata:
        annotations:
          oncallPager: 800-555-1212
        name: tick
      spec:
        jobTemplate:
          metadata:
            annotations:
              oncallPager: 800-555-1212
          spec:
            template:
              metadata:
                annotations:
                  oncallPager: 800-555-1212
              spec:
                containers:
                - image: busybox
                  name: c
                restartPolicy: OnFailure
        schedule: "* * * * *"
    `,
  },
  {
    // examples/image.md: busybox:1.29.0 → alpine:3.6 in containers and initContainers (newTag: 3.6 is a number in YAML).
    name: 'images: newName and newTag',
    files: {
      'kustomization.yaml': 'resources:\n- pod.yaml\nimages:\n- name: busybox\n  newName: alpine\n  newTag: 3.6\n',
      'pod.yaml': `
        apiVersion: v1
        kind: Pod
        metadata:
          name: myapp-pod
          labels:
            app: myapp
        spec:
          containers:
          - name: myapp-container
            image: busybox:1.29.0
            command: ['sh', '-c', 'echo The app is running! && sleep 3600']
          initContainers:
          - name: init-mydb
            image: busybox:1.29.0
            command: ['sh', '-c', 'until nslookup mydb; do echo waiting for mydb; sleep 2; done;']
      `,
    },
    expected: `
      apiVersion: v1
      kind: Pod
      metadata:
        labels:
          app: myapp
        name: myapp-pod
      spec:
        containers:
        - command:
          - sh
          - -c
          - echo The app is running! && sleep 3600
          image: alpine:3.6
          name: myapp-container
        initContainers:
        - command:
          - sh
          - -c
          - until nslookup mydb; do echo waiting for mydb; sleep 2; done;
          image: alpine:3.6
          name: init-mydb
    `,
  },
  {
    // examples/transformerconfigs/images/README.md: a digest replaces the tag; a registry port is not a tag.
    name: 'images: digest, and names with a registry port',
    files: {
      'kustomization.yaml': `
        resources:
        - d.yaml
        images:
        - name: alpine
          digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3
        - name: registry:5000/app
          newTag: v2
        - name: nginx
          newName: my-registry/nginx
      `,
      'd.yaml': `
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: d
        spec:
          selector:
            matchLabels:
              app: d
          template:
            metadata:
              labels:
                app: d
            spec:
              containers:
              - name: a
                image: alpine:3.7
              - name: b
                image: registry:5000/app
              - name: c
                image: nginx@sha256:abc
              - name: d
                image: nginxx:1
      `,
    },
    expected: `
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: d
      spec:
        selector:
          matchLabels:
            app: d
        template:
          metadata:
            labels:
              app: d
          spec:
            containers:
            - image: alpine@sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3
              name: a
            - image: registry:5000/app:v2
              name: b
            - image: my-registry/nginx@sha256:abc
              name: c
            - image: nginxx:1
              name: d
    `,
  },
  {
    // examples/replicas.md: replicas: [{name: myapp, count: 3}] over replicas: 1.
    name: 'replicas',
    files: {
      'kustomization.yaml': 'resources:\n- deployment.yaml\nreplicas:\n- name: myapp\n  count: 3\n',
      'deployment.yaml': `
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          labels:
            app: myapp
          name: myapp
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: myapp
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: myapp-container
                image: busybox:1.29.0
      `,
    },
    expected: `
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        labels:
          app: myapp
        name: myapp
      spec:
        replicas: 3
        selector:
          matchLabels:
            app: myapp
        template:
          metadata:
            labels:
              app: nginx
          spec:
            containers:
            - image: busybox:1.29.0
              name: myapp-container
    `,
  },
  {
    name: 'replicas name the base object even after an overlay renamed it',
    files: {
      'base/kustomization.yaml': 'namePrefix: base-\nresources:\n- d.yaml\n',
      'base/d.yaml': DEPLOYMENT,
      'kustomization.yaml': 'resources:\n- base\nreplicas:\n- name: web\n  count: 2\n',
    },
    expected: `
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: base-web
      spec:
        replicas: 2
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
    name: 'config.kubernetes.io/local-config objects are dropped',
    files: {
      'kustomization.yaml': 'resources:\n- r.yaml\n',
      'r.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\n  annotations:\n    config.kubernetes.io/local-config: "true"\n',
    },
    expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n',
  },
];

describe('kustomize build: one field at a time', () => {
  it.each(rows)('$name', ({ files, dir, expected }) => {
    expect(output(files, dir)).toBe(dedent(expected));
  });
});
