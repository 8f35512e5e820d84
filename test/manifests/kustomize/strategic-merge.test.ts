import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { Provenance } from '../../../src/manifests/kustomize/provenance.js';
import { strategicMerge } from '../../../src/manifests/kustomize/strategic-merge.js';
import type { Obj } from '../../../src/manifests/kustomize/types.js';
import { yaml } from '../support.js';
import { recorder, source } from './patch-support.js';

function merge(target: string, patch: string): { out: Obj | 'deleted'; reported: Array<{ path: readonly (string | number)[]; message: string }> } {
  const prov = new Provenance();
  const t = source(prov, 'base.yaml', target).value as Obj;
  const p = source(prov, 'patch.yaml', patch).value as Obj;
  const { report, reported } = recorder();
  return { out: strategicMerge(t, p, { prov, report }), reported };
}

const DEMO = 'https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/';

// Kubernetes' deployment-patch.yaml from the task page.
const PATCH_DEMO = yaml`
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: patch-demo
  spec:
    replicas: 2
    selector:
      matchLabels:
        app: nginx
    template:
      metadata:
        labels:
          app: nginx
      spec:
        containers:
        - name: patch-demo-ctr
          image: nginx
        tolerations:
        - effect: NoSchedule
          key: dedicated
          value: test-team
`;

const deploy = (spec: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const podSpec = (spec: string) => deploy(`template:\n  spec:\n${spec.replace(/^/gm, '    ')}`);

interface Case {
  name: string;
  target: string;
  patch: string;
  want: string;
}

describe('strategic merge: documented examples', () => {
  it.each<Case>([
    {
      name: `containers merge by name; the added one comes first (${DEMO} patch-file.yaml)`,
      target: PATCH_DEMO,
      patch: yaml`
        spec:
          template:
            spec:
              containers:
              - name: patch-demo-ctr-2
                image: redis
      `,
      want: PATCH_DEMO.replace('      containers:\n', '      containers:\n      - name: patch-demo-ctr-2\n        image: redis\n'),
    },
    {
      name: `tolerations have no merge key and are replaced (${DEMO} patch-file-tolerations.yaml)`,
      target: PATCH_DEMO,
      patch: yaml`
        spec:
          template:
            spec:
              tolerations:
              - effect: NoSchedule
                key: disktype
                value: ssd
      `,
      want: PATCH_DEMO.replace('key: dedicated\n        value: test-team', 'key: disktype\n        value: ssd'),
    },
    {
      name: `$retainKeys clears the strategy's other members (${DEMO} retainKeys)`,
      target: deploy('strategy:\n  rollingUpdate:\n    maxSurge: 30%\nreplicas: 1'),
      patch: 'spec:\n  strategy:\n    $retainKeys:\n    - type\n    type: Recreate\n',
      want: deploy('strategy:\n  type: Recreate\nreplicas: 1'),
    },
    {
      // https://github.com/kubernetes-sigs/kustomize/blob/master/examples/patchMultipleObjects.md
      name: 'a sidecar is injected before the existing container (kustomize examples/patchMultipleObjects.md)',
      target: podSpec('containers:\n- name: nginx\n  image: nginx\n  args:\n  - one\n  - two'),
      patch: podSpec('containers:\n- name: istio-proxy\n  image: docker.io/istio/proxyv2\n  args:\n  - proxy\n  - sidecar').replace('name: web', 'name: not-important'),
      want: podSpec('containers:\n- name: istio-proxy\n  image: docker.io/istio/proxyv2\n  args:\n  - proxy\n  - sidecar\n- name: nginx\n  image: nginx\n  args:\n  - one\n  - two').replace('name: web', 'name: not-important'),
    },
    {
      // https://kubectl.docs.kubernetes.io/guides/example/inline_patch/
      name: 'the image changes and the args stay (kustomize inline_patch example)',
      target: podSpec('containers:\n- name: nginx\n  image: nginx\n  args:\n  - arg1\n  - arg2'),
      patch: podSpec('containers:\n- name: nginx\n  image: nginx:latest'),
      want: podSpec('containers:\n- name: nginx\n  image: nginx:latest\n  args:\n  - arg1\n  - arg2'),
    },
  ])('$name', ({ target, patch, want }) => {
    const { out, reported } = merge(target, patch);
    expect(reported).toEqual([]);
    expect(out).toEqual(load(want));
  });
});

// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
describe('strategic merge: directives', () => {
  it.each<Case>([
    { name: 'maps merge; null deletes a key', target: deploy('replicas: 1\npaused: true\nminReadySeconds: 5'), patch: 'spec:\n  paused: null\n  replicas: 3\n', want: deploy('replicas: 3\nminReadySeconds: 5') },
    { name: '$patch: replace on a map', target: deploy('selector:\n  matchLabels:\n    app: a\n  matchExpressions:\n  - {key: t, operator: Exists}'), patch: 'spec:\n  selector:\n    $patch: replace\n    matchLabels:\n      app: b\n', want: deploy('selector:\n  matchLabels:\n    app: b') },
    { name: '$patch: delete on a map', target: deploy('replicas: 1\nstrategy:\n  type: Recreate'), patch: 'spec:\n  strategy:\n    $patch: delete\n', want: deploy('replicas: 1') },
    { name: '$patch: merge is the default', target: deploy('replicas: 1'), patch: 'spec:\n  $patch: merge\n  paused: true\n', want: deploy('replicas: 1\npaused: true') },
    {
      name: '$patch: delete on a list item removes the item with that key',
      target: podSpec('containers:\n- name: a\n  image: a\n- name: b\n  image: b'),
      patch: podSpec('containers:\n- name: a\n  $patch: delete'),
      want: podSpec('containers:\n- name: b\n  image: b'),
    },
    {
      name: '$patch: replace as a list item replaces the whole list',
      target: podSpec('containers:\n- name: a\n  image: a\n- name: b\n  image: b'),
      patch: podSpec('containers:\n- $patch: replace\n- name: c\n  image: c'),
      want: podSpec('containers:\n- name: c\n  image: c'),
    },
    {
      name: '$patch: replace beside an item\'s fields replaces that item only (kyaml)',
      target: podSpec('containers:\n- name: a\n  image: a\n  args: [x]\n- name: b\n  image: b'),
      patch: podSpec('containers:\n- name: a\n  $patch: replace\n  image: a2'),
      want: podSpec('containers:\n- name: a\n  image: a2\n- name: b\n  image: b'),
    },
    {
      name: '- $patch: delete as a list item deletes the whole list',
      target: podSpec('containers:\n- name: a\n  image: a\nvolumes:\n- name: v\n  emptyDir: {}'),
      patch: podSpec('volumes:\n- $patch: delete'),
      want: podSpec('containers:\n- name: a\n  image: a'),
    },
    {
      name: '- $patch: replace on a list of scalars',
      target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b]\n',
      patch: 'metadata:\n  finalizers:\n  - $patch: replace\n  - z\n',
      want: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [z]\n',
    },
    {
      name: '$deleteFromPrimitiveList removes values from a list of scalars',
      target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b, c]\n',
      patch: 'metadata:\n  $deleteFromPrimitiveList/finalizers: [b]\n',
      want: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, c]\n',
    },
    {
      name: 'finalizers (patchStrategy merge, no key) merge as a set',
      target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b]\n',
      patch: 'metadata:\n  finalizers: [b, z]\n',
      want: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [b, z, a]\n',
    },
    {
      name: '$setElementOrder orders the merged list',
      target: podSpec('containers:\n- name: a\n  image: a\n- name: b\n  image: b\n- name: c\n  image: c'),
      patch: podSpec('$setElementOrder/containers:\n- name: c\n- name: a\n- name: b\ncontainers:\n- name: a\n  image: a2'),
      want: podSpec('containers:\n- name: c\n  image: c\n- name: a\n  image: a2\n- name: b\n  image: b'),
    },
    {
      name: '$setElementOrder orders a list of scalars',
      target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a, b, c]\n',
      patch: 'metadata:\n  $setElementOrder/finalizers: [c, a]\n',
      want: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [c, a, b]\n',
    },
    {
      name: 'a key the patch repeats merges into one item',
      target: podSpec('containers:\n- name: a\n  image: a'),
      patch: podSpec('containers:\n- name: b\n  image: b\n- name: b\n  args: [x]'),
      want: podSpec('containers:\n- name: b\n  image: b\n  args: [x]\n- name: a\n  image: a'),
    },
    {
      name: 'a new map from the patch drops its directives and nulls',
      target: deploy('replicas: 1'),
      patch: 'spec:\n  strategy:\n    $patch: merge\n    type: Recreate\n    rollingUpdate: null\n',
      want: deploy('replicas: 1\nstrategy:\n  type: Recreate'),
    },
  ])('$name', ({ target, patch, want }) => {
    const { out, reported } = merge(target, patch);
    expect(reported).toEqual([]);
    expect(out).toEqual(load(want));
  });

  it('a top-level $patch: delete deletes the resource', () => {
    expect(merge(deploy('replicas: 1'), 'kind: Deployment\n$patch: delete\n').out).toBe('deleted');
  });

  it('a top-level $patch: replace returns the patch as the new object', () => {
    const { out } = merge(deploy('replicas: 1\npaused: true'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n$patch: replace\nspec:\n  replicas: 2\n');
    expect(out).toEqual(load(deploy('replicas: 2')));
  });
});

const port = (n: number, protocol?: string) => `- containerPort: ${n}${protocol ? `\n  protocol: ${protocol}` : ''}`;
const svc = (ports: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n${ports.replace(/^/gm, '  ')}\n`;
const cronJob = (containers: string) => `apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cj\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n${containers.replace(/^/gm, '          ')}\n`;
const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const ctr = (body: string) => podSpec(`containers:\n- name: app\n${body.replace(/^/gm, '  ')}`);

describe('strategic merge: merge keys by field and place (Kubernetes patchMergeKey)', () => {
  it.each<Case>([
    { name: 'env by name', target: ctr('env:\n- {name: A, value: "1"}\n- {name: B, value: "2"}'), patch: ctr('env:\n- {name: B, value: "3"}\n- {name: C, value: "4"}'), want: ctr('env:\n- {name: B, value: "3"}\n- {name: C, value: "4"}\n- {name: A, value: "1"}') },
    { name: 'container ports by containerPort', target: ctr(`ports:\n${port(80)}\n${port(443)}`), patch: ctr('ports:\n- {containerPort: 80, name: http}'), want: ctr('ports:\n- {containerPort: 80, name: http}\n- containerPort: 443') },
    { name: 'container ports by containerPort and protocol', target: ctr(`ports:\n${port(53, 'TCP')}`), patch: ctr(`ports:\n${port(53, 'UDP')}`), want: ctr(`ports:\n${port(53, 'UDP')}\n${port(53, 'TCP')}`) },
    { name: 'a port named without its protocol is the item of that port (kyaml matches a missing key loosely)', target: ctr(`ports:\n${port(53, 'UDP')}`), patch: ctr('ports:\n- {containerPort: 53, name: dns}'), want: ctr('ports:\n- {containerPort: 53, protocol: UDP, name: dns}') },
    { name: 'a protocol added to a port that had none is the same item', target: ctr(`ports:\n${port(53)}`), patch: ctr(`ports:\n${port(53, 'UDP')}`), want: ctr(`ports:\n${port(53, 'UDP')}`) },
    { name: 'Service ports by port and protocol', target: svc('- {port: 53, protocol: TCP}'), patch: svc('- {port: 53, protocol: UDP, targetPort: 5353}'), want: svc('- {port: 53, protocol: UDP, targetPort: 5353}\n- {port: 53, protocol: TCP}') },
    { name: 'volumeMounts by mountPath', target: ctr('volumeMounts:\n- {name: a, mountPath: /a}\n- {name: b, mountPath: /b}'), patch: ctr('volumeMounts:\n- {name: c, mountPath: /a, readOnly: true}'), want: ctr('volumeMounts:\n- {name: c, mountPath: /a, readOnly: true}\n- {name: b, mountPath: /b}') },
    { name: 'volumeDevices by devicePath', target: ctr('volumeDevices:\n- {name: a, devicePath: /dev/a}'), patch: ctr('volumeDevices:\n- {name: b, devicePath: /dev/a}'), want: ctr('volumeDevices:\n- {name: b, devicePath: /dev/a}') },
    { name: 'args are replaced', target: ctr('args: [a, b]'), patch: ctr('args: [c]'), want: ctr('args: [c]') },
    { name: 'command is replaced', target: ctr('command: [sh, -c]'), patch: ctr('command: [bash]'), want: ctr('command: [bash]') },
    { name: 'envFrom is replaced', target: ctr('envFrom:\n- configMapRef: {name: a}'), patch: ctr('envFrom:\n- secretRef: {name: b}'), want: ctr('envFrom:\n- secretRef: {name: b}') },
    { name: 'volumes by name', target: podSpec('volumes:\n- {name: a, emptyDir: {}}\n- {name: b, emptyDir: {}}'), patch: podSpec('volumes:\n- name: b\n  emptyDir: {medium: Memory}'), want: podSpec('volumes:\n- name: b\n  emptyDir: {medium: Memory}\n- {name: a, emptyDir: {}}') },
    { name: 'initContainers by name', target: podSpec('initContainers:\n- {name: i, image: a}'), patch: podSpec('initContainers:\n- {name: i, image: b}'), want: podSpec('initContainers:\n- {name: i, image: b}') },
    { name: 'ephemeralContainers by name', target: podSpec('ephemeralContainers:\n- {name: d, image: a}'), patch: podSpec('ephemeralContainers:\n- {name: d, tty: true}'), want: podSpec('ephemeralContainers:\n- {name: d, image: a, tty: true}') },
    { name: 'imagePullSecrets by name', target: podSpec('imagePullSecrets:\n- name: a'), patch: podSpec('imagePullSecrets:\n- name: b'), want: podSpec('imagePullSecrets:\n- name: b\n- name: a') },
    { name: 'hostAliases by ip', target: podSpec('hostAliases:\n- {ip: 10.0.0.1, hostnames: [a]}'), patch: podSpec('hostAliases:\n- {ip: 10.0.0.1, hostnames: [b]}'), want: podSpec('hostAliases:\n- {ip: 10.0.0.1, hostnames: [b]}') },
    { name: 'topologySpreadConstraints by topologyKey', target: podSpec('topologySpreadConstraints:\n- {topologyKey: zone, maxSkew: 1, whenUnsatisfiable: DoNotSchedule}'), patch: podSpec('topologySpreadConstraints:\n- {topologyKey: zone, maxSkew: 2}'), want: podSpec('topologySpreadConstraints:\n- {topologyKey: zone, maxSkew: 2, whenUnsatisfiable: DoNotSchedule}') },
    { name: 'resourceClaims and schedulingGates by name', target: podSpec('resourceClaims:\n- {name: gpu, resourceClaimName: a}\nschedulingGates:\n- name: g1'), patch: podSpec('resourceClaims:\n- {name: gpu, resourceClaimName: b}\nschedulingGates:\n- name: g2'), want: podSpec('resourceClaims:\n- {name: gpu, resourceClaimName: b}\nschedulingGates:\n- name: g2\n- name: g1') },
    { name: 'a - $patch: replace marker in a replaced list is not an item', target: podSpec('tolerations:\n- {key: a, operator: Exists}'), patch: podSpec('tolerations:\n- $patch: replace\n- {key: b, operator: Exists}'), want: podSpec('tolerations:\n- {key: b, operator: Exists}') },
    { name: 'tolerations are replaced', target: podSpec('tolerations:\n- {key: a, operator: Exists}'), patch: podSpec('tolerations:\n- {key: b, operator: Exists}'), want: podSpec('tolerations:\n- {key: b, operator: Exists}') },
    { name: 'a Pod: spec.containers by name', target: pod('containers:\n- {name: a, image: a}\n- {name: b, image: b}'), patch: pod('containers:\n- {name: b, image: b2}'), want: pod('containers:\n- {name: b, image: b2}\n- {name: a, image: a}') },
    { name: 'a CronJob: spec.jobTemplate.spec.template.spec.containers by name', target: cronJob('- {name: a, image: a, args: [x]}'), patch: cronJob('- {name: a, image: b}'), want: cronJob('- {name: a, image: b, args: [x]}') },
    { name: 'a Service: spec.ports by port', target: svc('- {port: 80, targetPort: 8080}\n- {port: 443}'), patch: svc('- {port: 80, targetPort: 9090}'), want: svc('- {port: 80, targetPort: 9090}\n- {port: 443}') },
    { name: 'status conditions by type', target: deploy('replicas: 1') + 'status:\n  conditions:\n  - {type: Available, status: "False"}\n  - {type: Progressing, status: "True"}\n', patch: 'status:\n  conditions:\n  - {type: Available, status: "True"}\n', want: deploy('replicas: 1') + 'status:\n  conditions:\n  - {type: Available, status: "True"}\n  - {type: Progressing, status: "True"}\n' },
    { name: 'ownerReferences by uid', target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {uid: u1, name: a}\n', patch: 'metadata:\n  ownerReferences:\n  - {uid: u1, name: b}\n', want: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences:\n  - {uid: u1, name: b}\n' },
    { name: 'ServiceAccount secrets by name', target: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\nsecrets:\n- name: a\n', patch: 'secrets:\n- name: b\n', want: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\nsecrets:\n- name: b\n- name: a\n' },
    { name: 'Ingress rules are replaced', target: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: a\n', patch: 'spec:\n  rules:\n  - host: b\n', want: 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  rules:\n  - host: b\n' },
    { name: 'lists of a kind without a schema are replaced, even with names (a custom resource)', target: 'apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  containers:\n  - {name: a}\n', patch: 'spec:\n  containers:\n  - {name: b}\n', want: 'apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n  containers:\n  - {name: b}\n' },
    { name: 'ports of a container are not a Service port list (keyed by containerPort, not port)', target: ctr('ports:\n- {containerPort: 80, name: a}'), patch: ctr('ports:\n- {containerPort: 81, name: a}'), want: ctr('ports:\n- {containerPort: 81, name: a}\n- {containerPort: 80, name: a}') },
    { name: 'a list the target lacks is added from the patch', target: ctr('image: a'), patch: ctr('env:\n- {name: A, value: x}'), want: ctr('image: a\nenv:\n- {name: A, value: x}') },
  ])('$name', ({ target, patch, want }) => {
    const { out, reported } = merge(target, patch);
    expect(reported).toEqual([]);
    expect(out).toEqual(load(want));
  });
});

describe('strategic merge: bad patches are reported, not thrown', () => {
  it.each<{ name: string; target: string; patch: string; path: readonly (string | number)[]; says: RegExp; want?: string }>([
    { name: 'an unknown $patch value', target: deploy('replicas: 1'), patch: 'spec:\n  $patch: remove\n  replicas: 2\n', path: ['spec', '$patch'], says: /unknown \$patch directive "remove".*replace, delete or merge/, want: deploy('replicas: 2') },
    { name: 'a list item lacking its merge key', target: ctr('image: a'), patch: podSpec('containers:\n- image: b'), path: ['spec', 'template', 'spec', 'containers', 0], says: /no name: items of containers are matched by name/, want: ctr('image: a') },
    { name: 'a scalar item in a keyed list', target: ctr('image: a'), patch: podSpec('containers:\n- app'), path: ['spec', 'template', 'spec', 'containers', 0], says: /maps matched by name; this item is a string/ },
    { name: 'a map patching a list', target: ctr('image: a'), patch: podSpec('containers:\n  name: app'), path: ['spec', 'template', 'spec', 'containers'], says: /is a map in this patch but a list/ },
    { name: 'a list patching a map', target: deploy('replicas: 1'), patch: 'spec:\n  - replicas\n', path: ['spec'], says: /is a list in this patch but a map/ },
    { name: 'a misspelt directive', target: deploy('replicas: 1'), patch: 'spec:\n  $pacth: delete\n', path: ['spec', '$pacth'], says: /did you mean "\$patch"/ },
    { name: '$retainKeys that is not a list', target: deploy('replicas: 1'), patch: 'spec:\n  $retainKeys: replicas\n', path: ['spec', '$retainKeys'], says: /list of the field names to keep/ },
    { name: '$retainKeys leaving out a patched key', target: deploy('strategy: {type: A}'), patch: 'spec:\n  strategy:\n    $retainKeys: [type]\n    type: B\n    rollingUpdate: {}\n', path: ['spec', 'strategy', 'rollingUpdate'], says: /not listed in \$retainKeys/ },
    { name: '$setElementOrder that is not a list', target: ctr('image: a'), patch: podSpec('$setElementOrder/containers: app'), path: ['spec', 'template', 'spec', '$setElementOrder/containers'], says: /takes a list/ },
    { name: '$deleteFromPrimitiveList that is not a list', target: deploy('replicas: 1'), patch: 'metadata:\n  $deleteFromPrimitiveList/finalizers: a\n', path: ['metadata', '$deleteFromPrimitiveList/finalizers'], says: /list of the values to remove/ },
    { name: 'a map in a list of scalars', target: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [a]\n', patch: 'metadata:\n  finalizers:\n  - {a: b}\n', path: ['metadata', 'finalizers', 0], says: /holds plain values/ },
  ])('$name', ({ target, patch, path, says, want }) => {
    const { out, reported } = merge(target, patch);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toEqual(path);
    expect(reported[0]!.message).toMatch(says);
    if (want) expect(out).toEqual(load(want));
  });
});

describe('strategic merge: provenance', () => {
  const base = podSpec('replicas: 1\ncontainers:\n- name: a\n  image: a\n  env:\n  - {name: X, value: "1"}\n- name: b\n  image: b');
  const patch = yaml`
    spec:
      template:
        spec:
          containers:
          - name: b
            image: b2
          - name: c
            image: c
            env:
            - {name: Y, value: "2"}
          - name: a
            env:
            - {name: X, value: "3"}
  `;

  it.each<{ path: (string | number)[]; file: string; line: number }>([
    { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], file: 'patch.yaml', line: 6 }, // b's image, set by the patch
    { path: ['spec', 'template', 'spec', 'containers', 1, 'image'], file: 'patch.yaml', line: 8 }, // c, added by the patch
    { path: ['spec', 'template', 'spec', 'containers', 1, 'env', 0, 'value'], file: 'patch.yaml', line: 10 },
    { path: ['spec', 'template', 'spec', 'containers', 2, 'image'], file: 'base.yaml', line: 11 }, // a's image, untouched
    { path: ['spec', 'template', 'spec', 'containers', 2, 'env', 0, 'value'], file: 'patch.yaml', line: 13 },
    { path: ['spec', 'template', 'spec', 'replicas'], file: 'base.yaml', line: 8 },
    { path: ['metadata', 'name'], file: 'base.yaml', line: 4 },
  ])('$path is located in $file:$line', ({ path, file, line }) => {
    const prov = new Provenance();
    const t = source(prov, 'base.yaml', base).value as Obj;
    const p = source(prov, 'patch.yaml', patch).value as Obj;
    const { report } = recorder();
    const out = strategicMerge(t, p, { prov, report }) as Obj;
    const pos = prov.locator(out).locate(path);
    expect({ file: pos.file, line: pos.line }).toEqual({ file, line });
  });

  it('a patch that restates an unchanged value leaves it pointing at the base', () => {
    const prov = new Provenance();
    const t = source(prov, 'base.yaml', deploy('replicas: 1')).value as Obj;
    const p = source(prov, 'patch.yaml', 'metadata:\n  name: web\nspec:\n  replicas: 2\n').value as Obj;
    const out = strategicMerge(t, p, { prov, report: recorder().report }) as Obj;
    expect(prov.locator(out).locate(['metadata', 'name'])).toMatchObject({ file: 'base.yaml', line: 4 });
    expect(prov.locator(out).locate(['spec', 'replicas'])).toMatchObject({ file: 'patch.yaml', line: 4 });
  });

  it('a merged set of finalizers points each value where it was written', () => {
    const prov = new Provenance();
    const t = source(prov, 'base.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers:\n  - a\n').value as Obj;
    const p = source(prov, 'patch.yaml', 'metadata:\n  finalizers:\n  - z\n').value as Obj;
    const out = strategicMerge(t, p, { prov, report: recorder().report }) as Obj;
    expect(out).toEqual(load('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  finalizers: [z, a]\n'));
    expect(prov.locator(out).locate(['metadata', 'finalizers', 0])).toMatchObject({ file: 'patch.yaml', line: 3 });
    expect(prov.locator(out).locate(['metadata', 'finalizers', 1])).toMatchObject({ file: 'base.yaml', line: 6 });
  });
});
