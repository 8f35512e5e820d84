import { describe, expect, it } from 'vitest';
import { build, dedent, output, problems } from './support.js';

/**
 * Whole trees: patches in every spelling, a base with a component and two overlays, in the
 * shape of kustomize's examples/components.md and examples/inlinePatch.md. Generator-free, so
 * the expected text is exact without hashes (generators have their own tests).
 */
const DEPLOYMENT = `
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    replicas: 1
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
          image: nginx:1.25
`;

const patched = (replicas: number, extra = ''): string => `
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    replicas: ${replicas}
    selector:
      matchLabels:
        app: web
    template:
      metadata:
        labels:
          app: web
      spec:
        containers:
        - image: nginx:1.25
          ${extra}name: web
`;

const rows: Array<{ name: string; files: Record<string, string>; dir?: string; expected: string }> = [
  {
    // examples/inlinePatch.md: an inline strategic merge patch without a target.
    name: 'patches: inline strategic merge patch naming its object',
    files: {
      'kustomization.yaml': 'resources:\n- d.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 3\n',
      'd.yaml': DEPLOYMENT,
    },
    expected: patched(3),
  },
  {
    name: 'patches: JSON 6902 operations from a file, by target',
    files: {
      'kustomization.yaml': 'resources:\n- d.yaml\npatches:\n- path: ops.yaml\n  target:\n    kind: Deployment\n    name: web\n',
      'ops.yaml': '- op: replace\n  path: /spec/replicas\n  value: 4\n',
      'd.yaml': DEPLOYMENT,
    },
    expected: patched(4),
  },
  {
    name: 'patches: a strategic merge patch with a target applies to every object it selects, whatever name it gives',
    files: {
      'kustomization.yaml': 'resources:\n- d.yaml\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: any\n    spec:\n      replicas: 2\n',
      'd.yaml': DEPLOYMENT,
    },
    expected: patched(2),
  },
  {
    name: 'patchesStrategicMerge (a path and an inline string) and patchesJson6902, in kustomize order',
    files: {
      'kustomization.yaml': dedent(`
        resources:
        - d.yaml
        patchesStrategicMerge:
        - smp.yaml
        - |-
          apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: web
          spec:
            template:
              spec:
                containers:
                - name: web
                  imagePullPolicy: Always
        patchesJson6902:
        - target:
            group: apps
            version: v1
            kind: Deployment
            name: web
          patch: |-
            - op: replace
              path: /spec/replicas
              value: 6
      `),
      'smp.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n',
      'd.yaml': DEPLOYMENT,
    },
    expected: patched(6, 'imagePullPolicy: Always\n          '),
  },
  {
    name: 'a patch in an overlay names the base object by its name before the base prefixed it',
    files: {
      'base/kustomization.yaml': 'namePrefix: b-\nresources:\n- d.yaml\n',
      'base/d.yaml': DEPLOYMENT,
      'kustomization.yaml': 'resources:\n- base\npatches:\n- path: p.yaml\n',
      'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b-web\nspec:\n  replicas: 7\n',
    },
    expected: patched(7).replace('name: web\n  spec:\n    replicas', 'name: b-web\n  spec:\n    replicas'),
  },
  {
    name: '$patch: delete removes the object',
    files: {
      'kustomization.yaml': 'resources:\n- d.yaml\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    $patch: delete\n',
      'd.yaml': DEPLOYMENT,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    },
    expected: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
  },
];

describe('kustomize build: patches', () => {
  it.each(rows)('$name', ({ files, dir, expected }) => {
    expect(output(files, dir)).toBe(dedent(expected));
  });
});

/** A base, a component (kind: Component) and two overlays, one using the component. */
const TREE: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n- deployment.yaml\n- service.yaml\n',
  'base/deployment.yaml': DEPLOYMENT,
  'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n',
  'components/debug/kustomization.yaml': dedent(`
    apiVersion: kustomize.config.k8s.io/v1alpha1
    kind: Component
    resources:
    - debug-cm.yaml
    commonAnnotations:
      debug: "on"
    patches:
    - target:
        kind: Deployment
      patch: |-
        - op: add
          path: /spec/template/spec/containers/0/args
          value: ["--debug"]
  `),
  'components/debug/debug-cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: debug\ndata:\n  level: trace\n',
  'overlays/staging/kustomization.yaml': dedent(`
    apiVersion: kustomize.config.k8s.io/v1beta1
    kind: Kustomization
    namespace: staging
    namePrefix: staging-
    resources:
    - ../../base
    components:
    - ../../components/debug
    images:
    - name: nginx
      newTag: "1.26"
  `),
  'overlays/prod/kustomization.yaml': dedent(`
    namespace: prod
    resources:
    - ../../base
    replicas:
    - name: web
      count: 3
    labels:
    - pairs:
        env: prod
  `),
};

describe('kustomize build: a base, a component and two overlays', () => {
  it('staging: the component adds its ConfigMap, annotates everything and patches the Deployment; the overlay then renames', () => {
    expect(output(TREE, 'overlays/staging')).toBe(
      dedent(`
        apiVersion: v1
        data:
          level: trace
        kind: ConfigMap
        metadata:
          annotations:
            debug: "on"
          name: staging-debug
          namespace: staging
        ---
        apiVersion: v1
        kind: Service
        metadata:
          annotations:
            debug: "on"
          name: staging-web
          namespace: staging
        spec:
          ports:
          - port: 80
          selector:
            app: web
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          annotations:
            debug: "on"
          name: staging-web
          namespace: staging
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              annotations:
                debug: "on"
              labels:
                app: web
            spec:
              containers:
              - args:
                - --debug
                image: nginx:1.26
                name: web
      `),
    );
  });

  it('prod: no component; replicas and metadata labels', () => {
    expect(output(TREE, 'overlays/prod')).toBe(
      dedent(`
        apiVersion: v1
        kind: Service
        metadata:
          labels:
            env: prod
          name: web
          namespace: prod
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
            env: prod
          name: web
          namespace: prod
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - image: nginx:1.25
                name: web
      `),
    );
  });

  it('both overlays in one build: the base is built twice, each copy transformed on its own', () => {
    const files = { ...TREE, 'kustomization.yaml': 'resources:\n- overlays/staging\n- overlays/prod\n' };
    expect(problems(files)).toEqual([]);
    const names = build(files).docs.map((d) => {
      const meta = (d.value as { metadata: { name: string; namespace: string } }).metadata;
      return `${(d.value as { kind: string }).kind} ${meta.namespace}/${meta.name}`;
    });
    expect(names).toEqual(['ConfigMap staging/staging-debug', 'Service prod/web', 'Service staging/staging-web', 'Deployment prod/web', 'Deployment staging/staging-web']);
  });

  it('the patched args point at the component line that wrote them', () => {
    const b = build(TREE, 'overlays/staging');
    const deployment = b.docs.find((d) => (d.value as { kind: string }).kind === 'Deployment')!;
    const pos = deployment.parsed.locator.locate(['spec', 'template', 'spec', 'containers', 0, 'args', 0]);
    expect(`${pos.file}:${pos.line}`).toBe('components/debug/kustomization.yaml:13');
  });
});

describe('kustomize build: name references are fixed in each kustomization', () => {
  it('two overlays of one base in one build: each Deployment keeps its own ConfigMap', () => {
    const files = {
      'base/kustomization.yaml': 'resources:\n- r.yaml\n',
      'base/r.yaml': dedent(`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cfg
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
              - name: web
                image: nginx
                envFrom:
                - configMapRef:
                    name: cfg
      `),
      'a/kustomization.yaml': 'namePrefix: a-\nresources:\n- ../base\n',
      'b/kustomization.yaml': 'namePrefix: b-\nresources:\n- ../base\n',
      'kustomization.yaml': 'resources:\n- a\n- b\n',
    };
    expect(problems(files)).toEqual([]);
    const refs = build(files)
      .docs.filter((d) => (d.value as { kind: string }).kind === 'Deployment')
      .map((d) => {
        const v = d.value as { metadata: { name: string }; spec: { template: { spec: { containers: Array<{ envFrom: Array<{ configMapRef: { name: string } }> }> } } } };
        return [v.metadata.name, v.spec.template.spec.containers[0]!.envFrom[0]!.configMapRef.name];
      });
    expect(refs).toEqual([
      ['a-web', 'a-cfg'],
      ['b-web', 'b-cfg'],
    ]);
  });
});
