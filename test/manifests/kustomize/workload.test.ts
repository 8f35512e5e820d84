import { describe, expect, it } from 'vitest';
import { dedent, output } from './support.js';
import { DEPLOYMENT } from './fixtures.js';

/** As build.test.ts: annotations, images, replicas and local-config, each from kustomize's documented example where there is one. */
interface Row {
  name: string;
  files: Record<string, string>;
  dir?: string;
  expected: string;
}

const rows: Row[] = [
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
    name: 'images: entries apply in order, a later one naming what an earlier one renamed; a CRD is left alone',
    files: {
      'kustomization.yaml': 'resources:\n- r.yaml\nimages:\n- name: busybox\n  newName: alpine\n- name: alpine\n  newTag: "3.20"\n',
      'r.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: busybox\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\nspec:\n  containers:\n  - image: busybox\n',
    },
    expected: 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\nspec:\n  containers:\n  - image: busybox\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: alpine:3.20\n    name: c\n',
  },
  {
    // examples/imageTags.md: the old spelling, which kustomize reads as images.
    name: 'imageTags: the old spelling of images',
    files: {
      'kustomization.yaml': 'resources:\n- pod.yaml\nimageTags:\n- name: nginx\n  newTag: 1.8.0\n',
      'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.7.9\n',
    },
    expected: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - image: nginx:1.8.0\n    name: c\n',
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

describe('kustomize build: annotations, images, replicas', () => {
  it.each(rows)('$name', ({ files, dir, expected }) => {
    expect(output(files, dir)).toBe(dedent(expected));
  });
});
