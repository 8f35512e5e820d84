import { describe, expect, it } from 'vitest';
import type { ValidateOptions } from '../../src/manifests/index.js';
import type { Finding } from './support.js';
import { at, findings, pod, yaml } from './support.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';

type Case = { name: string; spec: string; options?: ValidateOptions; want: Finding[] };

function run(cases: Case[]): void {
  it.each(cases)('$name', ({ spec, options, want }) => {
    expect(findings({ 'f.yaml': pod(spec) }, options)).toEqual(want);
  });
}

describe('containers', () => {
  run([
    {
      name: 'container names are unique across init and app containers',
      spec: yaml`
        initContainers:
          - name: setup
            image: busybox:1.36
        containers:
          - name: setup
            image: busybox:1.36
      `,
      want: [at(10, 13, 'duplicate-container-name', 'spec.containers[0].name')],
    },
    {
      name: 'container names are DNS-1123 labels',
      spec: 'containers:\n  - name: Web\n    image: nginx:1.25\n',
      want: [at(7, 13, 'invalid-name', 'spec.containers[0].name')],
    },
    {
      name: 'image references',
      spec: yaml`
        containers:
          - {name: a, image: "Nginx:1.25"}
          - {name: b, image: " nginx"}
          - {name: c, image: "registry.example.com:5000/team/app:1.0"}
          - {name: d, image: "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}
          - {name: e, image: "localhost/app"}
          - {name: f, image: "nginx:bad tag"}
      `,
      want: [
        // Kubernetes never parses the reference: the pod fails to pull it, the revision applies.
        at(7, 24, 'unresolvable-image', 'spec.containers[0].image', 'warning'),
        // Kubernetes refuses whitespace around a Pod's image.
        at(8, 24, 'invalid-image', 'spec.containers[1].image'),
        // A valid reference, but its registry is berth's own host (host policy, --allow-registry).
        at(11, 24, 'policy-registry', 'spec.containers[4].image'),
        at(12, 24, 'unresolvable-image', 'spec.containers[5].image', 'warning'),
      ],
    },
    {
      name: 'port numbers, names and host IPs',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            ports:
              - containerPort: 0
              - containerPort: 8080
                hostPort: 70000
                hostIP: 10.0.0
              - containerPort: 8081
                name: HTTP
              - containerPort: 8082
                name: metrics
          - name: b
            image: nginx:1.25
            ports:
              - containerPort: 9090
                name: metrics
      `,
      want: [
        at(10, 26, 'invalid-port', 'spec.containers[0].ports[0].containerPort'),
        at(12, 21, 'invalid-port', 'spec.containers[0].ports[1].hostPort'),
        at(13, 19, 'invalid-ip', 'spec.containers[0].ports[1].hostIP'),
        at(15, 17, 'invalid-port-name', 'spec.containers[0].ports[2].name'),
        // Kubernetes accepts a port name in two containers of a pod (not twice in one).
        at(22, 17, 'shared-port-name', 'spec.containers[1].ports[0].name', 'warning'),
      ],
      options: { hostPolicy: { ...DEFAULT_HOST_POLICY, allowHostPorts: true } },
    },
  ]);
});

describe('environment', () => {
  run([
    {
      name: 'env names, value with valueFrom, valueFrom sources',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            env:
              - name: "A=B"
                value: x
              - name: BOTH
                value: x
                valueFrom:
                  fieldRef: {fieldPath: metadata.name}
              - name: NONE
                valueFrom: {}
              - name: TWO
                valueFrom:
                  fieldRef: {fieldPath: metadata.name}
                  configMapKeyRef: {name: cm, key: k, optional: true}
      `,
      want: [
        at(10, 17, 'invalid-env', 'spec.containers[0].env[0].name'),
        at(14, 11, 'invalid-env', 'spec.containers[0].env[1].valueFrom'),
        at(17, 11, 'invalid-env', 'spec.containers[0].env[2].valueFrom'),
        at(19, 11, 'invalid-env', 'spec.containers[0].env[3].valueFrom'),
      ],
    },
    {
      name: 'fieldRef paths berth provides',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            env:
              - name: NODE
                valueFrom:
                  fieldRef: {fieldPath: status.phase}
              - name: NS
                valueFrom:
                  fieldRef: {fieldPath: metadata.namespace, apiVersion: v2}
              - name: IP
                valueFrom:
                  fieldRef: {fieldPath: status.podIP}
      `,
      want: [
        at(12, 35, 'unsupported-field-ref', 'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath'),
        at(15, 67, 'invalid-value', 'spec.containers[0].env[1].valueFrom.fieldRef.apiVersion'),
      ],
    },
    {
      name: 'envFrom entries',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            envFrom:
              - prefix: "X="
                configMapRef: {name: cm, optional: true}
              - configMapRef: {name: cm, optional: true}
                secretRef: {name: s, optional: true}
      `,
      want: [at(10, 19, 'invalid-env', 'spec.containers[0].envFrom[0].prefix'), at(12, 11, 'invalid-env', 'spec.containers[0].envFrom[1]')],
    },
  ]);
});

describe('resources', () => {
  run([
    {
      name: 'quantities, resource names and requests within limits',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            resources:
              requests:
                cpu: "2"
                memory: 12 GB
                gpu: 1
                nvidia.com/gpu: 1
              limits:
                cpu: 500m
                memory: -1Gi
                ephemeral-storage: 1Gi
      `,
      want: [
        at(11, 16, 'request-exceeds-limit', 'spec.containers[0].resources.requests.cpu'),
        at(12, 19, 'invalid-quantity', 'spec.containers[0].resources.requests.memory'),
        at(13, 11, 'invalid-resource-name', 'spec.containers[0].resources.requests.gpu'),
        at(14, 11, 'unimplemented-resource', 'spec.containers[0].resources.requests["nvidia.com/gpu"]', 'warning'),
        at(17, 19, 'invalid-quantity', 'spec.containers[0].resources.limits.memory'),
        at(18, 11, 'unimplemented-resource', 'spec.containers[0].resources.limits.ephemeral-storage', 'warning'),
      ],
    },
    {
      name: 'every quantity form Kubernetes accepts',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            resources:
              requests: {cpu: 0.5, memory: 1e9}
              limits: {cpu: 1500m, memory: 1.5Gi}
      `,
      want: [],
    },
  ]);
});

describe('volumes and mounts', () => {
  run([
    {
      name: 'volume names, sources and mounts',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            volumeMounts:
              - {name: cache, mountPath: /cache}
              - {name: cache, mountPath: /cache/}
              - {name: missing, mountPath: relative/path}
              - {name: cache, mountPath: /sub, subPath: ../escape}
        volumes:
          - name: cache
            emptyDir: {sizeLimit: 1 gig}
          - name: cache
            emptyDir: {}
          - name: both
            emptyDir: {}
            hostPath: {path: /srv}
          - name: rel
            hostPath: {path: srv/data}
      `,
      options: { hostPolicy: { allowPrivileged: false, allowHostNetwork: false, hostPathPrefixes: ['/srv'] } },
      want: [
        at(11, 36, 'invalid-mount-path', 'spec.containers[0].volumeMounts[1].mountPath'),
        at(12, 18, 'undefined-volume', 'spec.containers[0].volumeMounts[2].name'),
        at(12, 38, 'invalid-mount-path', 'spec.containers[0].volumeMounts[2].mountPath'),
        at(13, 51, 'invalid-mount-path', 'spec.containers[0].volumeMounts[3].subPath'),
        at(16, 29, 'invalid-quantity', 'spec.volumes[0].emptyDir.sizeLimit'),
        at(17, 13, 'duplicate-volume-name', 'spec.volumes[1].name'),
        at(19, 7, 'invalid-volume', 'spec.volumes[2]'),
        at(23, 24, 'invalid-path', 'spec.volumes[3].hostPath.path'),
      ],
    },
    // Issue 11 review, finding 5: subPathExpr was ignored with a warning, which mounted the
    // whole volume. It is implemented: checked here like subPath, expanded when created.
    {
      name: 'subPathExpr: relative, one of subPath and subPathExpr, and only names the env defines',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            env:
              - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            volumeMounts:
              - {name: v, mountPath: /ok, subPathExpr: logs/$(POD_NAME)}
              - {name: v, mountPath: /up, subPathExpr: ../$(POD_NAME)}
              - {name: v, mountPath: /abs, subPathExpr: /$(POD_NAME)}
              - {name: v, mountPath: /both, subPath: x, subPathExpr: $(POD_NAME)}
              - {name: v, mountPath: /undef, subPathExpr: $(NODE)/$(POD_NAME)}
              - {name: v, mountPath: /dollar, subPathExpr: $$x}
          - name: b
            image: nginx:1.25
            envFrom: [{configMapRef: {name: settings}}]
            volumeMounts:
              - {name: v, mountPath: /from, subPathExpr: $(FROM_CONFIGMAP)}
        volumes:
          - {name: v, emptyDir: {}}
      `,
      want: [
        at(13, 50, 'invalid-mount-path', 'spec.containers[0].volumeMounts[1].subPathExpr'),
        at(14, 51, 'invalid-mount-path', 'spec.containers[0].volumeMounts[2].subPathExpr'),
        at(15, 64, 'invalid-value', 'spec.containers[0].volumeMounts[3].subPathExpr'),
        at(16, 53, 'invalid-value', 'spec.containers[0].volumeMounts[4].subPathExpr'),
        at(20, 39, 'missing-reference', 'spec.containers[1].envFrom[0].configMapRef.name'),
      ],
    },
    {
      name: 'configMap items',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
        volumes:
          - name: cfg
            configMap:
              name: cm
              optional: true
              items:
                - {key: "bad key", path: a}
                - {key: ok, path: ../outside}
                - {key: ok2, path: /abs}
      `,
      // An item's key syntax is not checked (Kubernetes does not): no ConfigMap can have it, so
      // it is a missing key, and this volume is optional.
      want: [
        at(16, 29, 'invalid-path', 'spec.volumes[0].configMap.items[1].path'),
        at(17, 30, 'invalid-path', 'spec.volumes[0].configMap.items[2].path'),
      ],
    },
    {
      // Kubernetes' ValidateLocalNonReservedPath (the path is the file written; the key only picks a value).
      name: 'configMap and secret items: reserved names and chdir keys',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
        volumes:
          - name: cfg
            configMap:
              name: cm
              optional: true
              items:
                - {key: a, path: ..data}
                - {key: b, path: ..x/y}
                - {key: c, path: .ok/a..b}
                - {key: "..", path: d}
          - name: sec
            secret:
              secretName: s
              optional: true
              items:
                - {key: e, path: a/../../b}
                - {key: ..data, path: f}
      `,
      want: [
        at(15, 28, 'invalid-path', 'spec.volumes[0].configMap.items[0].path'),
        at(16, 28, 'invalid-path', 'spec.volumes[0].configMap.items[1].path'),
        at(24, 28, 'invalid-path', 'spec.volumes[1].secret.items[0].path'),
      ],
    },
  ]);
});

describe('probes and lifecycle', () => {
  run([
    {
      name: 'handlers, ports and thresholds',
      spec: yaml`
        initContainers:
          - name: init
            image: busybox:1.36
            readinessProbe:
              exec: {command: ["true"]}
            lifecycle:
              preStop: {sleep: {seconds: 1}}
        containers:
          - name: a
            image: nginx:1.25
            ports:
              - {name: http, containerPort: 8080}
            livenessProbe:
              httpGet: {path: /, port: htp}
              successThreshold: 2
            readinessProbe:
              tcpSocket: {port: 0}
              exec: {command: ["true"]}
            startupProbe:
              periodSeconds: 5
            lifecycle:
              preStop: {}
              postStart:
                httpGet: {port: http}
          - name: b
            image: nginx:1.25
            readinessProbe:
              grpc: {port: 9000}
            livenessProbe:
              tcpSocket: {port: "8080"}
      `,
      want: [
        at(9, 7, 'invalid-probe', 'spec.initContainers[0].readinessProbe'),
        at(11, 7, 'invalid-value', 'spec.initContainers[0].lifecycle'),
        // Kubernetes accepts a probe port no container names: the probe fails at run time.
        at(19, 34, 'unknown-port-name', 'spec.containers[0].livenessProbe.httpGet.port', 'warning'),
        at(20, 27, 'invalid-value', 'spec.containers[0].livenessProbe.successThreshold'),
        at(21, 7, 'invalid-probe', 'spec.containers[0].readinessProbe'),
        at(22, 27, 'invalid-port', 'spec.containers[0].readinessProbe.tcpSocket.port'),
        at(24, 7, 'invalid-probe', 'spec.containers[0].startupProbe'),
        at(27, 9, 'invalid-probe', 'spec.containers[0].lifecycle.preStop'),
        // grpc is a handler like the others (issue 14): container b's readinessProbe is valid.
        at(35, 27, 'invalid-port-name', 'spec.containers[1].livenessProbe.tcpSocket.port'),
      ],
    },
  ]);
});

describe('pod settings and host policy', () => {
  const ALLOW_ALL = { allowPrivileged: true, allowHostNetwork: true, hostPathPrefixes: ['/srv/data'] };
  const privileged = yaml`
    hostNetwork: true
    containers:
      - name: a
        image: nginx:1.25
        securityContext: {privileged: true}
    volumes:
      - name: sock
        hostPath: {path: /var/run/docker.sock}
      - name: data
        hostPath: {path: /srv/data/app}
  `;
  run([
    {
      name: 'privileged, host network and hostPath need the host policy',
      spec: privileged,
      want: [
        at(6, 16, 'policy-host-network', 'spec.hostNetwork'),
        at(10, 37, 'policy-privileged', 'spec.containers[0].securityContext.privileged'),
        at(13, 24, 'policy-host-path', 'spec.volumes[0].hostPath.path'),
        at(15, 24, 'policy-host-path', 'spec.volumes[1].hostPath.path'),
      ],
    },
    {
      name: 'a host policy that allows them',
      spec: privileged,
      options: { hostPolicy: { ...ALLOW_ALL, hostPathPrefixes: ['/srv/data', '/var/run'] } },
      want: [],
    },
    {
      name: 'prefixes match whole path components',
      spec: privileged,
      options: { hostPolicy: { ...ALLOW_ALL, hostPathPrefixes: ['/srv/dat', '/var/run/docker.sock'] } },
      want: [at(15, 24, 'policy-host-path', 'spec.volumes[1].hostPath.path')],
    },
    {
      name: 'privileged cannot forbid privilege escalation',
      spec: 'containers:\n  - name: a\n    image: nginx:1.25\n    securityContext: {privileged: true, allowPrivilegeEscalation: false}\n',
      options: { hostPolicy: ALLOW_ALL },
      want: [at(9, 69, 'invalid-value', 'spec.containers[0].securityContext.allowPrivilegeEscalation')],
    },
    {
      name: 'hostname, hostAliases and dnsPolicy',
      spec: yaml`
        hostname: My_Host
        dnsPolicy: None
        hostAliases:
          - ip: 10.0.0.300
            hostnames: [db.local]
          - ip: "fd00::1"
            hostnames: [cache.local]
        containers:
          - name: a
            image: nginx:1.25
      `,
      want: [at(6, 13, 'invalid-name', 'spec.hostname'), at(7, 14, 'invalid-value', 'spec.dnsPolicy'), at(9, 11, 'invalid-ip', 'spec.hostAliases[0].ip')],
    },
  ]);
});
