import { describe, expect, it } from 'vitest';
import type { ValidateOptions } from '../../src/manifests/index.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { HostPolicy } from '../../src/model/policy.js';
import type { Finding } from './support.js';
import { at, findings, pod, validate, yaml } from './support.js';

type Case = { name: string; spec: string; policy?: Partial<HostPolicy>; want: Finding[] };

function run(cases: Case[]): void {
  it.each(cases)('$name', ({ spec, policy, want }) => {
    const options: ValidateOptions = { hostPolicy: { ...DEFAULT_HOST_POLICY, ...policy } };
    expect(findings({ 'f.yaml': pod(spec) }, options)).toEqual(want);
  });
}

/** Spec line n is file line 5 + n (see pod()). */
describe('host policy at validation: file:line of what widens a container', () => {
  const widening = yaml`
    hostPID: true
    securityContext:
      sysctls:
        - {name: net.core.somaxconn, value: "1024"}
    containers:
      - name: a
        image: nginx:1.25
        ports:
          - {containerPort: 80, hostPort: 8080}
        securityContext:
          capabilities: {add: [SYS_ADMIN, NET_BIND_SERVICE]}
          seccompProfile: {type: Unconfined}
        livenessProbe:
          httpGet: {port: 80, host: 169.254.169.254, path: /latest/meta-data/}
        lifecycle:
          preStop:
            tcpSocket: {port: 22, host: 127.0.0.1}
  `;
  run([
    {
      name: 'refused without host policy, each at its own line with its code',
      spec: widening,
      want: [
        at(6, 12, 'policy-host-namespace', 'spec.hostPID'),
        at(9, 16, 'policy-sysctl', 'spec.securityContext.sysctls[0].name'),
        at(14, 41, 'policy-host-port', 'spec.containers[0].ports[0].hostPort'),
        at(16, 30, 'policy-capability', 'spec.containers[0].securityContext.capabilities.add[0]'),
        at(17, 32, 'policy-unconfined', 'spec.containers[0].securityContext.seccompProfile.type'),
        at(19, 35, 'policy-probe-host', 'spec.containers[0].livenessProbe.httpGet.host'),
        at(22, 39, 'policy-probe-host', 'spec.containers[0].lifecycle.preStop.tcpSocket.host'),
      ],
    },
    {
      name: 'allowed by the flags that name each',
      spec: widening,
      policy: {
        allowHostNamespaces: true,
        allowedSysctls: ['net.core.*'],
        allowHostPorts: true,
        allowedCapabilities: ['SYS_ADMIN'],
        allowUnconfined: true,
        allowedProbeHosts: ['169.254.169.254', '127.0.0.1'],
      },
      want: [],
    },
    {
      name: 'an image from a loopback registry, at its line; local images and registries elsewhere validate clean',
      spec: yaml`
        containers:
          - name: a
            image: 127.0.0.1:32568/nothere:latest
            imagePullPolicy: Always
          - name: b
            image: berth-examples/web:1.0
          - name: c
            image: ghcr.io/org/app:1
      `,
      want: [at(8, 14, 'policy-registry', 'spec.containers[0].image')],
    },
    {
      name: 'an image from a loopback registry the operator allows',
      spec: yaml`
        containers:
          - name: a
            image: localhost:5000/app:1
      `,
      policy: { allowedRegistries: ['localhost:5000'] },
      want: [],
    },
    {
      name: 'an unknown capability in add or drop',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              capabilities: {add: [SYS_WIZARD], drop: [NET_RAW, cap_nope]}
      `,
      want: [
        at(10, 30, 'invalid-capability', 'spec.containers[0].securityContext.capabilities.add[0]'),
        at(10, 59, 'invalid-capability', 'spec.containers[0].securityContext.capabilities.drop[1]'),
      ],
    },
    {
      name: 'allowPrivilegeEscalation false cannot go with SYS_ADMIN (as Kubernetes)',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              allowPrivilegeEscalation: false
              capabilities: {add: [CAP_SYS_ADMIN]}
      `,
      policy: { allowedCapabilities: ['SYS_ADMIN'] },
      want: [at(10, 35, 'invalid-value', 'spec.containers[0].securityContext.allowPrivilegeEscalation')],
    },
  ]);
});

describe('uids and gids are limited to 0..2147483647, as Kubernetes limits them (Docker fails beyond)', () => {
  run([
    {
      name: 'every uid and gid field, pod and container, past the limit',
      spec: yaml`
        securityContext:
          runAsUser: 2147483648
          runAsGroup: 4294967296
          fsGroup: 4294967296
          supplementalGroups: [1, 2147483647, 2147483648]
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              runAsUser: 4294967296
              runAsGroup: 2147483648
      `,
      want: [
        at(7, 16, 'invalid-value', 'spec.securityContext.runAsUser'),
        at(8, 17, 'invalid-value', 'spec.securityContext.runAsGroup'),
        at(9, 14, 'invalid-value', 'spec.securityContext.fsGroup'),
        at(10, 41, 'invalid-value', 'spec.securityContext.supplementalGroups[2]'),
        at(15, 20, 'invalid-value', 'spec.containers[0].securityContext.runAsUser'),
        at(16, 21, 'invalid-value', 'spec.containers[0].securityContext.runAsGroup'),
      ],
    },
    {
      name: 'the largest allowed and 0 validate clean',
      spec: yaml`
        securityContext: {runAsUser: 0, runAsGroup: 2147483647, fsGroup: 2147483647, supplementalGroups: [0, 2147483647]}
        containers:
          - name: a
            image: nginx:1.25
            securityContext: {runAsUser: 2147483647, runAsGroup: 0}
      `,
      want: [],
    },
  ]);

  it('the message says the bound', () => {
    const { problems } = validate({ 'f.yaml': pod('containers:\n  - {name: a, image: nginx:1.25, securityContext: {runAsUser: 4294967296}}\n') });
    expect(problems.map((p) => p.message)).toEqual(['must be at most 2147483647, not 4294967296']);
  });
});

describe('restricting fields berth cannot apply are errors, never "not implemented" warnings', () => {
  run([
    {
      name: 'seLinuxOptions, windowsOptions, Localhost seccomp (container and pod)',
      spec: yaml`
        securityContext:
          seLinuxOptions: {level: "s0:c123,c456"}
          seccompProfile: {type: Localhost, localhostProfile: profiles/audit.json}
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              seLinuxOptions: {type: container_t}
              windowsOptions: {runAsUserName: ContainerUser}
      `,
      want: [
        at(7, 5, 'unsupported-security-field', 'spec.securityContext.seLinuxOptions'),
        at(8, 28, 'unsupported-security-field', 'spec.securityContext.seccompProfile.type'),
        at(13, 9, 'unsupported-security-field', 'spec.containers[0].securityContext.seLinuxOptions'),
        at(14, 9, 'unsupported-security-field', 'spec.containers[0].securityContext.windowsOptions'),
      ],
    },
    {
      name: 'hostUsers false, supplementalGroupsPolicy Strict, runtimeClassName, recursiveReadOnly Enabled',
      spec: yaml`
        hostUsers: false
        runtimeClassName: gvisor
        securityContext:
          supplementalGroupsPolicy: Strict
        volumes:
          - {name: v, emptyDir: {}}
        containers:
          - name: a
            image: nginx:1.25
            volumeMounts:
              - {name: v, mountPath: /v, readOnly: true, recursiveReadOnly: Enabled}
      `,
      want: [
        at(6, 14, 'unsupported-security-field', 'spec.hostUsers'),
        at(7, 3, 'unsupported-security-field', 'spec.runtimeClassName'),
        at(9, 31, 'unsupported-security-field', 'spec.securityContext.supplementalGroupsPolicy'),
        at(16, 71, 'unsupported-security-field', 'spec.containers[0].volumeMounts[0].recursiveReadOnly'),
      ],
    },
    {
      name: 'what berth applies validates clean: RuntimeDefault, Localhost AppArmor, procMount Default, Merge, hostUsers true',
      spec: yaml`
        hostUsers: true
        securityContext:
          seccompProfile: {type: RuntimeDefault}
          supplementalGroupsPolicy: Merge
          runAsNonRoot: true
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              appArmorProfile: {type: Localhost, localhostProfile: k8s-apparmor-example-deny-write}
              procMount: Default
              readOnlyRootFilesystem: true
              allowPrivilegeEscalation: false
              capabilities: {drop: [ALL]}
      `,
      want: [],
    },
    // Issue 11 review, finding 3: Helm charts emit `seLinuxOptions: {}`; Kubernetes reads an
    // empty or null field as unset, so it restricts nothing and berth need not refuse it.
    {
      name: 'empty or null restricting fields restrict nothing and validate clean',
      spec: yaml`
        hostUsers: null
        runtimeClassName: null
        securityContext:
          seLinuxOptions: {}
          windowsOptions: null
          seccompProfile: null
          supplementalGroupsPolicy: null
        volumes:
          - {name: v, emptyDir: {}}
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              seLinuxOptions: null
              windowsOptions: {hostProcess: false, runAsUserName: ""}
            volumeMounts:
              - {name: v, mountPath: /v, recursiveReadOnly: null}
          - name: b
            image: nginx:1.25
            securityContext:
              seLinuxOptions: {user: "", role: "", type: "", level: ""}
              windowsOptions: {}
      `,
      want: [],
    },
    {
      name: 'an option struct that sets one field is refused; an empty runtimeClassName is invalid, as in Kubernetes',
      spec: yaml`
        runtimeClassName: ""
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              seLinuxOptions: {user: "", level: "s0"}
              windowsOptions: {hostProcess: true}
      `,
      want: [
        at(6, 21, 'invalid-value', 'spec.runtimeClassName'),
        at(11, 9, 'unsupported-security-field', 'spec.containers[0].securityContext.seLinuxOptions'),
        at(12, 9, 'unsupported-security-field', 'spec.containers[0].securityContext.windowsOptions'),
      ],
    },
    {
      name: 'localhostProfile goes with type Localhost only',
      spec: yaml`
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              appArmorProfile: {type: Localhost}
              seccompProfile: {type: RuntimeDefault, localhostProfile: x.json}
      `,
      want: [
        at(10, 9, 'missing-field', 'spec.containers[0].securityContext.appArmorProfile'),
        at(11, 66, 'invalid-value', 'spec.containers[0].securityContext.seccompProfile.localhostProfile'),
      ],
    },
  ]);

  describe('legacy seccomp/AppArmor annotations are treated as the fields they stand for', () => {
    /** A Pod with these annotations (one per line from file line 5) and a spec with containers a and b. */
    const annotated = (annotations: string[], sc = '') =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n${annotations.map((a) => `    ${a}\n`).join('')}spec:\n  containers:\n    - {name: a, image: nginx:1.25${sc}}\n    - {name: b, image: nginx:1.25}\n`;
    const check = (text: string, policy: Partial<HostPolicy> = {}) => findings({ 'f.yaml': text }, { hostPolicy: { ...DEFAULT_HOST_POLICY, ...policy } });

    it.each([
      {
        name: 'localhost seccomp (pod and container) is refused as the Localhost field is',
        annotations: ['seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/strict.json', 'container.seccomp.security.alpha.kubernetes.io/a: localhost/x.json'],
        want: [
          at(6, 47, 'unsupported-security-field', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]'),
          at(7, 55, 'unsupported-security-field', 'metadata.annotations["container.seccomp.security.alpha.kubernetes.io/a"]'),
        ],
      },
      {
        name: 'unconfined is the host policy\'s',
        annotations: ['container.apparmor.security.beta.kubernetes.io/a: unconfined', 'seccomp.security.alpha.kubernetes.io/pod: unconfined'],
        want: [
          at(6, 55, 'policy-unconfined', 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/a"]'),
          at(7, 47, 'policy-unconfined', 'metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]'),
        ],
      },
      { name: 'unconfined under --allow-unconfined', annotations: ['seccomp.security.alpha.kubernetes.io/pod: unconfined'], policy: { allowUnconfined: true }, want: [] },
      {
        name: 'what berth applies validates clean: runtime/default, docker/default, AppArmor localhost',
        annotations: ['seccomp.security.alpha.kubernetes.io/pod: runtime/default', 'container.seccomp.security.alpha.kubernetes.io/b: docker/default', 'container.apparmor.security.beta.kubernetes.io/a: localhost/my-profile'],
        want: [],
      },
      {
        name: 'a value that is no profile, and a container the pod does not have',
        annotations: ['container.apparmor.security.beta.kubernetes.io/a: localhost', 'container.apparmor.security.beta.kubernetes.io/web: runtime/default'],
        want: [
          at(6, 55, 'invalid-value', 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/a"]'),
          at(7, 5, 'invalid-value', 'metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"]'),
        ],
      },
    ])('$name', ({ annotations, policy, want }) => {
      expect(check(annotated(annotations), policy)).toEqual(want);
    });

    it('an annotation that disagrees with the field is refused (as Kubernetes refuses it)', () => {
      const text = annotated(['container.seccomp.security.alpha.kubernetes.io/a: localhost/x.json'], ', securityContext: {seccompProfile: {type: RuntimeDefault}}');
      expect(check(text).map((f) => f.code).sort()).toEqual(['invalid-value', 'unsupported-security-field']);
    });

    it('on a Deployment\'s pod template', () => {
      const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata:
      labels: {app: d}
      annotations:
        container.apparmor.security.beta.kubernetes.io/a: unconfined
        seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/strict.json
    spec:
      containers:
        - {name: a, image: nginx:1.25}
`;
      expect(check(text)).toEqual([
        at(10, 59, 'policy-unconfined', 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/a"]'),
        at(11, 51, 'unsupported-security-field', 'spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]'),
      ]);
    });
  });

  it('none of these fields is stripped as "not implemented" any more', () => {
    const { problems } = validate({
      'f.yaml': pod(yaml`
        hostPID: false
        hostIPC: false
        securityContext:
          appArmorProfile: {type: RuntimeDefault}
        containers:
          - name: a
            image: nginx:1.25
            securityContext:
              procMount: Default
              seccompProfile: {type: RuntimeDefault}
      `),
    });
    expect(problems.filter((p) => p.code === 'unimplemented-field')).toEqual([]);
  });
});

/**
 * A LoadBalancer publishes its own port on the host's addresses: below 1024, only the web's 80
 * and 443 without host policy (docs/security.md, "Published Service ports").
 */
describe('host policy at validation: LoadBalancer ports below 1024', () => {
  const service = (type: string, ports: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  type: ${type}\n  ports:\n${ports}`;
  it.each<{ name: string; type: string; ports: string; policy?: Partial<HostPolicy>; want: Finding[] }>([
    {
      name: 'ssh (22/TCP) and DNS (53/UDP) are refused, each at its port',
      type: 'LoadBalancer',
      ports: '    - {name: ssh, port: 22, targetPort: 2222}\n    - {name: dns, port: 53, protocol: UDP}\n',
      want: [at(8, 25, 'policy-service-port', 'spec.ports[0].port'), at(9, 25, 'policy-service-port', 'spec.ports[1].port')],
    },
    { name: '80 and 443 are the edge ports everyone expects', type: 'LoadBalancer', ports: '    - {name: http, port: 80}\n    - {name: https, port: 443}\n', want: [] },
    { name: '1024 and up need nothing', type: 'LoadBalancer', ports: '    - {port: 1024}\n', want: [] },
    { name: 'allowed with --allow-host-ports', type: 'LoadBalancer', ports: '    - {port: 22}\n', policy: { allowHostPorts: true }, want: [] },
    { name: 'a NodePort publishes its node port only, never its port', type: 'NodePort', ports: '    - {port: 22}\n', want: [] },
    { name: 'a ClusterIP publishes nothing on the host', type: 'ClusterIP', ports: '    - {port: 22}\n', want: [] },
  ])('$name', ({ type, ports, policy, want }) => {
    expect(findings({ 'f.yaml': service(type, ports) }, { hostPolicy: { ...DEFAULT_HOST_POLICY, ...policy } })).toEqual(want);
  });

  it('says what to do', () => {
    const { problems } = validate({ 'f.yaml': service('LoadBalancer', '    - {port: 25}\n') });
    expect(problems.map((p) => p.message)).toEqual([
      "port 25 of a LoadBalancer Service is published on the host's addresses, and ports below 1024 other than 80 and 443 belong to the host's system services; this host's policy refuses it: use 80, 443 or a port from 1024 up, or allow it with --allow-host-ports (host policy allowHostPorts)",
    ]);
  });
});
