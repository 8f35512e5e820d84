import { describe, expect, it } from 'vitest';
import type { PolicyCode } from '../../src/model/pod-policy.js';
import {
  dockerCapability,
  normalizeCapability,
  normalizeSysctl,
  podSpecPolicyViolations,
  probeHostAllowed,
  storedObjectRefusal,
  sysctlAllowed,
} from '../../src/model/pod-policy.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';

const none = DEFAULT_HOST_POLICY;
const withPolicy = (p: Partial<HostPolicy>): HostPolicy => ({ ...none, ...p });

/** A pod spec with one container `c` whose fields are merged in. */
function pod(container: Record<string, unknown> = {}, spec: Record<string, unknown> = {}): Record<string, unknown> {
  return { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec };
}

const sc = (securityContext: Record<string, unknown>) => pod({ securityContext });
const http = (host: string) => ({ httpGet: { port: 80, host, path: '/' } });

interface Case {
  name: string;
  spec: unknown;
  policy?: Partial<HostPolicy>;
  /** [code, path] of each violation; [] = allowed. */
  want: Array<[PolicyCode, string]>;
}

const cases: Case[] = [
  // capabilities
  { name: 'a capability of Docker\'s default set needs nothing', spec: sc({ capabilities: { add: ['NET_BIND_SERVICE', 'chown', 'CAP_KILL'] } }), want: [] },
  { name: 'SYS_ADMIN is refused by default', spec: sc({ capabilities: { add: ['SYS_ADMIN'] } }), want: [['policy-capability', 'containers.0.securityContext.capabilities.add.0']] },
  { name: 'NET_ADMIN in lower case with CAP_ prefix is still NET_ADMIN', spec: sc({ capabilities: { add: ['cap_net_admin'] } }), want: [['policy-capability', 'containers.0.securityContext.capabilities.add.0']] },
  { name: '--allow-capability NET_ADMIN allows it in any spelling', spec: sc({ capabilities: { add: ['net_admin', 'CAP_NET_ADMIN'] } }), policy: { allowedCapabilities: ['NET_ADMIN'] }, want: [] },
  { name: '--allow-capability NET_ADMIN does not allow SYS_ADMIN', spec: sc({ capabilities: { add: ['SYS_ADMIN'] } }), policy: { allowedCapabilities: ['NET_ADMIN'] }, want: [['policy-capability', 'containers.0.securityContext.capabilities.add.0']] },
  { name: 'ALL is refused even with every capability named', spec: sc({ capabilities: { add: ['ALL'] } }), policy: { allowedCapabilities: ['SYS_ADMIN', 'NET_ADMIN'] }, want: [['policy-capability', 'containers.0.securityContext.capabilities.add.0']] },
  { name: 'ALL with --allow-privileged', spec: sc({ capabilities: { add: ['all'] } }), policy: { allowPrivileged: true }, want: [] },
  { name: '--allow-privileged allows any capability', spec: sc({ capabilities: { add: ['SYS_MODULE'] } }), policy: { allowPrivileged: true }, want: [] },
  { name: 'an unknown capability is refused whatever the policy', spec: sc({ capabilities: { add: ['SYS_WIZARD'] } }), policy: { allowPrivileged: true }, want: [['invalid-capability', 'containers.0.securityContext.capabilities.add.0']] },
  { name: 'dropping is always allowed', spec: sc({ capabilities: { drop: ['ALL', 'SYS_ADMIN'] } }), want: [] },
  { name: 'init containers are held to the same policy', spec: { containers: [{ name: 'a' }], initContainers: [{ name: 'i', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }] }, want: [['policy-capability', 'initContainers.0.securityContext.capabilities.add.0']] },
  // privileged
  { name: 'privileged is refused by default', spec: sc({ privileged: true }), want: [['policy-privileged', 'containers.0.securityContext.privileged']] },
  { name: 'privileged with --allow-privileged', spec: sc({ privileged: true }), policy: { allowPrivileged: true }, want: [] },
  { name: 'privileged: false needs nothing', spec: sc({ privileged: false }), want: [] },
  // sysctls
  { name: 'a safe sysctl needs nothing', spec: pod({}, { securityContext: { sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65000' }, { name: 'kernel/shm_rmid_forced', value: '1' }] } }), want: [] },
  { name: 'an unsafe sysctl is refused', spec: pod({}, { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } }), want: [['policy-sysctl', 'securityContext.sysctls.0.name']] },
  { name: '--allow-sysctl by name', spec: pod({}, { securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] } }), policy: { allowedSysctls: ['net.core.somaxconn'] }, want: [] },
  { name: '--allow-sysctl by pattern', spec: pod({}, { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }), policy: { allowedSysctls: ['kernel.msg*'] }, want: [] },
  { name: 'a pattern allows nothing outside it', spec: pod({}, { securityContext: { sysctls: [{ name: 'kernel.sem', value: '1' }] } }), policy: { allowedSysctls: ['kernel.msg*'] }, want: [['policy-sysctl', 'securityContext.sysctls.0.name']] },
  // host ports
  { name: 'a hostPort is refused by default', spec: pod({ ports: [{ containerPort: 80, hostPort: 8080 }] }), want: [['policy-host-port', 'containers.0.ports.0.hostPort']] },
  { name: 'a hostPort with --allow-host-ports', spec: pod({ ports: [{ containerPort: 80, hostPort: 8080 }] }), policy: { allowHostPorts: true }, want: [] },
  { name: 'hostPort 0 means none', spec: pod({ ports: [{ containerPort: 80, hostPort: 0 }] }), want: [] },
  { name: 'hostNetwork binds host ports under its own allowance', spec: pod({ ports: [{ containerPort: 80, hostPort: 80 }] }, { hostNetwork: true }), policy: { allowHostNetwork: true }, want: [] },
  // host network and namespaces
  { name: 'hostNetwork is refused by default', spec: pod({}, { hostNetwork: true }), want: [['policy-host-network', 'hostNetwork']] },
  { name: 'hostPID and hostIPC are refused by default', spec: pod({}, { hostPID: true, hostIPC: true }), want: [['policy-host-namespace', 'hostPID'], ['policy-host-namespace', 'hostIPC']] },
  { name: 'hostPID and hostIPC with --allow-host-namespaces', spec: pod({}, { hostPID: true, hostIPC: true }), policy: { allowHostNamespaces: true }, want: [] },
  { name: 'hostPID: false needs nothing', spec: pod({}, { hostPID: false }), want: [] },
  // profiles
  { name: 'RuntimeDefault profiles need nothing', spec: sc({ seccompProfile: { type: 'RuntimeDefault' }, appArmorProfile: { type: 'RuntimeDefault' }, procMount: 'Default' }), want: [] },
  { name: 'Unconfined seccomp (container) is refused', spec: sc({ seccompProfile: { type: 'Unconfined' } }), want: [['policy-unconfined', 'containers.0.securityContext.seccompProfile.type']] },
  { name: 'Unconfined AppArmor (pod) is refused', spec: pod({}, { securityContext: { appArmorProfile: { type: 'Unconfined' } } }), want: [['policy-unconfined', 'securityContext.appArmorProfile.type']] },
  { name: 'procMount Unmasked is refused', spec: sc({ procMount: 'Unmasked' }), want: [['policy-unconfined', 'containers.0.securityContext.procMount']] },
  { name: 'AppArmor Localhost "unconfined" (container) is Unconfined and refused', spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'unconfined' } }), want: [['policy-unconfined', 'containers.0.securityContext.appArmorProfile.localhostProfile']] },
  { name: 'AppArmor Localhost "unconfined" (pod) is Unconfined and refused', spec: pod({}, { securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'unconfined' } } }), want: [['policy-unconfined', 'securityContext.appArmorProfile.localhostProfile']] },
  { name: 'AppArmor Localhost "unconfined" with --allow-unconfined', spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'unconfined' } }), policy: { allowUnconfined: true }, want: [] },
  { name: 'AppArmor Localhost "unconfined" with --allow-privileged', spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'unconfined' } }), policy: { allowPrivileged: true }, want: [] },
  { name: 'an AppArmor Localhost profile the operator loaded needs nothing', spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-nginx' } }), want: [] },
  { name: 'names near "unconfined" are other profiles (the kernel matches exactly)', spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'Unconfined' } }), want: [] },
  { name: 'Unconfined and Unmasked with --allow-unconfined', spec: sc({ seccompProfile: { type: 'Unconfined' }, procMount: 'Unmasked' }), policy: { allowUnconfined: true }, want: [] },
  // hostPath
  { name: 'hostPath outside the prefixes', spec: pod({}, { volumes: [{ name: 'v', hostPath: { path: '/etc' } }] }), policy: { hostPathPrefixes: ['/srv'] }, want: [['policy-host-path', 'volumes.0.hostPath.path']] },
  { name: 'hostPath under a prefix', spec: pod({}, { volumes: [{ name: 'v', hostPath: { path: '/srv/x' } }] }), policy: { hostPathPrefixes: ['/srv'] }, want: [] },
  // probes and handlers
  { name: 'a probe without host probes the pod', spec: pod({ readinessProbe: { httpGet: { port: 80 } }, livenessProbe: { tcpSocket: { port: 80 } } }), want: [] },
  { name: 'host: "" is the pod too', spec: pod({ readinessProbe: http('') }), want: [] },
  { name: 'an httpGet probe to the metadata service is refused', spec: pod({ livenessProbe: http('169.254.169.254') }), want: [['policy-probe-host', 'containers.0.livenessProbe.httpGet.host']] },
  { name: 'a tcpSocket startup probe to loopback is refused', spec: pod({ startupProbe: { tcpSocket: { port: 22, host: '127.0.0.1' } } }), want: [['policy-probe-host', 'containers.0.startupProbe.tcpSocket.host']] },
  { name: 'preStop and postStart handlers are held to the same rule', spec: pod({ lifecycle: { preStop: http('10.0.0.1'), postStart: { tcpSocket: { port: 1, host: 'db' } } } }), want: [['policy-probe-host', 'containers.0.lifecycle.postStart.tcpSocket.host'], ['policy-probe-host', 'containers.0.lifecycle.preStop.httpGet.host']] },
  { name: '--allow-probe-host names the host (case-insensitive)', spec: pod({ readinessProbe: http('DB.Internal') }), policy: { allowedProbeHosts: ['db.internal'] }, want: [] },
  { name: '--allow-probe-host allows only the hosts it names', spec: pod({ readinessProbe: http('127.0.0.1') }), policy: { allowedProbeHosts: ['db.internal'] }, want: [['policy-probe-host', 'containers.0.readinessProbe.httpGet.host']] },
  // images from registries on berth's host
  { name: 'an image without a registry host needs nothing', spec: pod({ image: 'berth-examples/web:1.0' }), want: [] },
  { name: 'an image from a registry elsewhere needs nothing', spec: pod({ image: 'ghcr.io/org/app:1' }), want: [] },
  { name: 'an image from a loopback registry is refused', spec: pod({ image: '127.0.0.1:32568/nothere:latest', imagePullPolicy: 'Always' }), want: [['policy-registry', 'containers.0.image']] },
  { name: 'localhost, ::1, link-local and 0.0.0.0 registries are refused, init containers too', spec: { containers: [{ name: 'a', image: 'localhost:5000/a' }, { name: 'b', image: '[::1]:5000/b' }, { name: 'c', image: '169.254.169.254/c' }], initContainers: [{ name: 'i', image: '0.0.0.0:80/i' }] }, want: [['policy-registry', 'initContainers.0.image'], ['policy-registry', 'containers.0.image'], ['policy-registry', 'containers.1.image'], ['policy-registry', 'containers.2.image']] },
  { name: '--allow-registry names the registry with its port', spec: pod({ image: 'LocalHost:5000/app:1' }), policy: { allowedRegistries: ['localhost:5000'] }, want: [] },
  { name: '--allow-registry localhost:5000 does not allow another port', spec: pod({ image: 'localhost:8080/app:1' }), policy: { allowedRegistries: ['localhost:5000'] }, want: [['policy-registry', 'containers.0.image']] },
  { name: '--allow-registry * allows any', spec: pod({ image: '127.0.0.1:1/x' }), policy: { allowedRegistries: ['*'] }, want: [] },
  // not pod specs
  { name: 'garbage is no violation (the schema reports it)', spec: 'nope', want: [] },
  { name: 'wrongly typed fields are skipped', spec: { containers: 'x', volumes: 3, securityContext: [] }, want: [] },
];

describe('podSpecPolicyViolations', () => {
  it.each(cases)('$name', ({ spec, policy, want }) => {
    const got = podSpecPolicyViolations(spec, withPolicy(policy ?? {})).map((v): [string, string] => [v.code, v.path.join('.')]);
    expect(got).toEqual(want);
  });

  it('each refusal names the flag and the config key that allow it', () => {
    const spec = pod(
      { ports: [{ containerPort: 1, hostPort: 2 }], securityContext: { privileged: true, capabilities: { add: ['SYS_TIME'] }, seccompProfile: { type: 'Unconfined' } }, readinessProbe: http('h') },
      { hostNetwork: false, hostPID: true, securityContext: { sysctls: [{ name: 'vm.x', value: '1' }] }, volumes: [{ name: 'v', hostPath: { path: '/etc' } }] },
    );
    const messages = Object.fromEntries(podSpecPolicyViolations(spec, none).map((v) => [v.code, v.message]));
    expect(messages['policy-privileged']).toContain('--allow-privileged (host policy allowPrivileged)');
    expect(messages['policy-capability']).toContain('--allow-capability SYS_TIME (host policy allowedCapabilities)');
    expect(messages['policy-unconfined']).toContain('--allow-unconfined (host policy allowUnconfined)');
    expect(messages['policy-host-port']).toContain('--allow-host-ports (host policy allowHostPorts)');
    expect(messages['policy-host-namespace']).toContain('--allow-host-namespaces (host policy allowHostNamespaces)');
    expect(messages['policy-sysctl']).toContain('--allow-sysctl vm.x (host policy allowedSysctls)');
    expect(messages['policy-host-path']).toContain('--host-path-prefix <dir> (host policy hostPathPrefixes)');
    expect(messages['policy-probe-host']).toContain('--allow-probe-host h (host policy allowedProbeHosts)');
    const registry = podSpecPolicyViolations(pod({ image: 'localhost:5000/app' }), none)[0];
    expect(registry?.message).toContain('--allow-registry localhost:5000 (host policy allowedRegistries)');
  });
});

describe('legacy profile annotations are held to the policy of the fields they stand for', () => {
  const meta = (annotations: Record<string, string>) => ({ annotations });
  it.each<{ name: string; annotations: Record<string, string>; policy?: Partial<HostPolicy>; want: Array<[PolicyCode, string, 'metadata' | undefined]> }>([
    {
      name: 'unconfined seccomp (pod and container) and AppArmor are refused, in the metadata',
      annotations: {
        'seccomp.security.alpha.kubernetes.io/pod': 'unconfined',
        'container.seccomp.security.alpha.kubernetes.io/c': 'unconfined',
        'container.apparmor.security.beta.kubernetes.io/c': 'unconfined',
      },
      want: [
        ['policy-unconfined', 'annotations.seccomp.security.alpha.kubernetes.io/pod', 'metadata'],
        ['policy-unconfined', 'annotations.container.seccomp.security.alpha.kubernetes.io/c', 'metadata'],
        ['policy-unconfined', 'annotations.container.apparmor.security.beta.kubernetes.io/c', 'metadata'],
      ],
    },
    { name: 'unconfined with --allow-unconfined', annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, policy: { allowUnconfined: true }, want: [] },
    { name: 'unconfined with --allow-privileged', annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }, policy: { allowPrivileged: true }, want: [] },
    { name: 'AppArmor localhost/unconfined is unconfined and refused', annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/unconfined' }, want: [['policy-unconfined', 'annotations.container.apparmor.security.beta.kubernetes.io/c', 'metadata']] },
    { name: 'AppArmor localhost/unconfined with --allow-unconfined', annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/unconfined' }, policy: { allowUnconfined: true }, want: [] },
    { name: 'runtime/default and localhost profiles need nothing', annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/my-profile' }, want: [] },
  ])('$name', ({ annotations, policy, want }) => {
    const got = podSpecPolicyViolations(pod(), withPolicy(policy ?? {}), meta(annotations)).map((v) => [v.code, v.path.join('.'), v.scope]);
    expect(got).toEqual(want);
  });

  it('a stored Deployment template with an unconfined annotation is refused at the template\'s metadata', () => {
    const object = { kind: 'Deployment', spec: { template: { metadata: { annotations: { 'container.seccomp.security.alpha.kubernetes.io/c': 'unconfined' } }, spec: pod() } } };
    const got = storedObjectRefusal(object, none);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^spec\.template\.metadata\.annotations\.container\.seccomp\.security\.alpha\.kubernetes\.io\/c: seccomp profile annotation unconfined .* --allow-unconfined/);
    expect(storedObjectRefusal({ kind: 'Pod', metadata: { annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' } }, spec: pod() }, none)[0]).toMatch(/^metadata\.annotations\.seccomp/);
  });

  it('a stored template asking for AppArmor Localhost "unconfined" is refused, in the field and the annotation', () => {
    const field = { kind: 'Deployment', spec: { template: { spec: sc({ appArmorProfile: { type: 'Localhost', localhostProfile: 'unconfined' } }) } } };
    const got = storedObjectRefusal(field, none);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^spec\.template\.spec\.containers\[0\]\.securityContext\.appArmorProfile\.localhostProfile: appArmorProfile Localhost "unconfined" names AppArmor's own unconfined profile.* --allow-unconfined/);
    const annotated = { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/unconfined' } }, spec: pod() } } } } };
    const got2 = storedObjectRefusal(annotated, none);
    expect(got2).toHaveLength(1);
    expect(got2[0]).toMatch(/^spec\.jobTemplate\.spec\.template\.metadata\.annotations\.container\.apparmor\.security\.beta\.kubernetes\.io\/c: AppArmor profile annotation localhost\/unconfined .* --allow-unconfined/);
  });
});

describe('names', () => {
  it.each([
    ['SYS_ADMIN', 'SYS_ADMIN', 'CAP_SYS_ADMIN'],
    ['sys_admin', 'SYS_ADMIN', 'CAP_SYS_ADMIN'],
    ['CAP_NET_RAW', 'NET_RAW', 'CAP_NET_RAW'],
    ['cap_chown', 'CHOWN', 'CAP_CHOWN'],
    ['all', 'ALL', 'ALL'],
    ['SYS_WIZARD', undefined, 'SYS_WIZARD'],
    ['CAP_', undefined, 'CAP_'],
  ])('capability %s → %s (Docker: %s)', (name, normalized, docker) => {
    expect(normalizeCapability(name)).toBe(normalized);
    expect(dockerCapability(name)).toBe(docker);
  });

  it.each([
    ['net.ipv4.ip_local_port_range', 'net.ipv4.ip_local_port_range'],
    ['net/ipv4/ip_local_port_range', 'net.ipv4.ip_local_port_range'],
    ['net/ipv4/conf/eno2.100/rp_filter', 'net.ipv4.conf.eno2/100.rp_filter'],
  ])('sysctl %s reads as %s', (name, want) => {
    expect(normalizeSysctl(name)).toBe(want);
  });

  it.each([
    [[], 'kernel.shm_rmid_forced', true],
    [[], 'kernel.msgmax', false],
    [['kernel.msgmax'], 'kernel.msgmax', true],
    [['kernel.*'], 'kernel.msgmax', true],
    [['net.core.*'], 'net.corex.a', false],
    [['*'], 'vm.swappiness', true],
  ] as const)('allowed sysctls %j: %s → %s', (allowed, name, want) => {
    expect(sysctlAllowed(withPolicy({ allowedSysctls: allowed }), name)).toBe(want);
  });

  it.each([
    [[], '127.0.0.1', false],
    [['127.0.0.1'], '127.0.0.1', true],
    [['::1'], '[::1]', true],
    [['Example.org'], 'example.ORG', true],
    [['example.org'], 'example.org.evil', false],
    [['*'], '169.254.169.254', true],
  ] as const)('allowed probe hosts %j: %s → %s', (allowed, host, want) => {
    expect(probeHostAllowed(withPolicy({ allowedProbeHosts: allowed }), host)).toBe(want);
  });
});

describe('storedObjectRefusal', () => {
  const deployment = (container: Record<string, unknown>) => ({ kind: 'Deployment', spec: { template: { spec: pod(container) } } });
  it.each([
    ['a Deployment adding SYS_ADMIN', deployment({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }), ['spec.template.spec.containers[0].securityContext.capabilities.add[0]: capability SYS_ADMIN']],
    ['a CronJob with a probe host', { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: pod({ readinessProbe: http('h') }) } } } } }, ['spec.jobTemplate.spec.template.spec.containers[0].readinessProbe.httpGet.host: host "h"']],
    ['a bare Pod on the host network', { kind: 'Pod', spec: pod({}, { hostNetwork: true }) }, ['spec.hostNetwork: pods on the host']],
    ['a Deployment whose image is on a loopback registry', deployment({ image: '127.0.0.1:32568/nothere:latest' }), ['spec.template.spec.containers[0].image: image "127.0.0.1:32568/nothere:latest" names']],
    ['a plain Deployment', deployment({}), []],
    ['a ConfigMap', { kind: 'ConfigMap', data: { privileged: 'true' } }, []],
    ['a LoadBalancer on port 22', { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ port: 443 }, { port: 22 }] } }, ['spec.ports[1].port: port 22 of a LoadBalancer Service']],
    ['a LoadBalancer on port 8080', { kind: 'Service', spec: { type: 'LoadBalancer', ports: [{ port: 8080 }] } }, []],
  ])('%s', (_name, object, want) => {
    const got = storedObjectRefusal(object, none);
    expect(got).toHaveLength(want.length);
    got.forEach((line, i) => expect(line.startsWith(want[i]!)).toBe(true));
  });
});
