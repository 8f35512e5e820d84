import { describe, expect, it } from 'vitest';
import { findings, validate, yaml } from './support.js';

describe('resources', () => {
  it('come in file then document order, keyed, with their source and default namespace', () => {
    const { resources, problems } = validate({
      'b.yaml': yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: second
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
      `,
      'a.yaml': yaml`
        # leading comment
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: first, namespace: shop}
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: "Invalid"}
      `,
    });
    expect(problems.map((p) => [p.file, p.line, p.code])).toEqual([['a.yaml', 10, 'invalid-name']]);
    expect(resources.map((r) => ({ key: r.key, source: r.source }))).toEqual([
      { key: 'ConfigMap/default/second', source: { file: 'b.yaml', line: 1, column: 1 } },
      { key: 'Namespace//shop', source: { file: 'b.yaml', line: 6, column: 1 } },
      { key: 'ConfigMap/shop/first', source: { file: 'a.yaml', line: 5, column: 5 } },
    ]);
  });

  it('a manifest using every field berth implements validates clean and keeps every field', () => {
    const text = yaml`
      apiVersion: v1
      kind: Pod
      metadata:
        name: full
        namespace: default
        labels: {app: full}
        annotations: {note: everything}
      spec:
        restartPolicy: OnFailure
        terminationGracePeriodSeconds: 5
        activeDeadlineSeconds: 600
        hostname: full
        subdomain: internal
        hostNetwork: false
        dnsPolicy: Default
        shareProcessNamespace: true
        securityContext:
          runAsUser: 1000
          runAsGroup: 1000
          runAsNonRoot: true
          fsGroup: 2000
          supplementalGroups: [3000]
          sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65000"}]
          seccompProfile: {type: RuntimeDefault}
          appArmorProfile: {type: RuntimeDefault}
        hostAliases:
          - ip: 10.0.0.5
            hostnames: [db.local]
        initContainers:
          - name: init
            image: busybox:1.36
            command: [sh, -c, "true"]
        containers:
          - name: app
            image: registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            command: [/app]
            args: [--serve]
            workingDir: /srv
            stdin: true
            tty: true
            imagePullPolicy: Always
            env:
              - {name: PLAIN, value: x}
              - name: FROM_CM
                valueFrom: {configMapKeyRef: {name: cm, key: k, optional: true}}
              - name: FROM_SECRET
                valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}
              - name: NAME
                valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
            envFrom:
              - {prefix: CM_, configMapRef: {name: cm, optional: true}}
              - secretRef: {name: s, optional: true}
            ports:
              - {name: http, containerPort: 8080, protocol: TCP, hostPort: 18080, hostIP: 127.0.0.1}
            resources:
              requests: {cpu: 100m, memory: 64Mi}
              limits: {cpu: "1", memory: 128Mi}
            volumeMounts:
              - {name: scratch, mountPath: /tmp/scratch, readOnly: false, subPath: sub}
              - {name: data, mountPath: /data}
              - {name: cfg, mountPath: /etc/cfg}
              - {name: sec, mountPath: /etc/sec}
              - {name: host, mountPath: /host}
            livenessProbe:
              httpGet:
                path: /healthz
                port: http
                host: 127.0.0.1
                scheme: HTTP
                httpHeaders: [{name: X-Probe, value: "1"}]
              initialDelaySeconds: 1
              periodSeconds: 2
              timeoutSeconds: 3
              successThreshold: 1
              failureThreshold: 4
              terminationGracePeriodSeconds: 5
            readinessProbe:
              tcpSocket: {port: 8080, host: 127.0.0.1}
              successThreshold: 2
            startupProbe:
              exec: {command: ["true"]}
            lifecycle:
              preStop: {sleep: {seconds: 2}}
              postStart: {exec: {command: ["true"]}}
            securityContext:
              runAsUser: 1000
              runAsGroup: 1000
              runAsNonRoot: true
              readOnlyRootFilesystem: true
              privileged: false
              allowPrivilegeEscalation: false
              capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}
              procMount: Default
              seccompProfile: {type: RuntimeDefault}
        volumes:
          - name: scratch
            emptyDir: {medium: Memory, sizeLimit: 64Mi}
          - name: data
            persistentVolumeClaim: {claimName: data, readOnly: false}
          - name: cfg
            configMap: {name: cm, items: [{key: k, path: k.txt, mode: 0400}], defaultMode: 0644, optional: true}
          - name: sec
            secret: {secretName: s, defaultMode: 0400, optional: true}
          - name: host
            hostPath: {path: /srv/host, type: Directory}
      ---
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: local
        volumeMode: Filesystem
        resources: {requests: {storage: 1Gi}, limits: {storage: 2Gi}}
    `;
    const { resources, problems } = validate({ 'f.yaml': text }, { hostPolicy: { allowPrivileged: false, allowHostNetwork: false, hostPathPrefixes: ['/srv'], allowHostPorts: true, allowedProbeHosts: ['127.0.0.1'] } });
    expect(problems).toEqual([]);
    expect(resources[0]!.object).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'full', namespace: 'default', labels: { app: 'full' }, annotations: { note: 'everything' } },
      spec: {
        restartPolicy: 'OnFailure',
        terminationGracePeriodSeconds: 5,
        activeDeadlineSeconds: 600,
        hostname: 'full',
        subdomain: 'internal',
        hostNetwork: false,
        dnsPolicy: 'Default',
        shareProcessNamespace: true,
        securityContext: {
          runAsUser: 1000,
          runAsGroup: 1000,
          runAsNonRoot: true,
          fsGroup: 2000,
          supplementalGroups: [3000],
          sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }],
          seccompProfile: { type: 'RuntimeDefault' },
          appArmorProfile: { type: 'RuntimeDefault' },
        },
        hostAliases: [{ ip: '10.0.0.5', hostnames: ['db.local'] }],
        initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'true'], imagePullPolicy: 'IfNotPresent' }],
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
            command: ['/app'],
            args: ['--serve'],
            workingDir: '/srv',
            stdin: true,
            tty: true,
            imagePullPolicy: 'Always',
            env: [
              { name: 'PLAIN', value: 'x' },
              { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', optional: true } } },
              { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k', optional: true } } },
              { name: 'NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            ],
            envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cm', optional: true } }, { secretRef: { name: 's', optional: true } }],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP', hostPort: 18080, hostIP: '127.0.0.1' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
            volumeMounts: [
              { name: 'scratch', mountPath: '/tmp/scratch', readOnly: false, subPath: 'sub' },
              { name: 'data', mountPath: '/data' },
              { name: 'cfg', mountPath: '/etc/cfg' },
              { name: 'sec', mountPath: '/etc/sec' },
              { name: 'host', mountPath: '/host' },
            ],
            livenessProbe: {
              httpGet: { path: '/healthz', port: 'http', host: '127.0.0.1', scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: '1' }] },
              initialDelaySeconds: 1,
              periodSeconds: 2,
              timeoutSeconds: 3,
              successThreshold: 1,
              failureThreshold: 4,
              terminationGracePeriodSeconds: 5,
            },
            readinessProbe: { tcpSocket: { port: 8080, host: '127.0.0.1' }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 3 },
            startupProbe: { exec: { command: ['true'] }, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
            lifecycle: { preStop: { sleep: { seconds: 2 } }, postStart: { exec: { command: ['true'] } } },
            securityContext: {
              runAsUser: 1000,
              runAsGroup: 1000,
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              privileged: false,
              allowPrivilegeEscalation: false,
              capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
              procMount: 'Default',
              seccompProfile: { type: 'RuntimeDefault' },
            },
          },
        ],
        volumes: [
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'data', readOnly: false } },
          { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'k', path: 'k.txt', mode: 0o400 }], defaultMode: 0o644, optional: true } },
          { name: 'sec', secret: { secretName: 's', defaultMode: 0o400, optional: true } },
          { name: 'host', hostPath: { path: '/srv/host', type: 'Directory' } },
        ],
      },
    });
  });

  it.each([
    {
      kind: 'Deployment',
      text: yaml`
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d}
        spec:
          replicas: 2
          selector: {matchLabels: {app: d}}
          strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
          minReadySeconds: 5
          revisionHistoryLimit: 3
          progressDeadlineSeconds: 120
          paused: true
          template:
            metadata: {name: ignored, labels: {app: d}, annotations: {a: b}}
            spec: {containers: [{name: c, image: "busybox:1.36"}]}
      `,
    },
    {
      kind: 'ReplicaSet and ReplicationController',
      text: yaml`
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: rs}
        spec:
          replicas: 1
          minReadySeconds: 1
          selector: {matchExpressions: [{key: app, operator: In, values: [rs]}]}
          template:
            metadata: {labels: {app: rs}}
            spec: {containers: [{name: c, image: "busybox:1.36"}]}
        ---
        apiVersion: v1
        kind: ReplicationController
        metadata: {name: rc}
        spec:
          replicas: 1
          minReadySeconds: 1
          selector: {app: rc}
          template:
            metadata: {labels: {app: rc}}
            spec: {containers: [{name: c, image: "busybox:1.36"}]}
      `,
    },
    {
      kind: 'Job and CronJob',
      text: yaml`
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: cj}
        spec:
          schedule: "0 3 * * *"
          timeZone: Europe/Berlin
          concurrencyPolicy: Forbid
          suspend: false
          startingDeadlineSeconds: 60
          successfulJobsHistoryLimit: 1
          failedJobsHistoryLimit: 1
          jobTemplate:
            metadata: {labels: {job: cj}}
            spec:
              parallelism: 1
              completions: 1
              backoffLimit: 2
              activeDeadlineSeconds: 60
              ttlSecondsAfterFinished: 30
              selector: {matchLabels: {app: cj}}
              template:
                metadata: {labels: {app: cj}}
                spec: {restartPolicy: Never, containers: [{name: c, image: "busybox:1.36"}]}
      `,
    },
    {
      kind: 'Service',
      text: yaml`
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          type: LoadBalancer
          selector: {app: x}
          ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30001}]
          clusterIP: 10.96.0.10
          sessionAffinity: ClientIP
          sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
          publishNotReadyAddresses: true
          externalTrafficPolicy: Local
          loadBalancerIP: 192.0.2.10
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: x, labels: {app: x}}
        spec: {containers: [{name: c, image: "busybox:1.36"}]}
      `,
    },
    {
      kind: 'ConfigMap and Secret',
      text: yaml`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data: {a: "1"}
        binaryData: {b: aGk=}
        immutable: true
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        type: Opaque
        data: {a: aGk=}
        stringData: {b: text}
        immutable: false
      `,
    },
  ])('every implemented $kind field validates clean', ({ text }) => {
    expect(findings({ 'f.yaml': text })).toEqual([]);
  });
});
