import type { ContainerPlan, PodPlan, VolumePlan } from '../pod-plan.js';
import type { RuntimeField } from '../../model/downward.js';
import type { HashKey } from '../../model/hash.js';
import { keyedDigest } from '../../model/hash.js';
import type { SwarmContainerSpec, SwarmFileObject, SwarmFileRef, SwarmHealthcheck, SwarmMount, SwarmTaskTemplate } from './types.js';
import { NS } from './types.js';
import { ownerLabels, swarmNames, SWARM_LABELS } from './names.js';
import type { ProxiedReadiness } from './readiness.js';
import { proxiedReadiness } from './readiness.js';

/**
 * One pod as a Swarm task template. A Swarm task is one container, so a pod maps when it has
 * one container and no init containers; what Swarm cannot express is a problem with the field
 * it comes from, never dropped in silence (docs/swarm.md lists each).
 */
export interface TaskTemplateResult {
  template: Omit<SwarmTaskTemplate, 'Networks' | 'Placement' | 'RestartPolicy'>;
  /** Configs and secrets the template mounts: made before the service, by content-hashed name. */
  files: SwarmFileObject[];
  /** Container ports (name → number), for Services' named targetPorts. */
  ports: Array<{ name?: string; containerPort: number; protocol: 'TCP' | 'UDP' | 'SCTP' }>;
  /** The probe the proxy checks endpoints with, when it is not one Docker can run (httpGet, tcpSocket). */
  readiness?: ProxiedReadiness;
  problems: SwarmProblem[];
}

export interface SwarmProblem {
  /** Field path in the object, as validation reports them (`spec.template.spec.containers[0]…`). */
  path: string;
  message: string;
  /**
   * A warning: the task runs, with less than the field asks for (a liveness probe not run, a
   * profile Swarm cannot load); said, never silent. Absent: refused.
   */
  warning?: true;
}


/**
 * Swarm evaluates Go templates in a service's Env, Hostname and Mounts (`{{.Node.Hostname}}`).
 * A manifest's text must reach the task as written, as on Kubernetes, so every `{{` of it is
 * escaped; the only templates are berth's own, the pod name's slot or node, written into the
 * pod plan as these markers (no Kubernetes name or value holds a NUL) and turned into templates
 * after the escaping.
 */
export const TASK_SLOT = '\0slot\0';
export const NODE_ID = '\0node\0';

export function swarmLiteral(text: string): string {
  return text.replaceAll('{{', '{{"{{"}}').replaceAll(TASK_SLOT, '{{.Task.Slot}}').replaceAll(NODE_ID, '{{.Node.ID}}');
}

/** What to write instead of a downward field Swarm cannot give a task (it tells a task nothing of its addresses or a uid). */
const RUNTIME_FIELD_HINT: Record<RuntimeField, string> = {
  'status.podIP': 'Swarm gives a task no such value; drop the variable and have the program read its own address (e.g. `hostname -i`)',
  'status.podIPs': 'Swarm gives a task no such value; drop the variable and have the program read its own addresses',
  'status.hostIP': "Swarm gives a task no such value; drop the variable (the node's name is not its address either)",
  'status.hostIPs': 'Swarm gives a task no such value; drop the variable',
  'metadata.uid': 'Swarm pods have no uid; use metadata.name, which is the task\'s stable name',
};
const TEMPLATE_PATH = 'spec.template.spec';

export function taskTemplate(app: string, pod: PodPlan, podLabels: Record<string, string>, hashKey: HashKey, basePath = TEMPLATE_PATH): TaskTemplateResult {
  const problems: SwarmProblem[] = [];
  const files: SwarmFileObject[] = [];
  if (pod.containers.length !== 1)
    problems.push({ path: `${basePath}.containers`, message: `a Swarm task runs one container; this pod has ${pod.containers.length} (run each as its own workload, joined through a Service)` });
  if (pod.initContainers.length > 0)
    problems.push({ path: `${basePath}.initContainers`, message: 'Swarm has no init containers (move the step into the container\'s command, or into a Job)' });
  if (pod.hostNetwork) problems.push({ path: `${basePath}.hostNetwork`, message: 'not supported on Swarm (publish the port through a Service of type NodePort instead)' });
  if (pod.hostPID || pod.hostIPC) problems.push({ path: `${basePath}.${pod.hostPID ? 'hostPID' : 'hostIPC'}`, message: 'not supported on Swarm' });
  const c = pod.containers[0]!;
  const cPath = `${basePath}.containers[0]`;
  const env: string[] = [];
  c.env.forEach((e, i) => {
    if ('value' in e) env.push(swarmLiteral(`${e.name}=${e.value}`));
    else problems.push({ path: `${cPath}.env[${i}].valueFrom.fieldRef`, message: `${e.name} from ${e.fieldRef}: ${RUNTIME_FIELD_HINT[e.fieldRef]}` });
  });
  const sc = c.securityContext;
  if (sc.privileged) problems.push({ path: `${cPath}.securityContext.privileged`, message: 'Swarm services cannot run privileged containers' });
  securityProblems(c, cPath, problems);
  const user = sc.runAsUser === undefined ? undefined : sc.runAsGroup === undefined ? String(sc.runAsUser) : `${sc.runAsUser}:${sc.runAsGroup}`;
  const { mounts, refs } = mountsOf(app, pod, c, cPath, basePath, hashKey, files, problems);
  const health = healthcheck(c, cPath, problems);
  const spec: SwarmContainerSpec = {
    Image: c.image,
    Labels: { ...ownerLabels(app), [SWARM_LABELS.namespace]: pod.namespace, [SWARM_LABELS.podLabels]: JSON.stringify(podLabels) },
    ...(c.command ? { Command: c.command } : {}),
    ...(c.args ? { Args: c.args } : {}),
    Hostname: swarmLiteral(pod.hostname),
    Env: env,
    ...(c.workingDir ? { Dir: c.workingDir } : {}),
    ...(user ? { User: user } : {}),
    ...(sc.supplementalGroups?.length ? { Groups: sc.supplementalGroups.map(String) } : {}),
    ...(c.tty ? { TTY: true } : {}),
    ...(c.stdin ? { OpenStdin: true } : {}),
    ...(sc.readOnlyRootFilesystem ? { ReadOnly: true } : {}),
    Mounts: mounts,
    StopGracePeriod: pod.terminationGracePeriodSeconds * NS,
    ...(health.check ? { Healthcheck: health.check } : {}),
    ...(pod.hostAliases.length ? { Hosts: pod.hostAliases.flatMap((h) => h.hostnames.map((n) => `${h.ip} ${n}`)) } : {}),
    ...(refs.configs.length ? { Configs: refs.configs } : {}),
    ...(refs.secrets.length ? { Secrets: refs.secrets } : {}),
    ...(sc.capAdd?.length ? { CapabilityAdd: sc.capAdd.map(capName) } : {}),
    ...(sc.capDrop?.length ? { CapabilityDrop: sc.capDrop.map(capName) } : {}),
    ...(Object.keys(pod.sysctls).length ? { Sysctls: pod.sysctls } : {}),
  };
  const r = c.resources;
  const limits = { ...(r.cpuLimit !== undefined ? { NanoCPUs: Math.round(r.cpuLimit * NS) } : {}), ...(r.memoryLimit !== undefined ? { MemoryBytes: r.memoryLimit } : {}) };
  const reservations = { ...(r.cpuRequest !== undefined ? { NanoCPUs: Math.round(r.cpuRequest * NS) } : {}), ...(r.memoryRequest !== undefined ? { MemoryBytes: r.memoryRequest } : {}) };
  const resources = Object.keys(limits).length || Object.keys(reservations).length ? { Resources: { ...(Object.keys(limits).length ? { Limits: limits } : {}), ...(Object.keys(reservations).length ? { Reservations: reservations } : {}) } } : {};
  return {
    template: { ContainerSpec: spec, ...resources },
    files,
    ports: c.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: p.protocol ?? 'TCP' })),
    ...(health.proxied ? { readiness: health.proxied } : {}),
    problems,
  };
}

/**
 * What Swarm cannot enforce of a container's security context. runAsNonRoot is checked against
 * the image's user on one host; a Swarm's nodes run the image unchecked, so only a numeric
 * non-root runAsUser satisfies it. The rest runs weaker than asked, said as a warning.
 */
function securityProblems(c: ContainerPlan, cPath: string, problems: SwarmProblem[]): void {
  const sc = c.securityContext;
  const at = `${cPath}.securityContext`;
  if (sc.runAsNonRoot && !(sc.runAsUser !== undefined && sc.runAsUser > 0))
    problems.push({ path: `${at}.runAsNonRoot`, message: "Swarm's nodes cannot check the image's user; set runAsUser to a non-zero uid as well" });
  if (sc.allowPrivilegeEscalation === false)
    problems.push({ path: `${at}.allowPrivilegeEscalation`, warning: true, message: 'Swarm (API 1.41) cannot set no-new-privileges on a service: setuid programs in the image can still raise privileges' });
  for (const [field, profile] of [['seccompProfile', sc.seccompProfile], ['appArmorProfile', sc.appArmorProfile]] as const)
    if (profile?.type === 'Localhost') problems.push({ path: `${at}.${field}`, warning: true, message: `Swarm cannot load a Localhost profile on its nodes: the task runs with Docker's default ${field === 'seccompProfile' ? 'seccomp' : 'AppArmor'} profile` });
  const live = c.livenessProbe;
  if (live && !live.exec) problems.push({ path: `${cPath}.livenessProbe`, warning: true, message: 'only exec liveness probes run on Swarm (as the healthcheck): this one is not run' });
  if (c.startupProbe) problems.push({ path: `${cPath}.startupProbe`, warning: true, message: 'startup probes are not run on Swarm' });
}

/** Kubernetes spells capabilities without the prefix (`NET_ADMIN`); Docker's service API wants `CAP_NET_ADMIN`. */
function capName(cap: string): string {
  const upper = cap.toUpperCase();
  // `ALL` is Docker's own word (drop: [ALL]); `CAP_ALL` is refused and no task would start.
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * Docker runs one healthcheck, inside the container: an exec readiness probe (else an exec
 * liveness probe) becomes it. Until it passes the task is not healthy, so a rolling update waits
 * for it; once it fails `failureThreshold` times Swarm replaces the task. An httpGet or
 * tcpSocket readiness probe needs a client in the image Docker cannot assume: berth's service
 * proxy checks those against each task instead (`proxied`), as the kubelet would. It is settled
 * here, once per workload, whether or not a Service selects it yet: a probe that cannot run is
 * a problem of the manifest either way.
 */
function healthcheck(c: ContainerPlan, cPath: string, problems: SwarmProblem[]): { check?: SwarmHealthcheck; proxied?: ProxiedReadiness } {
  const exec = c.readinessProbe?.exec ? c.readinessProbe : c.livenessProbe?.exec ? c.livenessProbe : undefined;
  const r = c.readinessProbe;
  const proxied = r && !r.exec && (r.httpGet || r.tcpSocket) ? proxiedReadiness(r, c.ports, `${cPath}.readinessProbe`, problems) : undefined;
  if (c.readinessProbe?.grpc) problems.push({ path: `${cPath}.readinessProbe.grpc`, message: 'gRPC probes are not run on Swarm yet (use an exec probe with grpc_health_probe)' });
  if (!exec) return proxied ? { proxied } : {};
  const p = exec;
  return {
    check: {
      Test: ['CMD', ...p.exec!.command],
      Interval: p.periodSeconds * NS,
      Timeout: p.timeoutSeconds * NS,
      StartPeriod: p.initialDelaySeconds * NS,
      Retries: p.failureThreshold,
    },
    ...(proxied ? { proxied } : {}),
  };
}

function mountsOf(app: string, pod: PodPlan, c: ContainerPlan, cPath: string, basePath: string, hashKey: HashKey, files: SwarmFileObject[], problems: SwarmProblem[]): { mounts: SwarmMount[]; refs: { configs: SwarmFileRef[]; secrets: SwarmFileRef[] } } {
  const mounts: SwarmMount[] = [];
  const refs = { configs: [] as SwarmFileRef[], secrets: [] as SwarmFileRef[] };
  const byName = new Map(pod.volumes.map((v) => [v.name, v]));
  c.mounts.forEach((m, i) => {
    const v: VolumePlan | undefined = byName.get(m.volume);
    const path = `${cPath}.volumeMounts[${i}]`;
    if (!v) return;
    if (m.subPathExpr) {
      problems.push({ path: `${path}.subPathExpr`, message: 'not supported on Swarm' });
      return;
    }
    if (v.type === 'emptyDir') {
      // Memory: tmpfs. Disk: an anonymous volume, which Docker removes with the task's container.
      mounts.push(v.medium === 'memory' ? { Type: 'tmpfs', Target: swarmLiteral(m.mountPath), ...(v.sizeBytes ? { TmpfsOptions: { SizeBytes: v.sizeBytes } } : {}) } : { Type: 'volume', Target: swarmLiteral(m.mountPath) });
    } else if (v.type === 'pvc') {
      if (m.subPath) problems.push({ path: `${path}.subPath`, message: 'subPath of a claim is not supported on Swarm (mount the claim whole)' });
      mounts.push({ Type: 'volume', Source: `berth-${app}-${pod.namespace}-pvc-${v.handle ?? v.claim}`, Target: swarmLiteral(m.mountPath), ReadOnly: m.readOnly || v.readOnly, VolumeOptions: { Labels: { ...ownerLabels(app), [SWARM_LABELS.namespace]: pod.namespace, [SWARM_LABELS.name]: v.claim } } });
    } else if (v.type === 'hostPath') {
      // On one host berth opens a hostPath itself, refusing links out of the policy's prefixes
      // (apply/volumes/safe-mounts.ts). Swarm binds a node's path as written, links followed, on
      // whichever node runs the task: the policy could not hold there.
      const what = v.claim ? `claim ${v.claim} is bound to a hostPath or local PersistentVolume (${v.path})` : `hostPath ${v.path}`;
      problems.push({ path: `${basePath}.volumes[${pod.volumes.indexOf(v)}]`, message: `${what}: Swarm binds node paths unchecked (symlinks followed) on whichever node runs the task; use a claim with dynamic provisioning, or run this workload with --backend docker` });
    } else {
      for (const f of v.files) {
        if (m.subPath && f.path !== m.subPath) continue;
        if (f.field) {
          problems.push({ path, message: `${v.from.kind} file ${f.path}: metadata.uid is known only to one host's pods` });
          continue;
        }
        const text = Buffer.from(f.content, 'base64').toString('latin1');
        if (text.includes(TASK_SLOT) || text.includes(NODE_ID)) {
          // One config serves every task of the service; a file naming its own pod cannot be one.
          problems.push({ path, message: `${v.from.kind} file ${f.path} holds the pod's name, which differs per task; read it from an env var (fieldRef metadata.name) instead` });
          continue;
        }
        const type = v.secret ? 'secret' : 'config';
        const kind = v.secret ? 'Secret' : 'ConfigMap';
        // Keyed: the name is shown (apply, diff, `docker secret ls`), and an unkeyed hash of a short Secret gives it away.
        const name = swarmNames.file(app, kind, pod.namespace, `${v.from.name}-${fileSlug(f.path)}`, keyedDigest(hashKey, f.content).toString('hex'));
        if (!files.some((x) => x.name === name)) files.push({ type, name, labels: { ...ownerLabels(app), [SWARM_LABELS.namespace]: pod.namespace, [SWARM_LABELS.kind]: kind, [SWARM_LABELS.name]: v.from.name }, data: f.content });
        const target = m.subPath ? m.mountPath : `${m.mountPath.replace(/\/$/, '')}/${f.path}`;
        const ref: SwarmFileRef = { File: { Name: target, UID: '0', GID: '0', Mode: f.mode }, ...(type === 'secret' ? { SecretName: name } : { ConfigName: name }) };
        (type === 'secret' ? refs.secrets : refs.configs).push(ref);
      }
    }
  });
  return { mounts, refs };
}

/** A file path as a name part: Swarm names allow `[a-zA-Z0-9-_.]`. */
function fileSlug(path: string): string {
  return path.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'file';
}
