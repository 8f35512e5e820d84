import type { HostPolicy } from './policy.js';
import { hostPathAllowed } from './policy.js';
import { clip, quote } from './excerpt.js';
import { servicePolicyViolations } from './service-policy.js';
import { imageRegistry, localHostScope, registryHost } from './image-ref.js';
import { annotatedProfiles } from './legacy-profiles.js';

/**
 * The host policy applied to one pod spec (SPEC §8): everything a manifest can ask for that
 * widens a container's reach beyond an ordinary Docker container: privileges, capabilities,
 * host namespaces, host ports, unsafe sysctls, unconfined security profiles, hostPath, and
 * probes aimed at other hosts. One function for the validator (which adds file:line) and for
 * the run time, which re-checks templates it stored under an older policy (rollback, undo, the
 * inventory). Defensive about types: the validator runs it on objects the schema rejected.
 */
export type PolicyCode =
  | 'policy-privileged'
  | 'policy-host-network'
  | 'policy-host-path'
  | 'policy-capability'
  | 'policy-sysctl'
  | 'policy-host-port'
  | 'policy-host-namespace'
  | 'policy-unconfined'
  | 'policy-probe-host'
  | 'policy-registry'
  | 'invalid-capability';

export interface PolicyViolation {
  code: PolicyCode;
  /** Relative to the pod spec, or with scope 'metadata' to the pod's (template's) metadata. */
  path: ReadonlyArray<string | number>;
  scope?: 'metadata';
  message: string;
}

/**
 * Docker's default capability set (moby oci/caps/defaults.go): what every container has
 * anyway, so adding one of these needs no policy.
 */
export const DOCKER_DEFAULT_CAPABILITIES: readonly string[] = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
];

/** Every Linux capability (capability(7), up to 6.x), without the CAP_ prefix. */
export const LINUX_CAPABILITIES: readonly string[] = [
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE',
  'NET_BROADCAST', 'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN',
  'SYS_BOOT', 'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'SYSLOG', 'WAKE_ALARM',
];

/**
 * `SYS_ADMIN`, `sys_admin`, `CAP_SYS_ADMIN` → `SYS_ADMIN`; `all` → `ALL`; unknown → undefined.
 * Case-insensitive with an optional CAP_ prefix, as the container runtimes (Docker, containerd)
 * read what Kubernetes passes them.
 */
export function normalizeCapability(name: string): string | undefined {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const bare = upper.startsWith('CAP_') ? upper.slice(4) : upper;
  return LINUX_CAPABILITIES.includes(bare) ? bare : undefined;
}

/** The name Docker's CapAdd/CapDrop get: `CAP_SYS_ADMIN`, or `ALL`. */
export function dockerCapability(name: string): string {
  const n = normalizeCapability(name);
  if (n === undefined) return name;
  return n === 'ALL' ? 'ALL' : `CAP_${n}`;
}

/** Kubernetes' safe sysctls (namespaced, and isolated from other pods and the host). */
export const SAFE_SYSCTLS: readonly string[] = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

/** Kubernetes accepts `net/ipv4/ip_local_port_range` as well: dots and slashes swap when the first separator is a slash. */
export function normalizeSysctl(name: string): string {
  const firstSep = name.search(/[./]/);
  if (firstSep < 0 || name[firstSep] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

export function sysctlAllowed(policy: HostPolicy, name: string): boolean {
  const n = normalizeSysctl(name);
  if (SAFE_SYSCTLS.includes(n)) return true;
  return (policy.allowedSysctls ?? []).some((p) => (p.endsWith('*') ? n.startsWith(p.slice(0, -1)) : normalizeSysctl(p) === n));
}

/** A probe or lifecycle handler may aim at `host` (given in the manifest) only when the policy names it. */
export function probeHostAllowed(policy: HostPolicy, host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return (policy.allowedProbeHosts ?? []).some((a) => a === '*' || a.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1') === h);
}

/**
 * An image from `registry` may be pulled when the registry is not on berth's own host, or when the
 * policy names it exactly (`host[:port]`, case-insensitive; `*` names every registry): naming
 * `localhost:5000` allows that one port, not every service on loopback.
 */
export function registryAllowed(policy: HostPolicy, registry: string): boolean {
  if (localHostScope(registryHost(registry)) === undefined) return true;
  return registryNamed(policy.allowedRegistries, registry);
}

/** Whether `allowed` (the policy's allowedRegistries) names `registry`; also the run-time check's allowance (apply/images). */
export function registryNamed(allowed: readonly string[] | undefined, registry: string): boolean {
  const r = registry.trim().toLowerCase();
  return (allowed ?? []).some((a) => a === '*' || a.trim().toLowerCase() === r);
}

/** Allows everything: for reading manifests only to name objects (`berth delete -f`), never to run them. */
export const UNRESTRICTED_HOST_POLICY: HostPolicy = Object.freeze({
  allowPrivileged: true,
  allowHostNetwork: true,
  hostPathPrefixes: Object.freeze(['/']) as readonly string[],
  allowedSysctls: Object.freeze(['*']) as readonly string[],
  allowHostPorts: true,
  allowHostNamespaces: true,
  allowUnconfined: true,
  allowedProbeHosts: Object.freeze(['*']) as readonly string[],
  allowedRegistries: Object.freeze(['*']) as readonly string[],
});

export function capabilityAllowed(policy: HostPolicy, normalized: string): boolean {
  if (policy.allowPrivileged) return true;
  if (normalized === 'ALL') return false;
  return DOCKER_DEFAULT_CAPABILITIES.includes(normalized) || (policy.allowedCapabilities ?? []).some((a) => normalizeCapability(a) === normalized);
}

type Rec = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;
const rec = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);
const arr = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

/**
 * `metadata`: the pod's or template's metadata, whose legacy seccomp/AppArmor annotations
 * (model/legacy-profiles.ts) are held to the same policy as the fields they stand for.
 */
export function podSpecPolicyViolations(value: unknown, policy: HostPolicy, metadata?: unknown): PolicyViolation[] {
  const spec = rec(value);
  if (!spec) return [];
  const out: PolicyViolation[] = [];
  const add = (code: PolicyCode, path: Path, message: string) => out.push({ code, path, message });
  if (!policy.allowUnconfined && !policy.allowPrivileged)
    for (const a of annotatedProfiles(rec(metadata)?.annotations)) {
      if (!a.profile || !liftsConfinement(a.field, a.profile)) continue;
      out.push({
        code: 'policy-unconfined',
        path: ['annotations', a.key],
        scope: 'metadata',
        // The key is the violation's path; quoting it here would clip it.
        message: `${a.field === 'seccompProfile' ? 'seccomp' : 'AppArmor'} profile annotation ${a.profile.type === 'Localhost' ? `localhost/${APPARMOR_UNCONFINED} names AppArmor's own unconfined profile and` : 'unconfined'} lifts the ${a.field === 'seccompProfile' ? 'system call filter' : 'AppArmor confinement'} every container has and is refused by this host's policy; use runtime/default, or allow it with --allow-unconfined (host policy allowUnconfined)`,
      });
    }
  if (spec.hostNetwork === true && !policy.allowHostNetwork)
    add('policy-host-network', ['hostNetwork'], "pods on the host's network are refused by this host's policy; allow them with --allow-host-network (host policy allowHostNetwork)");
  for (const field of ['hostPID', 'hostIPC'] as const)
    if (spec[field] === true && !policy.allowHostNamespaces)
      add('policy-host-namespace', [field], `${field} shares the host's ${field === 'hostPID' ? 'process' : 'IPC'} namespace and is refused by this host's policy; allow it with --allow-host-namespaces (host policy allowHostNamespaces)`);
  const psc = rec(spec.securityContext);
  if (psc) {
    arr(psc.sysctls).forEach((s, i) => {
      const name = str(rec(s)?.name);
      if (name !== undefined && name !== '' && !sysctlAllowed(policy, name))
        add('policy-sysctl', ['securityContext', 'sysctls', i, 'name'], `sysctl ${quote(name)} is not in Kubernetes' safe set and is refused by this host's policy; allow it with --allow-sysctl ${clip(name)} (host policy allowedSysctls)`);
    });
    profileViolations(psc, ['securityContext'], policy, add);
  }
  arr(spec.volumes).forEach((v, i) => {
    const hp = str(rec(rec(v)?.hostPath)?.path);
    // A relative path is a validation error of its own (invalid-path).
    if (hp === undefined || !hp.startsWith('/') || hostPathAllowed(policy, hp)) return;
    const allowed = policy.hostPathPrefixes.length > 0 ? policy.hostPathPrefixes.join(', ') : 'none';
    add('policy-host-path', ['volumes', i, 'hostPath', 'path'], `hostPath ${quote(hp)} is outside the paths this host's policy allows (${allowed}); allow it with --host-path-prefix <dir> (host policy hostPathPrefixes)`);
  });
  for (const list of ['initContainers', 'containers'] as const)
    arr(spec[list]).forEach((c, i) => containerViolations(rec(c), [list, i], policy, add, spec.hostNetwork === true));
  return out;
}

type Add = (code: PolicyCode, path: Path, message: string) => void;

/** hostNetwork: the pod binds host ports anyway, under the host-network allowance; a hostPort adds nothing. */
function containerViolations(c: Rec | undefined, at: Path, policy: HostPolicy, add: Add, hostNetwork: boolean): void {
  if (!c) return;
  const image = str(c.image);
  const registry = image === undefined ? undefined : imageRegistry(image);
  if (registry !== undefined && !registryAllowed(policy, registry))
    add('policy-registry', [...at, 'image'], `image ${quote(image)} names the registry ${quote(registry)}, a ${localHostScope(registryHost(registry))} address of berth's host: Docker would send its requests to whatever listens there; use an image from a registry elsewhere, or allow this one with --allow-registry ${clip(registry)} (host policy allowedRegistries)`);
  const sc = rec(c.securityContext);
  if (sc) {
    if (sc.privileged === true && !policy.allowPrivileged)
      add('policy-privileged', [...at, 'securityContext', 'privileged'], "privileged containers are refused by this host's policy; allow them with --allow-privileged (host policy allowPrivileged)");
    arr(rec(sc.capabilities)?.add).forEach((name, i) => {
      if (typeof name !== 'string') return;
      const p = [...at, 'securityContext', 'capabilities', 'add', i];
      const n = normalizeCapability(name);
      if (n === undefined) add('invalid-capability', p, `${quote(name)} is not a Linux capability (e.g. NET_ADMIN, SYS_TIME; a CAP_ prefix is optional)`);
      else if (n === 'ALL' && !policy.allowPrivileged)
        add('policy-capability', p, "adding ALL capabilities makes the container as powerful as a privileged one and is refused by this host's policy; allow it with --allow-privileged (host policy allowPrivileged)");
      else if (!capabilityAllowed(policy, n))
        add('policy-capability', p, `capability ${n} is beyond Docker's default set and refused by this host's policy; allow it with --allow-capability ${n} (host policy allowedCapabilities)`);
    });
    if (sc.procMount === 'Unmasked' && !policy.allowUnconfined && !policy.allowPrivileged)
      add('policy-unconfined', [...at, 'securityContext', 'procMount'], "procMount Unmasked exposes the host's /proc paths Docker masks and is refused by this host's policy; allow it with --allow-unconfined (host policy allowUnconfined)");
    profileViolations(sc, [...at, 'securityContext'], policy, add);
  }
  arr(c.ports).forEach((p, i) => {
    const port = rec(p);
    const hostPort = port?.hostPort;
    if (typeof hostPort !== 'number' || hostPort === 0 || policy.allowHostPorts || hostNetwork) return;
    add('policy-host-port', [...at, 'ports', i, 'hostPort'], `hostPort ${hostPort} binds a port of the host and is refused by this host's policy; expose the pod with a Service (NodePort or LoadBalancer), or allow host ports with --allow-host-ports (host policy allowHostPorts)`);
  });
  const handlers: Array<[unknown, Path]> = [
    ...PROBES.map((k): [unknown, Path] => [c[k], [...at, k]]),
    ...HOOKS.map((k): [unknown, Path] => [rec(c.lifecycle)?.[k], [...at, 'lifecycle', k]]),
  ];
  for (const [h, p] of handlers) {
    const handler = rec(h);
    if (!handler) continue;
    for (const action of ['httpGet', 'tcpSocket'] as const) {
      const host = str(rec(handler[action])?.host);
      if (host === undefined || host === '' || probeHostAllowed(policy, host)) continue;
      add('policy-probe-host', [...p, action, 'host'], `host ${quote(host)} would aim the probe from berth's host at another machine or service; leave host unset to probe the pod itself, or allow it with --allow-probe-host ${clip(host)} (host policy allowedProbeHosts)`);
    }
  }
}

function profileViolations(sc: Rec, at: Path, policy: HostPolicy, add: Add): void {
  if (policy.allowUnconfined || policy.allowPrivileged) return;
  for (const field of ['seccompProfile', 'appArmorProfile'] as const) {
    const profile = rec(sc[field]);
    if (!liftsConfinement(field, profile)) continue;
    if (profile?.type === 'Localhost')
      add('policy-unconfined', [...at, field, 'localhostProfile'], `${field} Localhost ${quote(APPARMOR_UNCONFINED)} names AppArmor's own unconfined profile: Docker runs the container without AppArmor confinement, as Unconfined does, which this host's policy refuses; use RuntimeDefault or a profile the host's operator loaded, or allow it with --allow-unconfined (host policy allowUnconfined)`);
    else
      add('policy-unconfined', [...at, field, 'type'], `${field} Unconfined lifts the ${field === 'seccompProfile' ? 'system call filter' : 'AppArmor confinement'} every container has and is refused by this host's policy; use RuntimeDefault, or allow it with --allow-unconfined (host policy allowUnconfined)`);
  }
}

/** AppArmor's name for the absence of a profile (the kernel's `unconfined`, Docker's `apparmor=unconfined`). */
export const APPARMOR_UNCONFINED = 'unconfined';

/**
 * Whether a seccomp or AppArmor profile (a field's value, any shape) lifts the confinement every
 * container has: type Unconfined, or an AppArmor Localhost profile named `unconfined`, which
 * berth passes to Docker as `apparmor=unconfined`, the very option Unconfined becomes (issue 11).
 * Any other Localhost name is a profile the host's operator loaded: the operator's choice.
 */
export function liftsConfinement(field: 'seccompProfile' | 'appArmorProfile', profile: unknown): boolean {
  const p = rec(profile);
  if (p?.type === 'Unconfined') return true;
  return field === 'appArmorProfile' && p?.type === 'Localhost' && p.localhostProfile === APPARMOR_UNCONFINED;
}

/**
 * Violations of a stored pod template, as `path: message` lines (no file:line: it is not from a
 * file). `prefix` leads to the pod spec (`spec.template.spec.`); the metadata is its sibling.
 */
export function describeViolations(violations: readonly PolicyViolation[], prefix: string): string[] {
  const metadataPrefix = prefix.replace(/spec\.$/, 'metadata.');
  return violations.map((v) => `${v.scope === 'metadata' ? metadataPrefix : prefix}${formatRelative(v.path)}: ${v.message}`);
}

function formatRelative(path: Path): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Where a kind keeps the pod spec it runs (also where kustomize's fieldSpecs find pod templates). */
export const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * Today's policy applied to a stored object (an inventory entry), as `path: message` lines.
 * Empty for kinds that run no pods, and when the policy allows everything the object asks for.
 */
export function storedObjectRefusal(object: unknown, policy: HostPolicy): string[] {
  const kind = str(rec(object)?.kind);
  if (kind === 'Service') return servicePolicyViolations(rec(object)?.spec, policy).map((v) => `spec.${formatRelative(v.path)}: ${v.message}`);
  const path = kind === undefined ? undefined : POD_SPEC_PATH[kind];
  if (!path) return [];
  let parent: unknown = object;
  for (const seg of path.slice(0, -1)) parent = rec(parent)?.[seg];
  return describeViolations(podSpecPolicyViolations(rec(parent)?.spec, policy, rec(parent)?.metadata), `${path.join('.')}.`);
}

/**
 * Why today's policy refuses a stored pod template (a pin, a rollback target: checked under the
 * policy of their day), one `path: message` per violation; empty when it allows it.
 */
export function storedTemplateRefusal(template: unknown, policy: HostPolicy): string[] {
  const t = rec(template);
  return describeViolations(podSpecPolicyViolations(t?.spec, policy, t?.metadata), 'spec.template.spec.');
}
