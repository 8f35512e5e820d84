import { annotatedProfile } from '../model/legacy-profiles.js';
import type { HashKey } from '../model/hash.js';
import { keyedTemplateHash, legacyTemplateHash, sealLegacyTemplateHash } from '../model/hash.js';
import { parseQuantity } from '../model/quantity.js';
import type {
  ConfigMap,
  Container,
  ContainerPort,
  HostAlias,
  Lifecycle,
  PodSpec,
  PodTemplateSpec,
  Probe,
  RestartPolicy,
  Secret,
  SecurityProfile,
  StringMap,
} from '../model/types.js';
import { own } from '../model/own.js';
import { referencedConfigs } from '../model/pod-spec.js';
import { withoutInertFields } from './template-inert-fields.js';
import type { RuntimeField } from '../model/downward.js';
import type { NodeFacts, PodFields } from './downward-plan.js';
import { downwardEnvValue, downwardFiles, inPlaceTemplate, NO_NODE } from './downward-plan.js';
import { expandVars } from './env-expand.js';
import { projectedVolume, projectFiles } from './projected-plan.js';

export { expandSubPathExpr, expandVars } from './env-expand.js';

/**
 * A pod fully resolved for execution: every reference to a ConfigMap or Secret replaced by its
 * content, quantities in base units, names final. apply/ turns it into Docker objects; nothing
 * in it is Docker-specific, so another backend (Swarm, SPEC §9) could execute the same plan.
 * JSON-serialisable (file contents are base64) so plans can be printed and stored.
 */
export interface PodPlan {
  namespace: string;
  name: string;
  labels: StringMap;
  annotations: StringMap;
  /** Direct owner's key (`ReplicaSet/shop/web-5d4f8`, `Job/shop/migrate`, `Pod/shop/db` for a bare pod). */
  owner: string;
  /** Key of the top-level object in the revision (`Deployment/shop/web`); inventory and prune work on it. */
  controller: string;
  /** Hash of everything that shapes the pod, config content included (content-driven updates). */
  specHash: string;
  /** Bare Pods: the hash without the metadata changed in place (TemplatePlan.inPlaceHash). */
  inPlaceHash?: string;
  hostname: string;
  subdomain?: string;
  restartPolicy: RestartPolicy;
  terminationGracePeriodSeconds: number;
  activeDeadlineSeconds?: number;
  hostNetwork: boolean;
  /** Host namespaces (host policy allowHostNamespaces); set only when true. */
  hostPID?: boolean;
  hostIPC?: boolean;
  shareProcessNamespace: boolean;
  sysctls: StringMap;
  hostAliases: HostAlias[];
  dnsPolicy: PodSpec['dnsPolicy'];
  volumes: VolumePlan[];
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
}

export type VolumePlan =
  | { name: string; type: 'emptyDir'; medium: 'disk' | 'memory'; sizeBytes?: number }
  /** `handle`: the claim field of its Docker volume's name when not the claim's own (plan/storage-plan.ts). */
  | { name: string; type: 'pvc'; claim: string; readOnly: boolean; handle?: string }
  /** `version`: downwardAPI and projected files, written under `..<version>` and swapped in whole when it changes (plan/downward-plan.ts). */
  | { name: string; type: 'files'; from: { kind: 'ConfigMap' | 'Secret' | 'DownwardAPI' | 'Projected'; name: string }; secret: boolean; files: FilePlan[]; version?: string }
  /** `claim`/`readOnly`: a claim bound to a hostPath or local PersistentVolume (plan/storage-plan.ts). */
  | { name: string; type: 'hostPath'; path: string; hostPathType?: string; readOnly?: boolean; claim?: string };

export interface FilePlan {
  path: string;
  /** base64 */
  content: string;
  mode: number;
  /** downwardAPI metadata.uid: the content is the pod's uid, known once its sandbox exists. */
  field?: 'metadata.uid';
}

export type EnvPlan =
  | { name: string; value: string; secret?: boolean }
  /** Known only once the sandbox has an address. */
  | { name: string; fieldRef: RuntimeField };

export interface MountPlan {
  volume: string;
  mountPath: string;
  readOnly: boolean;
  subPath?: string;
  /**
   * Expanded with the container's environment when the container is created (the pod IP is
   * known only then), as the kubelet does; the result is used as `subPath` (expandSubPathExpr).
   */
  subPathExpr?: string;
}

export interface ContainerPlan {
  name: string;
  image: string;
  pullPolicy: Container['imagePullPolicy'];
  command?: string[];
  args?: string[];
  workingDir?: string;
  env: EnvPlan[];
  ports: ContainerPort[];
  resources: { memoryLimit?: number; memoryRequest?: number; cpuLimit?: number; cpuRequest?: number };
  mounts: MountPlan[];
  securityContext: {
    runAsUser?: number;
    runAsGroup?: number;
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capAdd?: string[];
    capDrop?: string[];
    supplementalGroups?: number[];
    /** Effective (container over pod) profiles; absent = the runtime's default, as RuntimeDefault. */
    seccompProfile?: SecurityProfile;
    appArmorProfile?: SecurityProfile;
    procMount?: 'Unmasked';
  };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: Lifecycle;
  stdin: boolean;
  tty: boolean;
}

/** ConfigMaps and Secrets of the revision, by `namespace/name`. */
export interface ConfigIndex {
  configMaps: ReadonlyMap<string, ConfigMap>;
  secrets: ReadonlyMap<string, Secret>;
}

/**
 * What a template is resolved and hashed against: the revision's configs and the key of the
 * pod-template-hash (the host's, per app; see model/hash.ts). Passed in, so planning stays pure.
 */
export interface TemplateContext {
  configs: ConfigIndex;
  hashKey: HashKey;
  /** The host as a node (spec.nodeName, allocatable for resourceFieldRef); NO_NODE where no pod is made. */
  node?: NodeFacts;
}

/** A resolved template: everything of a PodPlan except the pod's own name. */
export interface TemplatePlan {
  /** pod-template-hash: HMAC of template + referenced config content under the host's key, safe-encoded. */
  hash: string;
  /**
   * The unkeyed hash older berth versions gave the same content. Never shown or written: only
   * compared with the labels of pods those versions created (docs/security.md, upgrading).
   */
  legacyHash: string;
  /** The legacy hash as the store holds it since the host key was made (sealed, store/host-key.ts). */
  legacyRecordHash: string;
  /**
   * Bare Pods only: the hash of the template without the labels and annotations Kubernetes
   * updates on a running pod (plan/downward-plan.ts inPlaceTemplate). A pod that carries it
   * keeps running through such a change; its downwardAPI volumes follow.
   */
  inPlaceHash?: string;
  build(name: string): PodPlan;
}

export interface TemplateOwner {
  namespace: string;
  /** Owner key; `{hash}` is replaced by the template hash (Deployments own pods through `ReplicaSet/ns/<name>-<hash>`). */
  owner: string;
  controller: string;
  /** Extra labels the controller adds (`job-name`). */
  extraLabels?: StringMap;
  /** Label that carries the template hash on each pod (`pod-template-hash` for Deployments). */
  hashLabel?: string;
  /** A bare Pod: its labels and annotations change in place, as on a Kubernetes pod (TemplatePlan.inPlaceHash). */
  inPlaceMetadata?: boolean;
}

/**
 * Everything the pod-template-hash covers. Kubernetes hashes only the template; berth also
 * hashes the content of every ConfigMap and Secret the template uses, so a config change
 * yields a new ReplicaSet and rolls the pods (SPEC §3 content-driven updates). A missing
 * optional reference hashes as absent. Because Secret values go in, the hash is keyed (HMAC
 * under the host's key, planTemplate): it is in pod names, labels, events and the API, and
 * unkeyed it gave a short Secret away to anyone who tried every value (issue 11).
 */
function templateContent(namespace: string, template: PodTemplateSpec, configs: ConfigIndex, extra: unknown): unknown {
  const refs = referencedConfigs(namespace, template.spec);
  return {
    template: withoutInertFields(template),
    extra,
    configMaps: refs.configMaps.map((k) => [k, configData(configs.configMaps.get(k))]),
    secrets: refs.secrets.map((k) => [k, configs.secrets.get(k)?.data ?? null]),
  };
}

function configData(cm: ConfigMap | undefined): unknown {
  return cm ? { data: cm.data ?? {}, binaryData: cm.binaryData ?? {} } : null;
}

export function planTemplate(template: PodTemplateSpec, owner: TemplateOwner, ctx: TemplateContext): TemplatePlan {
  const { configs } = ctx;
  const content = templateContent(owner.namespace, template, configs, owner.extraLabels ?? null);
  const hash = keyedTemplateHash(ctx.hashKey, content);
  const resolved: TemplateOwner = {
    ...owner,
    owner: owner.owner.replace('{hash}', hash),
    extraLabels: { ...(owner.extraLabels ?? {}), ...(owner.hashLabel ? { [owner.hashLabel]: hash } : {}) },
  };
  const legacyHash = legacyTemplateHash(content);
  const inPlaceHash = owner.inPlaceMetadata ? keyedTemplateHash(ctx.hashKey, templateContent(owner.namespace, inPlaceTemplate(template), configs, owner.extraLabels ?? null)) : undefined;
  return {
    hash,
    legacyHash,
    legacyRecordHash: sealLegacyTemplateHash(ctx.hashKey, legacyHash),
    ...(inPlaceHash ? { inPlaceHash } : {}),
    build: (name) => ({ ...buildPodPlan(name, template, resolved, configs, hash, ctx.node ?? NO_NODE), ...(inPlaceHash ? { inPlaceHash } : {}) }),
  };
}

function buildPodPlan(name: string, template: PodTemplateSpec, owner: TemplateOwner, configs: ConfigIndex, hash: string, node: NodeFacts): PodPlan {
  const spec = template.spec;
  const ns = owner.namespace;
  const labels = { ...(template.metadata.labels ?? {}), ...(owner.extraLabels ?? {}) };
  const annotations = template.metadata.annotations;
  const podFields: PodFields = { name, namespace: ns, labels, annotations: annotations ?? {}, spec, node };
  const container = (c: Container): ContainerPlan => buildContainerPlan(c, spec, annotations, ns, configs, podFields);
  return {
    namespace: ns,
    name,
    labels,
    annotations: { ...(template.metadata.annotations ?? {}) },
    owner: owner.owner,
    controller: owner.controller,
    specHash: hash,
    hostname: spec.hostname ?? name,
    ...(spec.subdomain ? { subdomain: spec.subdomain } : {}),
    restartPolicy: spec.restartPolicy,
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    ...(spec.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: spec.activeDeadlineSeconds } : {}),
    hostNetwork: spec.hostNetwork ?? false,
    ...(spec.hostPID ? { hostPID: true } : {}),
    ...(spec.hostIPC ? { hostIPC: true } : {}),
    shareProcessNamespace: spec.shareProcessNamespace ?? false,
    sysctls: Object.fromEntries((spec.securityContext?.sysctls ?? []).map((s) => [s.name, s.value])),
    hostAliases: spec.hostAliases ?? [],
    dnsPolicy: spec.dnsPolicy,
    volumes: (spec.volumes ?? []).map((v): VolumePlan => {
      if (v.persistentVolumeClaim) return { name: v.name, type: 'pvc', claim: v.persistentVolumeClaim.claimName, readOnly: v.persistentVolumeClaim.readOnly ?? false };
      if (v.configMap) {
        const cm = configs.configMaps.get(`${ns}/${v.configMap.name}`);
        const data = new Map<string, Buffer>();
        for (const [k, val] of Object.entries(cm?.data ?? {})) data.set(k, Buffer.from(val, 'utf8'));
        for (const [k, val] of Object.entries(cm?.binaryData ?? {})) data.set(k, Buffer.from(val, 'base64'));
        return { name: v.name, type: 'files', from: { kind: 'ConfigMap', name: v.configMap.name }, secret: false, files: projectFiles(data, v.configMap.items, v.configMap.defaultMode) };
      }
      if (v.secret) {
        const s = configs.secrets.get(`${ns}/${v.secret.secretName}`);
        const data = new Map<string, Buffer>();
        for (const [k, val] of Object.entries(s?.data ?? {})) data.set(k, Buffer.from(val, 'base64'));
        return { name: v.name, type: 'files', from: { kind: 'Secret', name: v.secret.secretName }, secret: true, files: projectFiles(data, v.secret.items, v.secret.defaultMode) };
      }
      if (v.projected) return projectedVolume(v.name, v.projected, ns, configs, podFields);
      if (v.downwardAPI) return { name: v.name, type: 'files', from: { kind: 'DownwardAPI', name: v.name }, secret: false, ...downwardFiles(v.downwardAPI, podFields) };
      if (v.hostPath) return { name: v.name, type: 'hostPath', path: v.hostPath.path, ...(v.hostPath.type ? { hostPathType: v.hostPath.type } : {}) };
      const size = v.emptyDir?.sizeLimit !== undefined ? parseQuantity(v.emptyDir.sizeLimit) : undefined;
      return { name: v.name, type: 'emptyDir', medium: v.emptyDir?.medium === 'Memory' ? 'memory' : 'disk', ...(size !== undefined ? { sizeBytes: Math.ceil(size) } : {}) };
    }),
    initContainers: (spec.initContainers ?? []).map(container),
    containers: spec.containers.map(container),
  };
}

function buildContainerPlan(c: Container, spec: PodSpec, annotations: StringMap | undefined, ns: string, configs: ConfigIndex, podFields: PodFields): ContainerPlan {
  const env = resolveEnv(c, ns, configs, podFields);
  const lookup = new Map(env.filter((e): e is Extract<EnvPlan, { value: string }> => 'value' in e).map((e) => [e.name, e.value]));
  const psc = spec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  const q = (v: string | undefined) => (v === undefined ? undefined : parseQuantity(v));
  const resources: ContainerPlan['resources'] = {};
  const memLimit = q(limits.memory);
  const memRequest = q(requests.memory);
  const cpuLimit = q(limits.cpu);
  const cpuRequest = q(requests.cpu);
  if (memLimit !== undefined) resources.memoryLimit = Math.ceil(memLimit);
  if (memRequest !== undefined) resources.memoryRequest = Math.ceil(memRequest);
  if (cpuLimit !== undefined) resources.cpuLimit = cpuLimit;
  if (cpuRequest !== undefined) resources.cpuRequest = cpuRequest;
  const securityContext: ContainerPlan['securityContext'] = {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  if (runAsUser !== undefined) securityContext.runAsUser = runAsUser;
  if (runAsGroup !== undefined) securityContext.runAsGroup = runAsGroup;
  if (runAsNonRoot !== undefined) securityContext.runAsNonRoot = runAsNonRoot;
  if (sc.readOnlyRootFilesystem !== undefined) securityContext.readOnlyRootFilesystem = sc.readOnlyRootFilesystem;
  if (sc.privileged !== undefined) securityContext.privileged = sc.privileged;
  if (sc.allowPrivilegeEscalation !== undefined) securityContext.allowPrivilegeEscalation = sc.allowPrivilegeEscalation;
  if (sc.capabilities?.add) securityContext.capAdd = sc.capabilities.add;
  if (sc.capabilities?.drop) securityContext.capDrop = sc.capabilities.drop;
  // Kubernetes' precedence: the container's profile wins over the pod's, a field over the legacy
  // annotation it replaced (model/legacy-profiles.ts).
  const seccompProfile =
    sc.seccompProfile ?? annotatedProfile(annotations, 'seccompProfile', c.name) ?? psc.seccompProfile ?? annotatedProfile(annotations, 'seccompProfile');
  const appArmorProfile = sc.appArmorProfile ?? annotatedProfile(annotations, 'appArmorProfile', c.name) ?? psc.appArmorProfile;
  if (seccompProfile) securityContext.seccompProfile = seccompProfile;
  if (appArmorProfile) securityContext.appArmorProfile = appArmorProfile;
  if (sc.procMount === 'Unmasked') securityContext.procMount = 'Unmasked';
  const groups = [...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  if (groups.length) securityContext.supplementalGroups = groups;
  return {
    name: c.name,
    image: c.image,
    pullPolicy: c.imagePullPolicy,
    ...(c.command ? { command: c.command.map((s) => expandVars(s, lookup)) } : {}),
    ...(c.args ? { args: c.args.map((s) => expandVars(s, lookup)) } : {}),
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    env,
    ports: c.ports ?? [],
    resources,
    mounts: (c.volumeMounts ?? []).map((m) => ({
      volume: m.name,
      mountPath: m.mountPath,
      readOnly: m.readOnly ?? false,
      ...(m.subPath ? { subPath: m.subPath } : {}),
      ...(m.subPathExpr ? { subPathExpr: m.subPathExpr } : {}),
    })),
    securityContext,
    ...(c.readinessProbe ? { readinessProbe: c.readinessProbe } : {}),
    ...(c.livenessProbe ? { livenessProbe: c.livenessProbe } : {}),
    ...(c.startupProbe ? { startupProbe: c.startupProbe } : {}),
    ...(c.lifecycle ? { lifecycle: c.lifecycle } : {}),
    stdin: c.stdin ?? false,
    tty: c.tty ?? false,
  };
}

/**
 * Kubernetes order: envFrom sources in order (later wins), then `env` (wins over envFrom), each
 * `env` value expanded with `$(NAME)` references to variables defined before it.
 */
function resolveEnv(c: Container, ns: string, configs: ConfigIndex, podFields: PodFields): EnvPlan[] {
  const out = new Map<string, EnvPlan>();
  for (const src of c.envFrom ?? []) {
    const prefix = src.prefix ?? '';
    if (src.configMapRef) {
      const cm = configs.configMaps.get(`${ns}/${src.configMapRef.name}`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) out.set(prefix + k, { name: prefix + k, value: v });
    }
    if (src.secretRef) {
      const s = configs.secrets.get(`${ns}/${src.secretRef.name}`);
      for (const [k, v] of Object.entries(s?.data ?? {})) out.set(prefix + k, { name: prefix + k, value: Buffer.from(v, 'base64').toString('utf8'), secret: true });
    }
  }
  for (const e of c.env ?? []) {
    const known = new Map([...out.values()].filter((x): x is Extract<EnvPlan, { value: string }> => 'value' in x).map((x) => [x.name, x.value]));
    if (e.value !== undefined || !e.valueFrom) {
      out.delete(e.name);
      out.set(e.name, { name: e.name, value: expandVars(e.value ?? '', known) });
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const v = own(configs.configMaps.get(`${ns}/${vf.configMapKeyRef.name}`)?.data, vf.configMapKeyRef.key);
      if (v !== undefined) out.set(e.name, { name: e.name, value: v });
    } else if (vf.secretKeyRef) {
      const v = own(configs.secrets.get(`${ns}/${vf.secretKeyRef.name}`)?.data, vf.secretKeyRef.key);
      if (v !== undefined) out.set(e.name, { name: e.name, value: Buffer.from(v, 'base64').toString('utf8'), secret: true });
    } else {
      const v = downwardEnvValue(e, c, podFields);
      if (v) out.set(e.name, { name: e.name, ...v });
    }
  }
  return [...out.values()];
}
