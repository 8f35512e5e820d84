import { describe, expect, it } from 'vitest';
import type { Finding } from './support.js';
import { at, findings, pod, validate, yaml } from './support.js';

describe('schema', () => {
  it.each<{ name: string; text: string; want: Finding[] }>([
    {
      name: 'unknown top-level field, and the field it replaced is missing',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetdata:\n  name: c\n',
      want: [at(1, 1, 'missing-field', 'metadata'), at(3, 1, 'unknown-field', 'metdata')],
    },
    {
      name: 'unknown container field points at the key',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
            imagePolicy: Always
      `),
      want: [at(9, 7, 'unknown-field', 'spec.containers[0].imagePolicy')],
    },
    {
      name: 'unknown field inside an unknown object is reported once',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
        extras:
          deep: {a: 1}
      `),
      want: [at(9, 3, 'unknown-field', 'spec.extras')],
    },
    {
      name: 'unimplemented pod fields are warnings at the key',
      text: pod(yaml`
        affinity: {podAntiAffinity: {}}
        schedulerName: custom
        containers:
          - name: app
            image: nginx:1.25
            terminationMessagePath: /tmp/done
      `),
      want: [
        at(6, 3, 'unimplemented-field', 'spec.affinity', 'warning'),
        at(7, 3, 'unimplemented-field', 'spec.schedulerName', 'warning'),
        at(11, 7, 'unimplemented-field', 'spec.containers[0].terminationMessagePath', 'warning'),
      ],
    },
    {
      name: 'a volume source berth cannot run is refused, and only refused (never also "ignored")',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
        volumes:
          - name: share
            nfs: {server: nas, path: /export}
      `),
      want: [at(11, 7, 'unsupported-field', 'spec.volumes[0].nfs')],
    },
    {
      name: 'wrong types point at the value',
      text: pod(yaml`
        containers:
          - name: app
            image: nginx:1.25
            ports:
              - containerPort: "8080"
            tty: yes please
            env:
              - name: DEBUG
                value: on
      `),
      want: [
        at(10, 26, 'invalid-type', 'spec.containers[0].ports[0].containerPort'),
        at(11, 12, 'invalid-type', 'spec.containers[0].tty'),
        at(14, 18, 'invalid-type', 'spec.containers[0].env[0].value'),
      ],
    },
    {
      name: 'an empty required value points at its key',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name:\n  labels:\n',
      want: [at(4, 3, 'missing-field', 'metadata.name')],
    },
    {
      name: 'enumerations',
      text: pod(yaml`
        restartPolicy: always
        containers:
          - name: app
            image: nginx:1.25
            imagePullPolicy: IfNotPresnt
      `),
      want: [at(6, 18, 'invalid-value', 'spec.restartPolicy'), at(10, 24, 'invalid-value', 'spec.containers[0].imagePullPolicy')],
    },
    {
      name: 'missing required fields point at the object that lacks them',
      text: pod(yaml`
        containers:
          - name: app
          - image: nginx:1.25
      `),
      want: [at(7, 7, 'missing-field', 'spec.containers[0].image'), at(8, 7, 'missing-field', 'spec.containers[1].name')],
    },
    {
      name: 'an empty container list',
      text: pod('containers: []\n'),
      want: [at(6, 15, 'invalid-value', 'spec.containers')],
    },
    {
      name: 'ranges',
      text: yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: -1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: nginx:1.25
                  readinessProbe:
                    exec: {command: [true]}
                    periodSeconds: 0
      `,
      want: [at(6, 13, 'invalid-value', 'spec.replicas'), at(17, 30, 'invalid-type', 'spec.template.spec.containers[0].readinessProbe.exec.command[0]'), at(18, 28, 'invalid-value', 'spec.template.spec.containers[0].readinessProbe.periodSeconds')],
    },
    {
      name: 'fields an API server writes are accepted silently',
      text: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          creationTimestamp: null
          resourceVersion: "12345"
          uid: 7d3c2f0e-7c52-4d1b-9a0e-1a2b3c4d5e6f
          managedFields: []
        status: {}
      `,
      want: [],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it('strips ignored and unimplemented fields from the resource', () => {
    const text = yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
        creationTimestamp: null
      spec:
        nodeSelector: {disk: ssd}
        containers:
          - name: app
            image: nginx:1.25
            terminationMessagePolicy: File
      status: {phase: Running}
    `;
    const { resources } = validate({ 'f.yaml': text });
    expect(resources.map((r) => r.object)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default', labels: {}, annotations: {} },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
        },
      },
    ]);
  });
});
