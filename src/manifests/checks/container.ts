import { isIP } from 'node:net';
import { checkConfigKey, checkDns1123Label, checkEnvVarName, checkPortName } from '../../model/names.js';
import { annotatedProfiles } from '../../model/legacy-profiles.js';
import { normalizeCapability } from '../../model/pod-policy.js';
import type { Path } from '../path.js';
import type { CheckContext } from './context.js';
import { checkContainerImage } from './image.js';
import { checkPortNumber } from './ports.js';
import { checkContainerResources } from './resources.js';
import { checkFieldRef, checkResourceFieldRef } from './downward.js';
import type { Rec } from './values.js';
import { arr, has, int, rec, str } from './values.js';
import { clipList, quote } from '../../model/excerpt.js';

/** Pod-wide state while its containers are checked one by one. */
export interface PodScope {
  volumes: ReadonlySet<string>;
  /** Port name → the container that declared it first (port names are unique in a pod). */
  portNames: Map<string, string>;
  /** Names of the pod's containers (init containers included): resourceFieldRef.containerName names one. */
  containers: ReadonlySet<string>;
}


export function checkContainer(value: unknown, path: Path, init: boolean, ctx: CheckContext, scope: PodScope): void {
  const c = rec(value);
  if (!c) return;
  const { r } = ctx;
  const name = str(c.name);
  const label = name ?? formatIndex(path);
  if (name !== undefined) {
    const err = checkDns1123Label(name);
    if (err) r.report('invalid-name', [...path, 'name'], `container name ${quote(name)} is invalid: ${err}`);
  }
  const image = str(c.image);
  if (image !== undefined) checkContainerImage(image, [...path, 'image'], ctx);
  const ownPorts = checkContainerPorts(c, path, label, ctx, scope);
  checkEnv(c, path, ctx, scope);
  checkEnvFrom(c, path, ctx);
  checkContainerResources(c.resources, [...path, 'resources'], r);
  checkMounts(c, path, ctx, scope);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    if (!has(c, probe)) continue;
    if (init) {
      r.report('invalid-probe', [...path, probe], `init containers run to completion and may not have a ${probe}`, { at: 'key' });
      continue;
    }
    checkProbe(c[probe], [...path, probe], probe, ownPorts, ctx);
  }
  const lifecycle = rec(c.lifecycle);
  if (lifecycle && init) r.report('invalid-value', [...path, 'lifecycle'], 'init containers may not have lifecycle hooks', { at: 'key' });
  else if (lifecycle)
    for (const hook of ['preStop', 'postStart'] as const)
      if (has(lifecycle, hook)) checkHandler(lifecycle[hook], [...path, 'lifecycle', hook], ownPorts, ctx);
  checkSecurityContext(c.securityContext, [...path, 'securityContext'], ctx);
}

function formatIndex(path: Path): string {
  return `${String(path[path.length - 2])}[${String(path[path.length - 1])}]`;
}

/** Returns the container's own port names (probes may only name those). */
function checkContainerPorts(c: Rec, path: Path, label: string, ctx: CheckContext, scope: PodScope): Set<string> {
  const own = new Set<string>();
  const { r } = ctx;
  arr(c.ports).forEach((p, i) => {
    const port = rec(p);
    if (!port) return;
    const at = [...path, 'ports', i];
    checkPortNumber(port.containerPort, [...at, 'containerPort'], r);
    if (port.hostPort !== 0) checkPortNumber(port.hostPort, [...at, 'hostPort'], r);
    const hostIP = str(port.hostIP);
    if (hostIP !== undefined && isIP(hostIP) === 0) r.report('invalid-ip', [...at, 'hostIP'], `${quote(hostIP)} is not an IP address`);
    const name = str(port.name);
    if (name === undefined) return;
    const err = checkPortName(name);
    if (err) r.report('invalid-port-name', [...at, 'name'], `port name ${quote(name)} is invalid: ${err}`);
    const first = scope.portNames.get(name);
    // Kubernetes refuses a name twice in one container, and accepts it in two containers of a
    // pod: a Service's named targetPort then picks the first container's (plan/services.ts).
    if (own.has(name)) r.report('duplicate-port-name', [...at, 'name'], `port name ${quote(name)} is already used by this container`);
    else if (first !== undefined) r.report('shared-port-name', [...at, 'name'], `port name ${quote(name)} is also used by container ${first}; a Service's targetPort ${quote(name)} reaches ${first}'s port`);
    else scope.portNames.set(name, label);
    own.add(name);
  });
  return own;
}

const ENV_SOURCES = ['configMapKeyRef', 'secretKeyRef', 'fieldRef', 'resourceFieldRef'] as const;

function checkEnv(c: Rec, path: Path, ctx: CheckContext, scope: PodScope): void {
  const { r } = ctx;
  arr(c.env).forEach((e, i) => {
    const env = rec(e);
    if (!env) return;
    const at = [...path, 'env', i];
    const name = str(env.name);
    if (name !== undefined) {
      const err = name === '' ? 'must not be empty' : checkEnvVarName(name);
      if (err) r.report('invalid-env', [...at, 'name'], `env name ${quote(name)} is invalid: ${err}`);
    }
    const from = rec(env.valueFrom);
    if (!from) return;
    if (typeof env.value === 'string' && env.value !== '')
      r.report('invalid-env', [...at, 'valueFrom'], 'value and valueFrom are mutually exclusive', { at: 'key' });
    const sources = ENV_SOURCES.filter((s) => has(from, s));
    // fileKeyRef alone is reported as a field berth does not implement, not once more here.
    if (sources.length !== 1 && !(sources.length === 0 && has(from, 'fileKeyRef'))) {
      const detail = sources.length === 0 ? 'has none' : `has ${sources.join(' and ')}`;
      r.report('invalid-env', [...at, 'valueFrom'], `valueFrom needs exactly one of ${ENV_SOURCES.join(', ')}; it ${detail}`, { at: 'key' });
    }
    keyRef(from.configMapKeyRef, [...at, 'valueFrom', 'configMapKeyRef'], 'ConfigMap', ctx);
    keyRef(from.secretKeyRef, [...at, 'valueFrom', 'secretKeyRef'], 'Secret', ctx);
    checkFieldRef(from.fieldRef, [...at, 'valueFrom', 'fieldRef'], 'env', ctx);
    checkResourceFieldRef(from.resourceFieldRef, [...at, 'valueFrom', 'resourceFieldRef'], 'env', scope.containers, ctx);
  });
}

function keyRef(value: unknown, path: Path, kind: 'ConfigMap' | 'Secret', ctx: CheckContext): void {
  const ref = rec(value);
  if (!ref) return;
  const name = str(ref.name);
  const key = str(ref.key);
  if (key !== undefined) {
    const err = checkConfigKey(key);
    if (err) ctx.r.report('invalid-config-key', [...path, 'key'], `key ${quote(key)} is invalid: ${err}`);
  }
  if (name !== undefined && name !== '')
    ctx.facts.refs.push({ kind, name, key, optional: ref.optional === true, path: [...path, 'name'], keyPath: [...path, 'key'] });
}

function checkEnvFrom(c: Rec, path: Path, ctx: CheckContext): void {
  arr(c.envFrom).forEach((e, i) => {
    const src = rec(e);
    if (!src) return;
    const at = [...path, 'envFrom', i];
    const sources = (['configMapRef', 'secretRef'] as const).filter((s) => has(src, s));
    if (sources.length !== 1)
      ctx.r.report('invalid-env', at, `envFrom entries need exactly one of configMapRef, secretRef; this one has ${sources.length === 0 ? 'none' : 'both'}`);
    const prefix = str(src.prefix);
    if (prefix !== undefined && prefix !== '') {
      const err = checkEnvVarName(prefix);
      if (err) ctx.r.report('invalid-env', [...at, 'prefix'], `prefix ${quote(prefix)} is invalid: ${err}`);
    }
    for (const [field, kind] of [['configMapRef', 'ConfigMap'], ['secretRef', 'Secret']] as const) {
      const ref = rec(src[field]);
      const name = str(ref?.name);
      if (ref && name) ctx.facts.refs.push({ kind, name, optional: ref.optional === true, path: [...at, field, 'name'] });
    }
  });
}

function checkMounts(c: Rec, path: Path, ctx: CheckContext, scope: PodScope): void {
  const { r } = ctx;
  const seen = new Map<string, number>();
  arr(c.volumeMounts).forEach((m, i) => {
    const mount = rec(m);
    if (!mount) return;
    const at = [...path, 'volumeMounts', i];
    const name = str(mount.name);
    if (name !== undefined && !scope.volumes.has(name)) {
      const known = scope.volumes.size > 0 ? `volumes: ${clipList(scope.volumes)}` : 'the pod defines no volumes';
      r.report('undefined-volume', [...at, 'name'], `volumeMount refers to volume ${quote(name)}, which this pod does not define (${known})`);
    }
    const mountPath = str(mount.mountPath);
    if (mountPath !== undefined) {
      if (!mountPath.startsWith('/')) r.report('invalid-mount-path', [...at, 'mountPath'], `mountPath ${quote(mountPath)} must be an absolute path`);
      else if (mountPath.includes(':')) r.report('invalid-mount-path', [...at, 'mountPath'], `mountPath ${quote(mountPath)} must not contain ':'`);
      const normalized = mountPath.replace(/\/+$/, '') || '/';
      const first = seen.get(normalized);
      if (first !== undefined) r.report('invalid-mount-path', [...at, 'mountPath'], `mountPath ${quote(mountPath)} is already used by volumeMounts[${first}]`);
      else seen.set(normalized, i);
    }
    const subPath = str(mount.subPath);
    if (subPath !== undefined && (subPath.startsWith('/') || subPath.split('/').includes('..')))
      r.report('invalid-mount-path', [...at, 'subPath'], `subPath ${quote(subPath)} must be a relative path inside the volume (no leading '/', no '..')`);
    const expr = str(mount.subPathExpr);
    if (expr === undefined || expr === '') return;
    if (subPath !== undefined && subPath !== '') r.report('invalid-value', [...at, 'subPathExpr'], 'subPath and subPathExpr are mutually exclusive; keep one');
    else if (expr.startsWith('/') || expr.split('/').includes('..'))
      r.report('invalid-mount-path', [...at, 'subPathExpr'], `subPathExpr ${quote(expr)} must be a relative path inside the volume (no leading '/', no '..')`);
    // Expanded from the container's env when it is created (as the kubelet does); a name the
    // env cannot hold would refuse the container then: said now, with its line. With envFrom
    // the names are only known from the ConfigMaps and Secrets, so that case waits.
    if (arr(c.envFrom).length > 0) return;
    const defined = new Set(arr(c.env).flatMap((e) => str(rec(e)?.name) ?? []));
    const unknown = [...expr.matchAll(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)].flatMap((x) => (x[1] !== undefined && !defined.has(x[1]) ? [x[1]] : []));
    if (unknown.length > 0)
      r.report('invalid-value', [...at, 'subPathExpr'], `subPathExpr ${quote(expr)} uses ${unknown.map((n) => `$(${n})`).join(', ')}, which the container's env does not define (e.g. env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}])`);
  });
}

type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

function checkProbe(value: unknown, path: Path, kind: ProbeKind, ports: ReadonlySet<string>, ctx: CheckContext): void {
  const probe = rec(value);
  if (!probe) return;
  const handlers = (['httpGet', 'tcpSocket', 'exec', 'grpc'] as const).filter((h) => has(probe, h));
  if (handlers.length !== 1) {
    const detail = handlers.length === 0 ? 'it has none' : `it has ${handlers.join(' and ')}`;
    ctx.r.report('invalid-probe', path, `a probe needs exactly one of httpGet, tcpSocket, exec, grpc; ${detail}`, { at: 'key' });
  }
  checkHandlerPorts(probe, path, ports, ctx);
  checkPortNumber(rec(probe.grpc)?.port, [...path, 'grpc', 'port'], ctx.r);
  const success = int(probe.successThreshold);
  if (kind !== 'readinessProbe' && success !== undefined && success !== 1)
    ctx.r.report('invalid-value', [...path, 'successThreshold'], `successThreshold must be 1 for a ${kind}`);
}

function checkHandler(value: unknown, path: Path, ports: ReadonlySet<string>, ctx: CheckContext): void {
  const handler = rec(value);
  if (!handler) return;
  const kinds = (['exec', 'httpGet', 'tcpSocket', 'sleep'] as const).filter((h) => has(handler, h));
  if (kinds.length !== 1)
    ctx.r.report('invalid-probe', path, `a lifecycle handler needs exactly one of exec, httpGet, tcpSocket, sleep; it has ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`, { at: 'key' });
  checkHandlerPorts(handler, path, ports, ctx);
}

function checkHandlerPorts(handler: Rec, path: Path, ports: ReadonlySet<string>, ctx: CheckContext): void {
  for (const action of ['httpGet', 'tcpSocket'] as const) {
    const a = rec(handler[action]);
    if (!a) continue;
    const at = [...path, action, 'port'];
    const port = a.port;
    if (typeof port === 'number') checkPortNumber(port, at, ctx.r);
    else if (typeof port === 'string') {
      const err = checkPortName(port);
      if (err) ctx.r.report('invalid-port-name', at, `port ${quote(port)} is neither a number nor a valid port name: ${err}`);
      else if (!ports.has(port)) {
        const known = ports.size > 0 ? `its ports are ${clipList(ports)}` : 'it names no ports';
        ctx.r.report('unknown-port-name', at, `port ${quote(port)} is not a port name of this container (${known}); Kubernetes accepts it, and the check fails until the container names a port ${quote(port)}`);
      }
    }
  }
}

/**
 * What the host policy does not cover (that is podSpecPolicyViolations, run for the whole pod):
 * combinations Kubernetes rejects, and restricting fields berth cannot apply on Docker, which
 * are errors: a user must never believe a restriction holds when it does not (SPEC §8).
 */
function checkSecurityContext(value: unknown, path: Path, ctx: CheckContext): void {
  const sc = rec(value);
  if (!sc) return;
  const { r } = ctx;
  if (sc.privileged === true && sc.allowPrivilegeEscalation === false)
    r.report('invalid-value', [...path, 'allowPrivilegeEscalation'], 'cannot be false for a privileged container');
  const caps = rec(sc.capabilities);
  arr(caps?.drop).forEach((name, i) => {
    if (typeof name === 'string' && normalizeCapability(name) === undefined)
      r.report('invalid-capability', [...path, 'capabilities', 'drop', i], `${quote(name)} is not a Linux capability (e.g. NET_RAW, ALL; a CAP_ prefix is optional)`);
  });
  if (sc.allowPrivilegeEscalation === false && arr(caps?.add).some((c) => typeof c === 'string' && normalizeCapability(c) === 'SYS_ADMIN'))
    r.report('invalid-value', [...path, 'allowPrivilegeEscalation'], 'cannot be false when capabilities.add has SYS_ADMIN (Kubernetes rejects this combination)');
  checkProfiles(sc, path, ctx);
}

const APPARMOR_NAME = /^[A-Za-z0-9][A-Za-z0-9_.\/-]*$/;

/** Fields pod and container security contexts share. */
function checkProfiles(sc: Rec, path: Path, ctx: CheckContext): void {
  const { r } = ctx;
  // Kubernetes reads an empty (or null) field as unset: `seLinuxOptions: {}`, which Helm
  // charts emit, restricts nothing and is accepted; only a value that asks for something is refused.
  const selinux = setFields(sc.seLinuxOptions, ['user', 'role', 'type', 'level']);
  if (selinux.length > 0)
    r.report('unsupported-security-field', [...path, 'seLinuxOptions'], `berth cannot apply SELinux labels (Docker ignores them on hosts without SELinux, and berth cannot tell); remove seLinuxOptions.${selinux.join(', seLinuxOptions.')}`, { at: 'key' });
  const windows = setFields(sc.windowsOptions, ['gmsaCredentialSpecName', 'gmsaCredentialSpec', 'runAsUserName', 'hostProcess']);
  if (windows.length > 0)
    r.report('unsupported-security-field', [...path, 'windowsOptions'], `berth runs Linux containers; windowsOptions cannot apply: remove windowsOptions.${windows.join(', windowsOptions.')}`, { at: 'key' });
  const seccomp = rec(sc.seccompProfile);
  if (seccomp?.type === 'Localhost') r.report('unsupported-security-field', [...path, 'seccompProfile', 'type'], SECCOMP_LOCALHOST);
  for (const field of ['seccompProfile', 'appArmorProfile'] as const) {
    const profile = rec(sc[field]);
    if (!profile) continue;
    const local = str(profile.localhostProfile);
    if (profile.type === 'Localhost' && (local === undefined || local === ''))
      r.report('missing-field', [...path, field], `${field} of type Localhost needs localhostProfile`, { at: 'key' });
    else if (profile.type !== 'Localhost' && local !== undefined)
      r.report('invalid-value', [...path, field, 'localhostProfile'], `localhostProfile may only be set when type is Localhost`);
  }
  const apparmor = str(rec(sc.appArmorProfile)?.localhostProfile);
  if (apparmor !== undefined && apparmor !== '' && !APPARMOR_NAME.test(apparmor))
    r.report('invalid-value', [...path, 'appArmorProfile', 'localhostProfile'], `${quote(apparmor)} is not an AppArmor profile name`);
}

/**
 * The fields of `value` (an object, or null/absent) that ask for something: a non-empty string
 * or `true`. Kubernetes treats empty strings, false and null in these option structs as unset.
 */
function setFields(value: unknown, fields: readonly string[]): string[] {
  const o = rec(value);
  if (!o) return [];
  return fields.filter((f) => (typeof o[f] === 'string' && o[f] !== '') || o[f] === true);
}

const SECCOMP_LOCALHOST = "berth cannot load Localhost seccomp profiles (it would read a file of the host named by the manifest); use RuntimeDefault, which is Docker's default profile";

/**
 * The legacy seccomp/AppArmor annotations (model/legacy-profiles.ts) are checked as the fields
 * they stand for (checkProfiles), since berth applies them: a value that is no profile, a
 * container that does not exist or a field that says otherwise would leave a restriction the
 * user believes in unapplied. Unconfined is the host policy's (podSpecPolicyViolations).
 */
export function checkAnnotatedProfiles(metadata: unknown, metadataPath: Path, spec: Rec, ctx: CheckContext): void {
  const { r } = ctx;
  const containers = new Map<string, Rec>();
  for (const list of ['initContainers', 'containers'] as const)
    for (const c of arr(spec[list])) {
      const name = str(rec(c)?.name);
      if (name !== undefined && rec(c)) containers.set(name, rec(c)!);
    }
  for (const a of annotatedProfiles(rec(metadata)?.annotations)) {
    const at = [...metadataPath, 'annotations', a.key];
    const what = a.field === 'seccompProfile' ? 'seccomp' : 'AppArmor';
    if (!a.profile) {
      const forms = a.field === 'seccompProfile' ? 'runtime/default, docker/default, unconfined or localhost/<profile>' : 'runtime/default, unconfined or localhost/<profile>';
      r.report('invalid-value', at, `${quote(a.value)} is not a ${what} profile; use ${forms} (or the securityContext field ${a.field})`);
      continue;
    }
    const container = a.container === undefined ? undefined : containers.get(a.container);
    if (a.container !== undefined && !container) {
      r.report('invalid-value', at, `annotation names container ${quote(a.container)}, which this pod does not have; its ${what} profile would apply to nothing`, { at: 'key' });
      continue;
    }
    if (a.field === 'seccompProfile' && a.profile.type === 'Localhost') r.report('unsupported-security-field', at, SECCOMP_LOCALHOST);
    const local = a.profile.localhostProfile;
    if (a.field === 'appArmorProfile' && local !== undefined && !APPARMOR_NAME.test(local)) r.report('invalid-value', at, `${quote(local)} is not an AppArmor profile name`);
    // Kubernetes refuses a pod whose annotation and field (at the same level) disagree.
    const field = rec(rec((container ?? spec).securityContext)?.[a.field]);
    if (field && (field.type !== a.profile.type || (a.profile.type === 'Localhost' && field.localhostProfile !== a.profile.localhostProfile)))
      r.report('invalid-value', at, `the annotation says ${quote(a.value)} but ${a.container === undefined ? 'the pod' : `container ${quote(a.container)}`}'s securityContext.${a.field} is ${quote(str(field.type) ?? '?')}; remove the annotation, the field says it`);
  }
}

/** Pod-level security fields that are not the host policy's (checkPodSpec runs that). */
export function checkPodSecurityContext(spec: Rec, path: Path, ctx: CheckContext): void {
  const { r } = ctx;
  const psc = rec(spec.securityContext);
  if (psc) {
    checkProfiles(psc, [...path, 'securityContext'], ctx);
    if (psc.supplementalGroupsPolicy === 'Strict')
      r.report('unsupported-security-field', [...path, 'securityContext', 'supplementalGroupsPolicy'], "berth cannot keep Docker from adding the groups the image's /etc/group gives the user; remove supplementalGroupsPolicy (Merge is what runs)");
  }
  if (spec.hostUsers === false)
    r.report('unsupported-security-field', [...path, 'hostUsers'], 'berth cannot run a pod in its own user namespace on Docker; remove hostUsers: false');
  // null is unset (the default runtime); "" Kubernetes refuses as an invalid RuntimeClass name.
  if (spec.runtimeClassName === '')
    r.report('invalid-value', [...path, 'runtimeClassName'], 'must be a RuntimeClass name, not empty (Kubernetes refuses it too); remove runtimeClassName for the default runtime');
  else if (has(spec, 'runtimeClassName'))
    r.report('unsupported-security-field', [...path, 'runtimeClassName'], 'berth runs every pod with the Docker engine\'s default runtime and cannot select another (such as a sandboxed one); remove runtimeClassName', { at: 'key' });
  // Docker 20.10 makes a read-only bind read-only at its top only; what is mounted below stays writable.
  for (const list of ['initContainers', 'containers'] as const)
    arr(spec[list]).forEach((c, i) =>
      arr(rec(c)?.volumeMounts).forEach((m, j) => {
        if (rec(m)?.recursiveReadOnly === 'Enabled')
          r.report('unsupported-security-field', [...path, list, i, 'volumeMounts', j, 'recursiveReadOnly'], 'Docker 20.10 cannot make a mount read-only recursively; use IfPossible (read-only at the top) or remove it');
      }),
    );
}
