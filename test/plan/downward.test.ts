import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { NodeFacts } from '../../src/plan/downward-plan.js';
import { withAppliedLabels } from '../../src/plan/controllers/in-place.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import type { PodPlan } from '../../src/plan/pod-plan.js';
import { plan } from '../../src/plan/plan.js';
import type { Resource } from '../../src/model/types.js';
import { observedFrom, observedState, sequence, TEST_HASH_KEY } from '../support/builders.js';

const NODE: NodeFacts = { name: 'host-1', allocatable: { cpu: 8, memory: 16 * 2 ** 30, ephemeralStorage: 200e9 } };

function resources(yaml: string): Resource[] {
  const { resources, problems } = validateRevision([{ path: 'app.yaml', content: Buffer.from(yaml) }]);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return resources;
}

/** A bare Pod with the given metadata, reading all of it in env and in a downwardAPI volume. */
function bare(meta: { labels: string; annotations: string; image?: string; serviceAccount?: string }): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: info
  labels: ${meta.labels}
  annotations: ${meta.annotations}
spec:
  containers:
    - name: app
      image: ${meta.image ?? 'busybox:1.36'}
      resources: {limits: {cpu: 250m, memory: 64Mi}, requests: {cpu: 100m}}
      env:
        - {name: NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
        - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
        - {name: UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}
        - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
        - {name: MISSING, valueFrom: {fieldRef: {fieldPath: "metadata.labels['nope']"}}}
        - {name: OWNER, valueFrom: {fieldRef: {fieldPath: "metadata.annotations['example.com/owner']"}}}
        - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
        - {name: SA, valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}}
        - {name: HOST_IP, valueFrom: {fieldRef: {fieldPath: status.hostIP}}}
        - {name: HOST_IPS, valueFrom: {fieldRef: {fieldPath: status.hostIPs}}}
        - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}
        - {name: POD_IPS, valueFrom: {fieldRef: {fieldPath: status.podIPs}}}
        - {name: CPU_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
        - {name: CPU_LIMIT_M, valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}}
        - {name: CPU_REQUEST_M, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
        - {name: MEM_LIMIT_MI, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
        - {name: MEM_REQUEST, valueFrom: {resourceFieldRef: {resource: requests.memory}}}
        - {name: SIDE_MEM_MI, valueFrom: {resourceFieldRef: {containerName: side, resource: limits.memory, divisor: 1Mi}}}
        - {name: GREETING, value: "$(NAME) on $(NODE)"}
      volumeMounts: [{name: podinfo, mountPath: /etc/podinfo}]
    - name: side
      image: busybox:1.36
  volumes:
    - name: podinfo
      downwardAPI:
        defaultMode: 0444
        items:
          - {path: labels, fieldRef: {fieldPath: metadata.labels}}
          - {path: annotations, fieldRef: {fieldPath: metadata.annotations}}
          - {path: app, fieldRef: {fieldPath: "metadata.labels['app']"}}
          - {path: meta/name, mode: 0400, fieldRef: {fieldPath: metadata.name}}
          - {path: uid, fieldRef: {fieldPath: metadata.uid}}
          - {path: cpu_limit, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}}
          - {path: side_cpu_limit, resourceFieldRef: {containerName: side, resource: limits.cpu}}
`;
}

const V1 = { labels: '{app: shop, tier: web}', annotations: '{example.com/owner: team-a}' };

function podPlan(yaml: string, node?: NodeFacts): PodPlan {
  const desired = buildDesiredState(resources(yaml), { hashKey: TEST_HASH_KEY, ...(node ? { node } : {}) });
  const w = desired.workloads[0]!;
  return w.template.build(w.name);
}

function run(yaml: string, pods: ObservedPod[]) {
  return plan(buildDesiredState(resources(yaml), { hashKey: TEST_HASH_KEY, node: NODE }), observedState(pods), { now: 1, random: sequence(), prune: false });
}

/** The pod as berth created it from `yaml`, observed by a pass: its in-place hash and volume versions. */
function running(yaml: string): ObservedPod {
  const p = podPlan(yaml, NODE);
  const versions = Object.fromEntries(p.volumes.flatMap((v) => (v.type === 'files' && v.version ? [[v.name, v.version]] : [])));
  return { ...observedFrom(p), ...(p.inPlaceHash ? { inPlaceHash: p.inPlaceHash } : {}), downwardVersions: versions };
}

const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

describe('downward API: env', () => {
  const env = Object.fromEntries(podPlan(bare(V1), NODE).containers[0]!.env.map((e) => [e.name, 'value' in e ? e.value : `<${e.fieldRef}>`]));

  it.each([
    ['NAME', 'info'],
    ['NS', 'default'],
    ['UID', '<metadata.uid>'],
    ['APP', 'shop'],
    ['MISSING', ''],
    ['OWNER', 'team-a'],
    ['NODE', 'host-1'],
    ['SA', 'default'],
    ['HOST_IP', '<status.hostIP>'],
    ['HOST_IPS', '<status.hostIPs>'],
    ['POD_IP', '<status.podIP>'],
    ['POD_IPS', '<status.podIPs>'],
    ['CPU_LIMIT', '1'],
    ['CPU_LIMIT_M', '250'],
    ['CPU_REQUEST_M', '100'],
    ['MEM_LIMIT_MI', '64'],
    ['MEM_REQUEST', String(64 * 2 ** 20)],
    ['SIDE_MEM_MI', String(16 * 1024)],
    ['GREETING', 'info on host-1'],
  ])('%s is %s', (name, want) => {
    expect(env[name]).toBe(want);
  });
});

describe('downward API: volume files', () => {
  const volume = podPlan(bare(V1), NODE).volumes.find((v) => v.name === 'podinfo');
  const files = volume?.type === 'files' ? volume.files : [];

  it.each([
    ['labels', 'app="shop"\ntier="web"', 0o444],
    ['annotations', 'example.com/owner="team-a"', 0o444],
    ['app', 'shop', 0o444],
    ['meta/name', 'info', 0o400],
    ['cpu_limit', '250', 0o444],
    ['side_cpu_limit', '8', 0o444],
  ])('%s', (path, content, mode) => {
    const f = files.find((x) => x.path === path);
    expect({ content: text(f?.content ?? ''), mode: f?.mode }).toEqual({ content, mode });
  });

  it('the uid is filled in once the sandbox exists', () => {
    expect(files.find((f) => f.path === 'uid')).toEqual({ path: 'uid', mode: 0o444, content: '', field: 'metadata.uid' });
  });

  it('the version follows the content', () => {
    const version = (yaml: string) => {
      const v = podPlan(yaml, NODE).volumes.find((x) => x.name === 'podinfo');
      return v?.type === 'files' ? v.version : undefined;
    };
    expect(version(bare(V1))).toBe(version(bare(V1)));
    expect(version(bare({ ...V1, annotations: '{example.com/owner: team-b}' }))).not.toBe(version(bare(V1)));
  });
});

describe('downward API: a bare Pod follows label and annotation changes in place', () => {
  it.each([
    {
      name: 'nothing to do when the files are current',
      now: bare(V1),
      want: [],
    },
    {
      name: 'an annotation change updates the volume files; the pod runs on',
      now: bare({ ...V1, annotations: '{example.com/owner: team-b}' }),
      want: ['update-volume-files podinfo (the labels or annotations of pod info changed)'],
    },
    {
      name: 'a label change too',
      now: bare({ ...V1, labels: '{app: shop, tier: api}' }),
      want: ['update-volume-files podinfo (the labels or annotations of pod info changed)'],
    },
    {
      name: 'a spec change replaces the pod',
      now: bare({ ...V1, image: 'busybox:1.37' }),
      want: ['delete-pod (pod spec changed)', 'create-pod (pod spec changed)'],
    },
  ])('$name', ({ now, want }) => {
    const actions = run(now, [running(bare(V1))]).actions.filter((a) => a.type !== 'create-network');
    expect(actions.map((a) => `${a.type} ${'volumes' in a ? `${a.volumes.join(',')} ` : ''}(${'reason' in a ? a.reason : ''})`)).toEqual(want);
  });

  it('a pod made before berth knew in-place changes is replaced, as before', () => {
    const { inPlaceHash: _, ...old } = running(bare(V1));
    const actions = run(bare({ ...V1, annotations: '{example.com/owner: team-b}' }), [old]).actions;
    expect(actions.map((a) => a.type)).toEqual(['delete-pod', 'create-pod']);
  });

  it("the pod's labels are its manifest's as applied, not those it was created with", () => {
    const pod = running(bare(V1));
    const inventory = [{ key: 'Pod/default/info', kind: 'Pod', object: { metadata: { labels: { app: 'shop', tier: 'api' } } } }];
    expect(withAppliedLabels(pod, inventory).labels).toEqual({ app: 'shop', tier: 'api' });
    const { inPlaceHash: _, ...old } = pod;
    expect(withAppliedLabels(old, inventory).labels).toEqual({ app: 'shop', tier: 'web' });
  });

  it('a Deployment whose template labels change rolls, as Kubernetes makes a new ReplicaSet', () => {
    const deployment = (tier: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: ${tier}}}
    spec:
      containers: [{name: app, image: busybox:1.36}]
`;
    expect(podPlan(deployment('a')).inPlaceHash).toBeUndefined();
    expect(podPlan(deployment('a')).specHash).not.toBe(podPlan(deployment('b')).specHash);
  });
});

describe('projected volumes', () => {
  const yaml = (owner: string, key: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: conf-v1, other: o}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
stringData: {tls.key: ${key}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: web}, annotations: {owner: ${owner}}}
spec:
  containers: [{name: app, image: busybox:1.36, volumeMounts: [{name: all, mountPath: /etc/all}]}]
  volumes:
    - name: all
      projected:
        defaultMode: 0440
        sources:
          - configMap: {name: conf, items: [{key: app.conf, path: conf/app.conf}]}
          - secret: {name: tls}
          - downwardAPI: {items: [{path: annotations, fieldRef: {fieldPath: metadata.annotations}}, {path: uid, fieldRef: {fieldPath: metadata.uid}}]}
`;
  const volumeOf = (y: string) => {
    const desired = buildDesiredState(resources(y), { hashKey: TEST_HASH_KEY, node: NODE });
    const w = desired.workloads.find((x) => x.kind === 'Pod')!;
    const v = w.template.build(w.name).volumes[0]!;
    if (v.type !== 'files') throw new Error('not a files volume');
    return v;
  };

  it('holds the files of every source, in order, with the volume mode; secrets in memory only', () => {
    const v = volumeOf(yaml('team-a', 'k1'));
    expect(v.files.map((f) => [f.path, f.field ?? text(f.content), f.mode])).toEqual([
      ['conf/app.conf', 'conf-v1', 0o440],
      ['tls.key', 'k1', 0o440 & 0o770],
      ['annotations', 'owner="team-a"', 0o440],
      ['uid', 'metadata.uid', 0o440],
    ]);
    expect(v.secret).toBe(true);
  });

  it('its version follows the downward content, and leaves the Secret out', () => {
    const version = volumeOf(yaml('team-a', 'k1')).version;
    expect(volumeOf(yaml('team-a', 'k2')).version).toBe(version);
    expect(volumeOf(yaml('team-b', 'k1')).version).not.toBe(version);
  });

  it("a Secret's content is in the template hash: a change replaces the pod", () => {
    const hash = (y: string) => buildDesiredState(resources(y), { hashKey: TEST_HASH_KEY }).workloads.find((x) => x.kind === 'Pod')!.template.inPlaceHash;
    expect(hash(yaml('team-a', 'k2'))).not.toBe(hash(yaml('team-a', 'k1')));
    expect(hash(yaml('team-b', 'k1'))).toBe(hash(yaml('team-a', 'k1')));
  });
});
