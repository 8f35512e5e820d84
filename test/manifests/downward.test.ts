import { describe, expect, it } from 'vitest';
import { findings, pod, validate, yaml } from './support.js';

/** Findings as `code path` (the positions are pod.test.ts's subject; here it is which field is refused and why). */
function problems(spec: string): string[] {
  return findings({ 'f.yaml': pod(spec) }).map((f) => `${f.code} ${f.path}`);
}

const env = (valueFrom: string) => yaml`
  containers:
    - name: app
      image: nginx:1.25
      env:
        - name: V
          valueFrom: ${valueFrom}
    - name: side
      image: nginx:1.25
`;

const volume = (item: string) => yaml`
  containers:
    - name: app
      image: nginx:1.25
      volumeMounts: [{name: info, mountPath: /etc/podinfo}]
  volumes:
    - name: info
      downwardAPI:
        items:
          - ${item}
`;

describe('downward API in env', () => {
  it.each([
    ['metadata.name', '{fieldRef: {fieldPath: metadata.name}}', []],
    ['metadata.uid', '{fieldRef: {fieldPath: metadata.uid}}', []],
    ['one label', "{fieldRef: {fieldPath: \"metadata.labels['app']\"}}", []],
    ['one annotation with a prefixed key', "{fieldRef: {fieldPath: \"metadata.annotations['example.com/owner']\"}}", []],
    ['spec.nodeName', '{fieldRef: {fieldPath: spec.nodeName}}', []],
    ['spec.host, what old clients send for spec.nodeName', '{fieldRef: {fieldPath: spec.host}}', []],
    ['spec.serviceAccountName', '{fieldRef: {fieldPath: spec.serviceAccountName}}', []],
    ['status.hostIP', '{fieldRef: {fieldPath: status.hostIP}}', []],
    ['status.hostIPs', '{fieldRef: {fieldPath: status.hostIPs}}', []],
    ['status.podIPs', '{fieldRef: {fieldPath: status.podIPs}}', []],
    ['apiVersion v1 written out', '{fieldRef: {apiVersion: v1, fieldPath: metadata.name}}', []],
    ['the whole labels map (volumes only)', '{fieldRef: {fieldPath: metadata.labels}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']],
    ['the whole annotations map (volumes only)', '{fieldRef: {fieldPath: metadata.annotations}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']],
    ['a field Kubernetes does not offer', '{fieldRef: {fieldPath: status.phase}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']],
    ['a subscript on a field that is no map', "{fieldRef: {fieldPath: \"metadata.name['x']\"}}", ['unsupported-field-ref spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']],
    ['a label key that is not one', "{fieldRef: {fieldPath: \"metadata.labels['-bad-']\"}}", ['unsupported-field-ref spec.containers[0].env[0].valueFrom.fieldRef.fieldPath']],
    ['another apiVersion', '{fieldRef: {apiVersion: v2, fieldPath: metadata.name}}', ['invalid-value spec.containers[0].env[0].valueFrom.fieldRef.apiVersion']],
    ['limits.cpu', '{resourceFieldRef: {resource: limits.cpu}}', []],
    ['requests.memory with divisor 1Mi', '{resourceFieldRef: {resource: requests.memory, divisor: 1Mi}}', []],
    ['limits.ephemeral-storage with divisor 1G', '{resourceFieldRef: {resource: limits.ephemeral-storage, divisor: 1G}}', []],
    ['limits.cpu with divisor 1m', '{resourceFieldRef: {resource: limits.cpu, divisor: 1m}}', []],
    ['limits.cpu with divisor 1000m (which is 1)', '{resourceFieldRef: {resource: limits.cpu, divisor: 1000m}}', []],
    ['another container of the pod', '{resourceFieldRef: {containerName: side, resource: limits.memory}}', []],
    ['cpu divisor other than 1 or 1m', '{resourceFieldRef: {resource: limits.cpu, divisor: 100m}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor']],
    ['memory divisor that is no unit', '{resourceFieldRef: {resource: limits.memory, divisor: 3Mi}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor']],
    ['a divisor that is no quantity', '{resourceFieldRef: {resource: limits.memory, divisor: 1 GB}}', ['invalid-quantity spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor']],
    ['hugepages', '{resourceFieldRef: {resource: limits.hugepages-2Mi, divisor: 1Mi}}', []],
    ['a resource Kubernetes does not offer', '{resourceFieldRef: {resource: limits.gpu}}', ['unsupported-field-ref spec.containers[0].env[0].valueFrom.resourceFieldRef.resource']],
    ['a container the pod does not have', '{resourceFieldRef: {containerName: nope, resource: limits.cpu}}', ['invalid-value spec.containers[0].env[0].valueFrom.resourceFieldRef.containerName']],
    ['no source at all', '{}', ['invalid-env spec.containers[0].env[0].valueFrom']],
    ['two sources', '{fieldRef: {fieldPath: metadata.name}, resourceFieldRef: {resource: limits.cpu}}', ['invalid-env spec.containers[0].env[0].valueFrom']],
  ])('%s', (_name, valueFrom, want) => {
    expect(problems(env(valueFrom))).toEqual(want);
  });
});

describe('downwardAPI volumes', () => {
  it.each([
    ['the whole labels map', '{path: labels, fieldRef: {fieldPath: metadata.labels}}', []],
    ['the whole annotations map', '{path: annotations, fieldRef: {fieldPath: metadata.annotations}}', []],
    ['one label, in a sub-directory, with a mode', "{path: meta/app, mode: 0400, fieldRef: {fieldPath: \"metadata.labels['app']\"}}", []],
    ['metadata.uid', '{path: uid, fieldRef: {fieldPath: metadata.uid}}', []],
    ['a resource of a named container', '{path: cpu, resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}}', []],
    ['spec.nodeName (env only)', '{path: node, fieldRef: {fieldPath: spec.nodeName}}', ['unsupported-field-ref spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath']],
    ['status.podIP (env only)', '{path: ip, fieldRef: {fieldPath: status.podIP}}', ['unsupported-field-ref spec.volumes[0].downwardAPI.items[0].fieldRef.fieldPath']],
    ['a resource without containerName', '{path: cpu, resourceFieldRef: {resource: limits.cpu}}', ['missing-field spec.volumes[0].downwardAPI.items[0].resourceFieldRef']],
    ['both sources', '{path: x, fieldRef: {fieldPath: metadata.name}, resourceFieldRef: {containerName: app, resource: limits.cpu}}', ['invalid-volume spec.volumes[0].downwardAPI.items[0]']],
    ['neither source', '{path: x}', ['invalid-volume spec.volumes[0].downwardAPI.items[0]']],
    ['a path out of the volume', '{path: ../x, fieldRef: {fieldPath: metadata.name}}', ['invalid-path spec.volumes[0].downwardAPI.items[0].path']],
    ["a path in the kubelet's reserved names", '{path: ..data, fieldRef: {fieldPath: metadata.name}}', ['invalid-path spec.volumes[0].downwardAPI.items[0].path']],
  ])('%s', (_name, item, want) => {
    expect(problems(volume(item))).toEqual(want);
  });

  it('two items may not write the same path', () => {
    expect(problems(volume('{path: x, fieldRef: {fieldPath: metadata.name}}\n          - {path: x, fieldRef: {fieldPath: metadata.uid}}'))).toEqual(['invalid-path spec.volumes[0].downwardAPI.items[1].path']);
  });

  it('another source berth does not run is named in the error', () => {
    const spec = yaml`
      containers:
        - name: app
          image: nginx:1.25
      volumes:
        - name: p
          nfs: {server: nas, path: /export}
    `;
    const result = validate({ 'f.yaml': pod(spec) }).problems;
    expect(result.filter((p) => p.severity === 'error').map((p) => [p.code, p.message])).toEqual([
      ['unsupported-field', 'berth cannot run spec.volumes[0].nfs, and ignoring it would change what runs; mount the share on the host and use a hostPath volume'],
    ]);
  });
});

describe('projected volumes', () => {
  const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: conf}
data: {app.conf: x}
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
stringData: {tls.key: k}
---
`;
  const projected = (sources: string) =>
    CONFIG +
    pod(yaml`
      containers:
        - name: app
          image: nginx:1.25
          volumeMounts: [{name: all, mountPath: /etc/all}]
      volumes:
        - name: all
          projected:
            sources: ${sources}
    `);
  const problemsOf = (sources: string) => findings({ 'f.yaml': projected(sources) }).map((f) => `${f.code} ${f.path}`);

  it.each([
    ['configMap, secret and downwardAPI sources', '[{configMap: {name: conf}}, {secret: {name: tls, items: [{key: tls.key, path: key}]}}, {downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}]', []],
    ['an optional configMap the revision lacks', '[{configMap: {name: nope, optional: true}}]', []],
    ['a configMap the revision lacks', '[{configMap: {name: nope}}]', ['missing-reference spec.volumes[0].projected.sources[0].configMap.name']],
    ['a key the secret lacks', '[{secret: {name: tls, items: [{key: nope, path: x}]}}]', ['missing-reference-key spec.volumes[0].projected.sources[0].secret.items[0].key']],
    ['two kinds in one source', '[{configMap: {name: conf}, secret: {name: tls}}]', ['invalid-volume spec.volumes[0].projected.sources[0]']],
    ['two sources writing one path', '[{configMap: {name: conf, items: [{key: app.conf, path: x}]}}, {downwardAPI: {items: [{path: x, fieldRef: {fieldPath: metadata.name}}]}}]', ['invalid-path spec.volumes[0].projected.sources[1].downwardAPI.items[0].path']],
    ['a downward field volumes do not offer', '[{downwardAPI: {items: [{path: node, fieldRef: {fieldPath: spec.nodeName}}]}}]', ['unsupported-field-ref spec.volumes[0].projected.sources[0].downwardAPI.items[0].fieldRef.fieldPath']],
  ])('%s', (_name, sources, want) => {
    expect(problemsOf(sources)).toEqual(want);
  });

  it('a serviceAccountToken source is a warning: no token is mounted', () => {
    expect(problemsOf('[{serviceAccountToken: {path: token}}]')).toEqual(['unimplemented-field spec.volumes[0].projected.sources[0].serviceAccountToken']);
  });
});
