import { describe, expect, it } from 'vitest';
import { findings, validate } from './support.js';

/**
 * `kubectl get -o yaml` writes the API server's defaults out. A field berth does not implement,
 * written at its Kubernetes default, asks for nothing the default does not: it is the same as
 * leaving it out, which draws no warning, so it draws none either (and is dropped the same).
 */
const deployment = (podSpec: string, container: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
${podSpec}      containers:
      - name: web
        image: nginx:1.25
${container}`;

const service = (extra: string) => `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: 10.96.12.34
  ports: [{port: 80}]
${extra}`;

describe('unimplemented fields at their Kubernetes default (kubectl exports)', () => {
  it.each([
    {
      name: 'container and pod defaults',
      text: deployment('      schedulerName: default-scheduler\n      enableServiceLinks: true\n      priority: 0\n      preemptionPolicy: PreemptLowerPriority\n', '        terminationMessagePath: /dev/termination-log\n        terminationMessagePolicy: File\n'),
      plain: deployment('', ''),
    },
    {
      name: 'Service defaults, clusterIPs the same as clusterIP',
      text: service('  clusterIPs: [10.96.12.34]\n  internalTrafficPolicy: Cluster\n  ipFamilies: [IPv4]\n  ipFamilyPolicy: SingleStack\n'),
      plain: service(''),
    },
  ])('$name: no warning, the same object as without them', ({ text, plain }) => {
    expect(findings({ 'f.yaml': text })).toEqual([]);
    expect(validate({ 'f.yaml': text }).resources.map((r) => r.object)).toEqual(validate({ 'f.yaml': plain }).resources.map((r) => r.object));
  });

  it.each([
    { name: 'a custom scheduler', text: deployment('      schedulerName: my-scheduler\n', ''), path: 'spec.template.spec.schedulerName' },
    { name: 'service links turned off', text: deployment('      enableServiceLinks: false\n', ''), path: 'spec.template.spec.enableServiceLinks' },
    { name: 'a termination message file of its own', text: deployment('', '        terminationMessagePath: /tmp/done\n'), path: 'spec.template.spec.containers[0].terminationMessagePath' },
    { name: 'a local traffic policy', text: service('  internalTrafficPolicy: Local\n'), path: 'spec.internalTrafficPolicy' },
    { name: 'dual stack', text: service('  clusterIPs: [10.96.12.34, "fd00::1"]\n'), path: 'spec.clusterIPs' },
  ])('$name still warns', ({ text, path }) => {
    expect(findings({ 'f.yaml': text }).map((f) => [f.code, f.path])).toEqual([['unimplemented-field', path]]);
  });
});
