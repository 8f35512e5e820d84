import { describe, expect, it } from 'vitest';
import type { DaemonSet } from '../../src/model/types.js';
import { at, findings, validate, yaml } from './support.js';

/** A DaemonSet `agent` whose pod spec gets `extra` (indented to the pod spec, 6 spaces) after its containers. */
function ds(extra = '', apiVersion = 'apps/v1', spec = '  selector: {matchLabels: {app: agent}}\n'): string {
  return `apiVersion: ${apiVersion}
kind: DaemonSet
metadata:
  name: agent
spec:
${spec}  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
        - name: agent
          image: agent:1
${extra}`;
}

describe('DaemonSet manifests', () => {
  it('a plain DaemonSet validates clean with Kubernetes defaults', () => {
    const { resources, problems } = validate({ 'f.yaml': ds() });
    expect(problems).toEqual([]);
    const spec = (resources[0]!.object as DaemonSet).spec;
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.minReadySeconds).toBe(0);
  });

  it('placement fields are kept for a DaemonSet, not reported as ignored', () => {
    const text = ds(`      nodeSelector: {kubernetes.io/os: linux}
      tolerations:
        - {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}
        - {operator: Exists}
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
              - matchExpressions:
                  - {key: kubernetes.io/arch, operator: In, values: [amd64, arm64]}
                  - {key: cores, operator: Gt, values: ["2"]}
              - matchFields:
                  - {key: metadata.name, operator: In, values: [box]}
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 10
              preference: {matchExpressions: [{key: disk, operator: Exists}]}
`);
    const { resources, problems } = validate({ 'f.yaml': text });
    expect(problems).toEqual([]);
    const pod = (resources[0]!.object as DaemonSet).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.tolerations).toHaveLength(2);
    expect(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toHaveLength(2);
  });

  it('empty placement fields are unset (Helm output), so they hash as left out', () => {
    const { resources, problems } = validate({ 'f.yaml': ds('      nodeSelector: {}\n      tolerations: []\n      affinity:\n') });
    expect(problems).toEqual([]);
    expect(Object.keys((resources[0]!.object as DaemonSet).spec.template.spec).sort()).toEqual(['containers', 'dnsPolicy', 'restartPolicy', 'terminationGracePeriodSeconds']);
  });

  it('a Deployment still gets the warning (its pods always run on this host)', () => {
    const text = yaml`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            nodeSelector: {disk: ssd}
            containers: [{name: web, image: web:1}]
    `;
    expect(findings({ 'f.yaml': text }).map((f) => [f.code, f.path])).toEqual([['unimplemented-field', 'spec.template.spec.nodeSelector']]);
  });

  it.each([
    { name: 'toleration operator', extra: '      tolerations: [{key: a, operator: Maybe}]\n', want: [['invalid-value', 'spec.template.spec.tolerations[0].operator']] },
    { name: 'toleration Exists with a value', extra: '      tolerations: [{key: a, operator: Exists, value: b}]\n', want: [['invalid-value', 'spec.template.spec.tolerations[0].value']] },
    { name: 'toleration without key needs Exists', extra: '      tolerations: [{value: b}]\n', want: [['invalid-value', 'spec.template.spec.tolerations[0].operator']] },
    { name: 'tolerationSeconds needs NoExecute', extra: '      tolerations: [{key: a, operator: Exists, effect: NoSchedule, tolerationSeconds: 5}]\n', want: [['invalid-value', 'spec.template.spec.tolerations[0].tolerationSeconds']] },
    { name: 'toleration typo', extra: '      tolerations: [{key: a, operater: Exists}]\n', want: [['unknown-field', 'spec.template.spec.tolerations[0].operater']] },
    { name: 'nodeSelector value not a label value', extra: '      nodeSelector: {disk: "s s d"}\n', want: [['invalid-label', 'spec.template.spec.nodeSelector.disk']] },
    {
      name: 'In without values',
      extra: '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: In}]}]}}}\n',
      want: [['invalid-value', 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values']],
    },
    {
      name: 'Gt with a word',
      extra: '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: a, operator: Gt, values: [many]}]}]}}}\n',
      want: [['invalid-value', 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values']],
    },
    {
      name: 'matchFields on a label',
      extra: '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchFields: [{key: disk, operator: In, values: [x]}]}]}}}\n',
      want: [['invalid-value', 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key']],
    },
    {
      name: 'empty nodeSelectorTerms',
      extra: '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}}\n',
      want: [['missing-field', 'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms']],
    },
    {
      name: 'pod anti-affinity is ignored with a warning',
      extra: '      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: []}}\n',
      want: [['unimplemented-field', 'spec.template.spec.affinity.podAntiAffinity']],
    },
  ])('refuses what the API server refuses: $name', ({ extra, want }) => {
    expect(findings({ 'f.yaml': ds(extra) }).map((f) => [f.code, f.path])).toEqual(want);
  });

  it.each([
    { name: 'both fenceposts 0', spec: '  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n', code: 'invalid-strategy' },
    { name: 'rollingUpdate with OnDelete', spec: '  updateStrategy: {type: OnDelete, rollingUpdate: {maxUnavailable: 1}}\n', code: 'invalid-strategy' },
    { name: 'Recreate is a Deployment strategy', spec: '  updateStrategy: {type: Recreate}\n', code: 'invalid-value' },
  ])('update strategy: $name', ({ spec, code }) => {
    expect(findings({ 'f.yaml': ds('', 'apps/v1', `  selector: {matchLabels: {app: agent}}\n${spec}`) }).map((f) => f.code)).toEqual([code]);
  });

  it('the selector must match the template labels', () => {
    expect(findings({ 'f.yaml': ds('', 'apps/v1', '  selector: {matchLabels: {app: other}}\n') }).map((f) => f.code)).toEqual(['selector-mismatch']);
  });

  it('extensions/v1beta1: deprecated, selector from the template, OnDelete, templateGeneration dropped', () => {
    const { resources, problems } = validate({ 'f.yaml': ds('', 'extensions/v1beta1', '  templateGeneration: 3\n') });
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['deprecated-api-version', 'apiVersion'],
      ['legacy-field-dropped', 'spec.templateGeneration'],
    ]);
    const o = resources[0]!.object as DaemonSet;
    expect(o.apiVersion).toBe('apps/v1');
    expect(o.spec.selector).toEqual({ matchLabels: { app: 'agent' } });
    expect(o.spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(o.metadata.labels).toEqual({ app: 'agent' });
  });

  it('apps/v1beta2: deprecated, apps/v1 defaults, the selector was already required', () => {
    const { resources, problems } = validate({ 'f.yaml': ds('', 'apps/v1beta2') });
    expect(problems.map((p) => p.code)).toEqual(['deprecated-api-version']);
    expect((resources[0]!.object as DaemonSet).spec.updateStrategy.type).toBe('RollingUpdate');
    expect(findings({ 'f.yaml': ds('', 'apps/v1beta2', '') }).map((f) => [f.code, f.path])).toEqual([
      ['deprecated-api-version', 'apiVersion'],
      ['missing-field', 'spec.selector'],
    ]);
  });
});

describe('DaemonSets shaped like the ones real repositories hold', () => {
  const policy = { skipUnsupported: false, hostPolicy: { allowPrivileged: false, allowHostNetwork: false, hostPathPrefixes: ['/var/log', '/var/lib/docker/containers'] } };
  it.each([
    {
      name: 'a log shipper: control-plane tolerations, hostPath logs, resources',
      text: yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: fluentd-elasticsearch
          namespace: kube-system
          labels: {k8s-app: fluentd-logging}
        spec:
          selector:
            matchLabels: {name: fluentd-elasticsearch}
          template:
            metadata:
              labels: {name: fluentd-elasticsearch}
            spec:
              tolerations:
              - key: node-role.kubernetes.io/control-plane
                operator: Exists
                effect: NoSchedule
              - key: node-role.kubernetes.io/master
                operator: Exists
                effect: NoSchedule
              containers:
              - name: fluentd-elasticsearch
                image: quay.io/fluentd_elasticsearch/fluentd:v2.5.2
                resources:
                  limits: {memory: 200Mi}
                  requests: {cpu: 100m, memory: 200Mi}
                volumeMounts:
                - {name: varlog, mountPath: /var/log}
                - {name: varlibdockercontainers, mountPath: /var/lib/docker/containers, readOnly: true}
              terminationGracePeriodSeconds: 30
              volumes:
              - name: varlog
                hostPath: {path: /var/log}
              - name: varlibdockercontainers
                hostPath: {path: /var/lib/docker/containers}
      `,
      // kube-system is not declared in the revision: berth creates it (a warning).
      warnings: ['undeclared-namespace'],
    },
    {
      name: 'a node exporter: linux nodes only by affinity, surge updates, an empty nodeSelector',
      text: yaml`
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: node-exporter
          labels: {app.kubernetes.io/name: node-exporter}
        spec:
          selector: {matchLabels: {app.kubernetes.io/name: node-exporter}}
          updateStrategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
          template:
            metadata:
              labels: {app.kubernetes.io/name: node-exporter}
            spec:
              nodeSelector:
              affinity:
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms:
                    - matchExpressions:
                      - {key: kubernetes.io/os, operator: In, values: [linux]}
                      - {key: eks.amazonaws.com/compute-type, operator: NotIn, values: [fargate]}
              tolerations:
              - operator: Exists
              containers:
              - name: node-exporter
                image: quay.io/prometheus/node-exporter:v1.8.2
                args: [--path.rootfs=/host]
                ports: [{name: metrics, containerPort: 9100}]
                readinessProbe: {httpGet: {path: /, port: metrics}}
      `,
      warnings: [],
    },
    {
      name: 'Kubernetes in Action ssd-monitor: extensions/v1beta1 with a nodeSelector',
      text: yaml`
        apiVersion: extensions/v1beta1
        kind: DaemonSet
        metadata:
          name: ssd-monitor
        spec:
          template:
            metadata:
              labels:
                app: ssd-monitor
            spec:
              nodeSelector:
                disk: ssd
              containers:
              - name: main
                image: luksa/ssd-monitor
      `,
      warnings: ['deprecated-api-version'],
    },
  ])('$name', ({ text, warnings }) => {
    const { problems, resources } = validate({ 'f.yaml': text }, policy);
    expect(problems.map((p) => p.code)).toEqual(warnings);
    expect(resources.map((r) => r.object.kind)).toEqual(['DaemonSet']);
  });
});
