import { resolveFenceposts } from '../model/int-or-string.js';
import type { AnyObject, Deployment, PodSpec, Resource, Service } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import { referencedConfigs } from '../model/pod-spec.js';
import { compareKeys, parseKey } from './resource-diff.js';
import type { FieldChange, ResourceChange, ResourceDiff } from './resource-diff.js';

/**
 * What each change of a resource diff will do on the host, derived purely from the two
 * resource sets: rollouts and their shape, restarts caused by config content (berth's pod
 * template hash includes referenced ConfigMaps and Secrets), scaling, published ports,
 * deleted volumes and namespaces. Messages name resources, never values, so nothing here
 * can leak a secret.
 */

/** Stable codes: documented in docs/diff-json.md; consumers may branch on them. */
export type EffectKind =
  | 'workload.create'
  | 'workload.delete'
  | 'rollout.rolling-update'
  | 'rollout.recreate'
  | 'rollout.paused'
  | 'rollout.pause'
  | 'rollout.resume'
  | 'rollout.settings'
  | 'rollout.config-change'
  | 'pods.replace'
  | 'pod.replace'
  | 'scale'
  | 'job.run'
  | 'job.rerun'
  | 'job.delete'
  | 'cronjob.schedule'
  | 'cronjob.template'
  | 'cronjob.suspend'
  | 'cronjob.resume'
  | 'cronjob.delete'
  | 'service.create'
  | 'service.delete'
  | 'service.type'
  | 'service.selector'
  | 'service.publish'
  | 'service.unpublish'
  | 'volume.create'
  | 'volume.update'
  | 'volume.delete'
  | 'namespace.create'
  | 'namespace.delete'
  | 'config.consumers'
  | 'resource.create'
  | 'resource.update'
  | 'resource.delete';

export interface Effect {
  kind: EffectKind;
  message: string;
  /** Loses data (volumes, namespaces) or stops pods without a rolling replacement. */
  destructive: boolean;
}

export interface PlannedChange extends ResourceChange {
  effects: Effect[];
  /** True when any effect is destructive. */
  destructive: boolean;
}

/**
 * Attaches effects to every change of `diff`, and adds an `update` change with no fields for
 * each unchanged workload whose pods restart because a ConfigMap or Secret it uses changed
 * (the live diff sees those as changed too: their spec hash moves).
 */
export function planEffects(diff: ResourceDiff): PlannedChange[] {
  const ctx: Context = { changedConfig: changedConfigContent(diff.changes), counts: countByNamespace(diff), restartedBy: new Map() };
  const candidates: Array<{ change: ResourceChange; causes: ConfigCause[] }> = [];
  for (const change of diff.changes) candidates.push({ change, causes: change.after ? configCauses(change.after, ctx.changedConfig) : [] });
  for (const r of diff.unchanged) {
    const causes = configCauses(r, ctx.changedConfig);
    if (causes.length === 0) continue;
    candidates.push({ change: { ...parseKey(r.key), action: 'update', before: r, after: r, fields: [] }, causes });
  }
  const planned: PlannedChange[] = [];
  for (const { change, causes } of candidates) {
    const effects = effectsOf(change, causes, ctx);
    // A workload running no pods has nothing to restart (its next pods read the new content),
    // so an otherwise unchanged one is not a change at all.
    if (change.fields.length === 0 && effects.length === 0) continue;
    if (effects.some((e) => e.kind === 'rollout.config-change'))
      for (const c of causes) ctx.restartedBy.set(c.key, [...(ctx.restartedBy.get(c.key) ?? []), change.key]);
    planned.push(withEffects(change, effects));
  }
  return planned.map((p) => withConsumers(p, ctx)).sort((x, y) => compareKeys(x.key, y.key));
}

interface Context {
  changedConfig: Map<string, ConfigCause>;
  counts: Map<string, number>;
  /** Config key → keys of the workloads whose pods restart because of it. */
  restartedBy: Map<string, string[]>;
}

/** On a ConfigMap or Secret change: which workloads' pods restart because of it. */
function withConsumers(p: PlannedChange, ctx: Context): PlannedChange {
  const users = ctx.restartedBy.get(p.key);
  if (!users) return p;
  const names = [...users].sort(compareKeys).map((k) => {
    const { kind, name } = parseKey(k);
    return describe(kind, name);
  });
  const verb = p.action === 'update' ? 'changed' : p.action === 'create' ? 'created' : 'deleted';
  const consumers = effect('config.consumers', `${describe(p.kind, p.name)} ${verb}: restarts ${names.join(', ')}`);
  const effects = [...p.effects.filter((e) => !e.kind.startsWith('resource.')), consumers];
  return { ...p, effects, destructive: effects.some((e) => e.destructive) };
}

function withEffects(change: ResourceChange, effects: Effect[]): PlannedChange {
  const all = effects.length > 0 ? effects : [generic(change)];
  return { ...change, effects: all, destructive: all.some((e) => e.destructive) };
}

function effect(kind: EffectKind, message: string, destructive = false): Effect {
  return { kind, message, destructive };
}

function generic(change: ResourceChange): Effect {
  const what = describe(change.kind, change.name);
  const verb = { create: 'created', update: 'updated', delete: 'deleted' }[change.action];
  return effect(`resource.${change.action}`, `${what} ${verb}`);
}

// ---------------------------------------------------------------- per kind

function effectsOf(change: ResourceChange, causes: ConfigCause[], ctx: Context): Effect[] {
  const obj = (change.after ?? change.before)!.object;
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Pod':
      return workloadEffects(change, causes);
    case 'Job':
      return jobEffects(change, causes);
    case 'CronJob':
      return cronJobEffects(change);
    case 'Service':
      return serviceEffects(change);
    case 'PersistentVolumeClaim':
      return volumeEffects(change);
    case 'Namespace':
      return namespaceEffects(change, ctx.counts);
    default:
      return [];
  }
}

/**
 * Kinds whose pods berth replaces when a referenced ConfigMap or Secret changes (their
 * template hash includes that content, see pod-plan.ts): a Job runs again. CronJobs are not
 * here: each run reads the config of its time, running jobs are left alone.
 */
const RESTARTED_BY_CONFIG: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'Pod', 'Job']);

function workloadEffects(change: ResourceChange, causes: ConfigCause[]): Effect[] {
  const ref = describe(change.kind, change.name);
  const b = change.before?.object;
  const a = change.after?.object;
  const pods = (o: AnyObject | undefined) => (o === undefined ? 0 : o.kind === 'Pod' ? 1 : replicasOf(o));
  if (!b) {
    if (a!.kind === 'Pod') return [effect('workload.create', `${ref} started`)];
    const n = pods(a);
    return [effect('workload.create', n === 0 ? `${ref} created with 0 replicas: no pods started` : `${ref} created: ${plural(n, 'pod')} started`)];
  }
  if (!a) {
    if (b.kind === 'Pod') return [effect('workload.delete', `${ref} stopped and deleted`, true)];
    const n = pods(b);
    return [effect('workload.delete', n === 0 ? `${ref} deleted: no pods were running` : `${ref} deleted: ${allPods(n)} stopped`, n > 0)];
  }
  const out: Effect[] = [];
  const from = pods(b);
  const to = pods(a);
  const running = Math.min(from, to);
  const templateChanged = touches(change.fields, a.kind === 'Pod' ? 'spec' : 'spec.template');
  const restart = templateChanged || (causes.length > 0 && running > 0);
  if (running > 0) out.push(...causes.map((c) => causeEffect(a, ref, c)));
  if (restart) out.push(...replacement(a, ref, running));
  if (from !== to) out.push(effect('scale', `scaled ${ref} ${from} → ${to}`, to === 0));
  if (a.kind === 'Deployment' && b.kind === 'Deployment') out.push(...deploymentSettings(change, a, b, ref, restart));
  return out;
}

function causeEffect(a: AnyObject, ref: string, c: ConfigCause): Effect {
  const config = `${describe(c.kind, c.name)} ${c.verb}`;
  if (a.kind === 'Deployment' && a.spec.paused)
    return effect('rollout.config-change', `pods of ${ref} are due for a restart because ${config} (rollouts are paused)`);
  if (a.kind === 'Job') return effect('rollout.config-change', `${ref} runs again because ${config}`);
  return effect('rollout.config-change', `${a.kind === 'Pod' ? ref : `pods of ${ref}`} restarted because ${config}`);
}

/** How the pods of a workload whose template (or config) changed get replaced. */
function replacement(a: AnyObject, ref: string, running: number): Effect[] {
  switch (a.kind) {
    case 'Pod':
      return [effect('pod.replace', `${ref} replaced: stopped, then started again (a bare pod has no rolling update)`, true)];
    case 'ReplicaSet':
    case 'ReplicationController': {
      if (running === 0) return [];
      const what = a.kind === 'ReplicaSet' ? 'a ReplicaSet' : 'a ReplicationController';
      return [effect('pods.replace', `${ref} replaces ${allPods(running)} at once (${what} has no rolling update)`, true)];
    }
    case 'Deployment':
      return deploymentRollout(a, ref, running);
    default:
      return [];
  }
}

function deploymentRollout(d: Deployment, ref: string, running: number): Effect[] {
  if (d.spec.paused)
    return [effect('rollout.paused', `${ref} is paused: the new template is recorded, no pods are replaced until it is resumed`)];
  if (running === 0) return [];
  const strategy = d.spec.strategy;
  if (strategy.type === 'Recreate')
    return [
      effect(
        'rollout.recreate',
        `recreate of ${ref}: ${allPods(running)} stopped before ${running === 1 ? 'a new one starts' : 'new ones start'}`,
        true,
      ),
    ];
  const { surge, unavailable } = resolveFenceposts(strategy.rollingUpdate.maxSurge, strategy.rollingUpdate.maxUnavailable, d.spec.replicas);
  return [
    effect(
      'rollout.rolling-update',
      `rolling update of ${ref}: ${plural(running, 'pod')} replaced (maxSurge ${surge}, maxUnavailable ${unavailable})`,
    ),
  ];
}

const ROLLOUT_SETTINGS = ['strategy', 'minReadySeconds', 'progressDeadlineSeconds', 'revisionHistoryLimit'];

function deploymentSettings(change: ResourceChange, a: Deployment, b: Deployment, ref: string, restart: boolean): Effect[] {
  const out: Effect[] = [];
  if (a.spec.paused !== b.spec.paused)
    out.push(a.spec.paused ? effect('rollout.pause', `rollouts of ${ref} paused`) : effect('rollout.resume', `rollouts of ${ref} resumed`));
  const settings = ROLLOUT_SETTINGS.filter((s) => touches(change.fields, `spec.${s}`));
  if (settings.length > 0 && !restart)
    out.push(effect('rollout.settings', `rollout settings of ${ref} changed (${settings.join(', ')}); running pods are kept`));
  return out;
}

function jobEffects(change: ResourceChange, causes: ConfigCause[]): Effect[] {
  const ref = describe(change.kind, change.name);
  const a = change.after?.object;
  if (!a) return [effect('job.delete', `${ref} deleted with its pods`)];
  if (a.kind !== 'Job') return [];
  if (change.action === 'create')
    return [effect('job.run', `${ref} runs to completion (completions ${a.spec.completions}, parallelism ${a.spec.parallelism})`)];
  const out = causes.map((c) => causeEffect(a, ref, c));
  if (touches(change.fields, 'spec.template')) out.push(effect('job.rerun', `${ref} re-created: it runs again with the new template`));
  else if (causes.length > 0) out.push(effect('job.rerun', `${ref} re-created: it runs again from the start`));
  return out;
}

function cronJobEffects(change: ResourceChange): Effect[] {
  const ref = describe(change.kind, change.name);
  const a = change.after?.object;
  const b = change.before?.object;
  if (!a) return [effect('cronjob.delete', `${ref} deleted: no further runs`)];
  if (a.kind !== 'CronJob') return [];
  const suspended = a.spec.suspend ? ' (suspended)' : '';
  if (b?.kind !== 'CronJob') return [effect('cronjob.schedule', `${ref} scheduled ${JSON.stringify(a.spec.schedule)}${suspended}`)];
  const out: Effect[] = [];
  if (a.spec.schedule !== b.spec.schedule)
    out.push(effect('cronjob.schedule', `${ref}: schedule ${JSON.stringify(b.spec.schedule)} → ${JSON.stringify(a.spec.schedule)}`));
  if (a.spec.suspend !== b.spec.suspend)
    out.push(a.spec.suspend ? effect('cronjob.suspend', `${ref} suspended: no new runs`) : effect('cronjob.resume', `${ref} resumed`));
  if (touches(change.fields, 'spec.jobTemplate'))
    out.push(effect('cronjob.template', `future runs of ${ref} use the new job template; running jobs are not affected`));
  return out;
}

// ---------------------------------------------------------------- services

function serviceEffects(change: ResourceChange): Effect[] {
  const b = change.before?.object as Service | undefined;
  const a = change.after?.object as Service | undefined;
  const ref = describe('Service', change.name);
  const out: Effect[] = [];
  if (a && !b) out.push(effect('service.create', `${ref} created (${serviceShape(a)})`));
  if (b && !a) out.push(effect('service.delete', `${ref} deleted: ${change.name}.${change.namespace} stops resolving`));
  if (a && b) {
    if (serviceShape(a) !== serviceShape(b)) out.push(effect('service.type', `${ref}: type ${serviceShape(b)} → ${serviceShape(a)}`));
    if (touches(change.fields, 'spec.selector'))
      out.push(effect('service.selector', `${ref}: endpoints re-selected (${selectorText(b)} → ${selectorText(a)})`));
  }
  const was = hostPorts(b);
  const now = hostPorts(a);
  for (const p of now) if (!was.includes(p)) out.push(effect('service.publish', `${ref}: ${p} published on the host`));
  for (const p of was) if (!now.includes(p)) out.push(effect('service.unpublish', `${ref}: ${p} no longer published on the host`));
  return out;
}

function serviceShape(s: Service): string {
  if (s.spec.type === 'ClusterIP' && s.spec.clusterIP === 'None') return 'headless';
  if (s.spec.type === 'ExternalName') return `ExternalName ${s.spec.externalName ?? ''}`.trim();
  return s.spec.type;
}

function selectorText(s: Service): string {
  const entries = Object.entries(s.spec.selector ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return entries.length === 0 ? 'no selector' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * Host ports a Service publishes, as phrases: a NodePort service its nodePorts (allocated
 * from 30000-32767 when not pinned); a LoadBalancer service its ports, and nodePorts pinned.
 */
function hostPorts(s: Service | undefined): string[] {
  if (!s || (s.spec.type !== 'NodePort' && s.spec.type !== 'LoadBalancer')) return [];
  const out: string[] = [];
  for (const p of s.spec.ports ?? []) {
    const proto = p.protocol === 'TCP' ? '' : `/${p.protocol}`;
    if (s.spec.type === 'LoadBalancer') out.push(`port ${p.port}${proto}`);
    if (p.nodePort !== undefined) out.push(`nodePort ${p.nodePort}${proto}`);
    else if (s.spec.type === 'NodePort') out.push(`an allocated nodePort for port ${p.port}${proto}`);
  }
  return out;
}

// ---------------------------------------------------------------- volumes, namespaces

function volumeEffects(change: ResourceChange): Effect[] {
  const ref = describe('PersistentVolumeClaim', change.name);
  if (change.action === 'create') return [effect('volume.create', `${ref} created`)];
  if (change.action === 'delete') return [effect('volume.delete', `${ref} deleted with all its data`, true)];
  if (!touches(change.fields, 'spec')) return [];
  return [effect('volume.update', `${ref}: claim changed; the existing Docker volume and its data are kept as they are`)];
}

function namespaceEffects(change: ResourceChange, counts: Map<string, number>): Effect[] {
  const ref = describe('Namespace', change.name);
  if (change.action === 'create') return [effect('namespace.create', `${ref} created (a Docker network)`)];
  if (change.action !== 'delete') return [];
  const n = counts.get(change.name) ?? 0;
  return [effect('namespace.delete', `${ref} deleted with everything in it (${plural(n, 'resource')})`, true)];
}

// ---------------------------------------------------------------- config → restarts

interface ConfigCause {
  key: string;
  kind: 'ConfigMap' | 'Secret';
  name: string;
  verb: 'changed' | 'was created' | 'was deleted';
}

/** ConfigMaps and Secrets whose content (not metadata) differs, by key. */
function changedConfigContent(changes: readonly ResourceChange[]): Map<string, ConfigCause> {
  const out = new Map<string, ConfigCause>();
  for (const c of changes) {
    if (c.kind !== 'ConfigMap' && c.kind !== 'Secret') continue;
    const content = c.fields.some((f) => ['data', 'binaryData', 'stringData'].some((p) => isUnder(f.path, p)));
    if (c.action === 'update' && !content) continue;
    const verb = c.action === 'update' ? 'changed' : c.action === 'create' ? 'was created' : 'was deleted';
    out.set(c.key, { key: c.key, kind: c.kind, name: c.name, verb });
  }
  return out;
}

function configCauses(r: Resource, changed: Map<string, ConfigCause>): ConfigCause[] {
  if (changed.size === 0 || !RESTARTED_BY_CONFIG.has(r.object.kind)) return [];
  const spec = podSpecOf(r.object);
  if (!spec) return [];
  const ns = parseKey(r.key).namespace;
  const causes: ConfigCause[] = [];
  for (const key of [...configRefs(spec, ns)].sort(compareKeys)) {
    const cause = changed.get(key);
    if (cause) causes.push(cause);
  }
  return causes;
}

/**
 * Keys of the ConfigMaps and Secrets a pod uses (volumes, envFrom, valueFrom): the same
 * references the planner hashes into the pod template (pod-plan.ts), so the effects shown
 * match what apply does.
 */
function configRefs(spec: PodSpec, namespace: string): Set<string> {
  const { configMaps, secrets } = referencedConfigs(namespace, spec);
  const key = (kind: string, nsName: string) => resourceKey(kind, namespace, nsName.slice(nsName.indexOf('/') + 1));
  return new Set([...configMaps.map((n) => key('ConfigMap', n)), ...secrets.map((n) => key('Secret', n))]);
}

function podSpecOf(o: AnyObject): PodSpec | undefined {
  switch (o.kind) {
    case 'Pod':
      return o.spec;
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
      return o.spec.template?.spec;
    case 'CronJob':
      return o.spec.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

function countByNamespace(diff: ResourceDiff): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => {
    const ns = parseKey(key).namespace;
    if (ns !== '') counts.set(ns, (counts.get(ns) ?? 0) + 1);
  };
  for (const c of diff.changes) if (c.before) add(c.key);
  for (const r of diff.unchanged) add(r.key);
  return counts;
}

// ---------------------------------------------------------------- wording

const SHORT: Record<string, string> = {
  Deployment: 'deploy/',
  ReplicaSet: 'rs/',
  ReplicationController: 'rc/',
  Pod: 'pod/',
  Job: 'job/',
  CronJob: 'cronjob/',
  Service: 'service ',
  ConfigMap: 'configmap ',
  Secret: 'secret ',
  PersistentVolumeClaim: 'volume ',
  Namespace: 'namespace ',
};

/** `deploy/web`, `configmap web-config`, `volume data`: how effect messages name a resource. */
export function describe(kind: string, name: string): string {
  return `${SHORT[kind] ?? `${kind.toLowerCase()} `}${name}`;
}

function replicasOf(o: AnyObject): number {
  const spec = (o as { spec?: { replicas?: unknown } }).spec;
  return typeof spec?.replicas === 'number' ? spec.replicas : 1;
}

function allPods(n: number): string {
  return n === 1 ? 'its pod' : `all ${n} pods`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function touches(fields: readonly FieldChange[], prefix: string): boolean {
  return fields.some((f) => isUnder(f.path, prefix) || isUnder(prefix, f.path));
}

/** `path` is `prefix` or lies beneath it (`spec.template.spec...`, `spec.template[...]`). */
export function isUnder(path: string, prefix: string): boolean {
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
}
