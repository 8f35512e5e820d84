import type { Container, CronJob, Deployment, LabelSelector, StringMap } from '../../model/types.js';
import type { EventRecord } from '../../runtime/store/index.js';
import type { View, ViewOf } from '../../runtime/views/index.js';
import { serviceEndpoints } from '../../runtime/views/endpoints.js';
import { humanDuration } from './age.js';
import { podFieldValues, writeContainer, writePodTemplate, writeVolumes } from './describe-containers.js';
import { annotationLines, describeTime, DescribeWriter, labelLines, writeEvents } from './describe.js';
import { accessModes, labelSelectorText } from './table.js';
import { describeAccess, isAccessView } from './describe-access.js';
import { describeDaemonSet } from './describe-daemonset.js';
import { describeStatefulSet } from './describe-statefulset.js';
import { describeStorageClass, describeVolume } from './describe-storage.js';
import { describeEdge, isEdgeView } from './describe-edge.js';

/** What describing one object may need besides the object: its events and related objects. */
export interface DescribeInput {
  events: readonly EventRecord[];
  now: number;
  /** Every pod of the app (endpoints, "Used By", pod counts). */
  pods: readonly ViewOf<'Pod'>[];
  /** Every ReplicaSet of the app (a Deployment's old and new ones). */
  replicaSets: readonly ViewOf<'ReplicaSet'>[];
}

/** `kubectl describe` text for one object. Pure. */
export function describeView(view: View, input: DescribeInput): string {
  const w = new DescribeWriter();
  switch (view.kind) {
    case 'Pod':
      describePod(w, view);
      break;
    case 'Deployment':
      describeDeployment(w, view, input);
      break;
    case 'ReplicaSet':
    case 'ReplicationController':
      describeReplicaSet(w, view, input);
      break;
    case 'Service':
      describeService(w, view, input);
      break;
    case 'ConfigMap':
      describeConfigMap(w, view);
      break;
    case 'Secret':
      describeSecret(w, view);
      break;
    case 'PersistentVolumeClaim':
      describeClaim(w, view, input);
      break;
    case 'Namespace':
      header(w, view, { namespace: false });
      w.kv(0, 'Status', view.object.status.phase);
      break;
    case 'Job':
      describeJob(w, view, input);
      break;
    case 'CronJob':
      describeCronJob(w, view);
      break;
    case 'DaemonSet':
      describeDaemonSet(w, view, input);
      break;
    case 'StatefulSet':
      describeStatefulSet(w, view, input.pods);
      break;
    case 'PersistentVolume':
      describeVolume(w, view);
      break;
    case 'StorageClass':
      describeStorageClass(w, view);
      break;
    default:
      if (isEdgeView(view)) describeEdge(w, view);
      else if (isAccessView(view)) describeAccess(w, view);
  }
  writeEvents(w, input.events, input.now);
  return w.render();
}

function header(w: DescribeWriter, view: View, o: { namespace?: boolean; labels?: boolean } = {}): void {
  w.kv(0, 'Name', view.name);
  if (o.namespace !== false) w.kv(0, 'Namespace', view.namespace);
  if (o.labels !== false) {
    w.list(0, 'Labels', labelLines(view.object.metadata.labels));
    w.list(0, 'Annotations', annotationLines(view.object.metadata.annotations));
  }
}

function controlledBy(view: View): string | undefined {
  const ref = view.object.metadata.ownerReferences?.[0];
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

function describePod(w: DescribeWriter, view: ViewOf<'Pod'>): void {
  const { spec, status, metadata } = view.object;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'Node', spec.nodeName ? `${spec.nodeName}${status.hostIP ? `/${status.hostIP}` : ''}` : '<none>');
  w.kv(0, 'Start Time', describeTime(status.startTime));
  w.list(0, 'Labels', labelLines(metadata.labels));
  w.list(0, 'Annotations', annotationLines(metadata.annotations));
  w.kv(0, 'Status', view.statusReason === status.phase ? status.phase : `${status.phase} (${view.statusReason})`);
  w.kv(0, 'IP', status.podIP ?? '');
  if (status.podIPs?.length) {
    w.line(0, 'IPs:');
    for (const ip of status.podIPs) w.kv(1, 'IP', ip.ip);
  } else w.kv(0, 'IPs', '<none>');
  const by = controlledBy(view);
  if (by) w.kv(0, 'Controlled By', by);
  const fields = podFieldValues(view.object);
  const specOf = (name: string, list: ReadonlyArray<Container | { name: string; image: string }> | undefined) => {
    const c = list?.find((x) => x.name === name);
    return c && 'imagePullPolicy' in c ? c : undefined;
  };
  if (status.initContainerStatuses?.length) {
    w.line(0, 'Init Containers:');
    for (const s of status.initContainerStatuses) writeContainer(w, 1, s.name, { status: s, fields, ...optionalSpec(specOf(s.name, spec.initContainers)) });
  }
  w.line(0, 'Containers:');
  for (const s of status.containerStatuses) writeContainer(w, 1, s.name, { status: s, fields, ...optionalSpec(specOf(s.name, spec.containers)) });
  w.line(0, 'Conditions:');
  w.table(1, [['Type', 'Status'], ...status.conditions.map((c) => [c.type, c.status])]);
  writeVolumes(w, 0, spec.volumes);
  w.kv(0, 'QoS Class', status.qosClass ?? '<unknown>');
}

function optionalSpec(spec: Container | undefined): { spec?: Container } {
  return spec ? { spec } : {};
}

function describeDeployment(w: DescribeWriter, view: ViewOf<'Deployment'>, input: DescribeInput): void {
  const d = view.object;
  const spec = d.spec as unknown as Deployment['spec'];
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'CreationTimestamp', describeTime(d.metadata.creationTimestamp));
  w.list(0, 'Labels', labelLines(d.metadata.labels));
  w.list(0, 'Annotations', annotationLines(d.metadata.annotations));
  w.kv(0, 'Selector', labelSelectorText(spec.selector));
  const st = d.status;
  w.kv(0, 'Replicas', `${spec.replicas} desired | ${st.updatedReplicas} updated | ${st.replicas} total | ${st.availableReplicas} available | ${st.unavailableReplicas} unavailable`);
  w.kv(0, 'StrategyType', spec.strategy.type);
  w.kv(0, 'MinReadySeconds', spec.minReadySeconds);
  if (spec.strategy.type === 'RollingUpdate') w.kv(0, 'RollingUpdateStrategy', `${spec.strategy.rollingUpdate.maxUnavailable} max unavailable, ${spec.strategy.rollingUpdate.maxSurge} max surge`);
  writePodTemplate(w, spec.template);
  w.line(0, 'Conditions:');
  w.table(1, [['Type', 'Status', 'Reason'], ['----', '------', '------'], ...st.conditions.map((c) => [c.type, c.status, c.reason ?? ''])]);
  const mine = input.replicaSets.filter((rs) => rs.namespace === view.namespace && rs.object.metadata.ownerReferences?.[0]?.name === view.name);
  const current = mine.find((rs) => view.templateHash !== undefined && rs.labels['pod-template-hash'] === view.templateHash);
  const text = (rs: ViewOf<'ReplicaSet'>) => `${rs.name} (${rs.object.status.replicas}/${rs.object.spec.replicas} replicas created)`;
  const old = mine.filter((rs) => rs !== current && rs.object.status.replicas > 0);
  w.kv(0, 'OldReplicaSets', old.length ? old.map(text).join(', ') : '<none>');
  w.kv(0, 'NewReplicaSet', current ? text(current) : '<none>');
}

function podCounts(pods: readonly ViewOf<'Pod'>[]): string {
  const phase = (p: string) => pods.filter((x) => x.object.status.phase === p).length;
  return `${phase('Running')} Running / ${phase('Pending')} Waiting / ${phase('Succeeded')} Succeeded / ${phase('Failed')} Failed`;
}

function describeReplicaSet(w: DescribeWriter, view: ViewOf<'ReplicaSet'> | ViewOf<'ReplicationController'>, input: DescribeInput): void {
  const rs = view.object;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'Selector', labelSelectorText(rs.spec.selector as LabelSelector | StringMap));
  w.list(0, 'Labels', labelLines(rs.metadata.labels));
  w.list(0, 'Annotations', annotationLines(rs.metadata.annotations));
  const by = controlledBy(view);
  if (by) w.kv(0, 'Controlled By', by);
  w.kv(0, 'Replicas', `${rs.status.replicas} current / ${rs.spec.replicas} desired`);
  const pods = input.pods.filter((p) => p.namespace === view.namespace && (p.owner === view.key || p.controller === view.key));
  w.kv(0, 'Pods Status', podCounts(pods));
  writePodTemplate(w, rs.spec.template);
}

function describeService(w: DescribeWriter, view: ViewOf<'Service'>, input: DescribeInput): void {
  const s = view.object.spec;
  header(w, view);
  w.kv(0, 'Selector', labelSelectorText(s.selector));
  w.kv(0, 'Type', s.type);
  if (s.type === 'ExternalName') w.kv(0, 'External Name', s.externalName ?? '');
  else w.kv(0, 'IP', s.clusterIP || '<none>');
  for (const { port: p, endpoints } of serviceEndpoints(view, input.pods)) {
    w.kv(0, 'Port', `${p.name || '<unset>'}  ${p.port}/${p.protocol}`);
    w.kv(0, 'TargetPort', `${p.targetPort}/${p.protocol}`);
    if (p.nodePort) w.kv(0, 'NodePort', `${p.name || '<unset>'}  ${p.nodePort}/${p.protocol}`);
    const ready = endpoints.filter((e) => e.ready).map((e) => e.address);
    w.kv(0, 'Endpoints', ready.length ? ready.join(',') : '<none>');
  }
  w.kv(0, 'Session Affinity', String(s['sessionAffinity'] ?? 'None'));
}

function describeConfigMap(w: DescribeWriter, view: ViewOf<'ConfigMap'>): void {
  header(w, view);
  w.blank().line(0, 'Data').line(0, '====');
  // kubectl prints each value followed by a newline: a value ending in one leaves a blank line.
  for (const k of Object.keys(view.object.data ?? {}).sort()) {
    w.line(0, `${k}:`).line(0, '----');
    for (const l of `${view.object.data![k]!}`.split('\n')) w.line(0, l);
  }
  w.blank().line(0, 'BinaryData').line(0, '====');
  for (const k of Object.keys(view.object.binaryData ?? {}).sort()) w.line(0, `${k}: ${Buffer.from(view.object.binaryData![k]!, 'base64').length} bytes`);
  w.blank();
}

/** Only sizes: describe never prints a Secret's values (kubectl does the same). */
function describeSecret(w: DescribeWriter, view: ViewOf<'Secret'>): void {
  header(w, view);
  w.blank().kv(0, 'Type', view.object.type).blank().line(0, 'Data').line(0, '====');
  const data = view.object.data ?? {};
  for (const k of Object.keys(data).sort()) w.kv(0, k, `${Buffer.from(data[k]!, 'base64').length} bytes`);
  w.blank();
}

function describeClaim(w: DescribeWriter, view: ViewOf<'PersistentVolumeClaim'>, input: DescribeInput): void {
  const o = view.object;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'StorageClass', String(o.spec['storageClassName'] ?? ''));
  w.kv(0, 'Status', o.status.phase);
  w.kv(0, 'Volume', o.spec.volumeName ?? '');
  if (view.reason) w.kv(0, 'Reason', view.reason);
  w.list(0, 'Labels', labelLines(o.metadata.labels));
  w.list(0, 'Annotations', annotationLines(o.metadata.annotations));
  w.kv(0, 'Capacity', o.status.capacity?.['storage'] ?? '');
  w.kv(0, 'Access Modes', accessModes(o.status.accessModes ?? o.spec.accessModes));
  w.kv(0, 'VolumeMode', o.spec.volumeMode ?? 'Filesystem');
  const users = input.pods.filter((p) => p.namespace === view.namespace && (p.object.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === view.name));
  w.kv(0, 'Used By', users.length ? users.map((p) => p.name).join(', ') : '<none>');
}

function describeJob(w: DescribeWriter, view: ViewOf<'Job'>, input: DescribeInput): void {
  const j = view.object;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'Selector', `job-name=${view.name}`);
  w.list(0, 'Labels', labelLines(j.metadata.labels));
  w.list(0, 'Annotations', annotationLines(j.metadata.annotations));
  const by = controlledBy(view);
  if (by) w.kv(0, 'Controlled By', by);
  w.kv(0, 'Parallelism', j.spec.parallelism);
  w.kv(0, 'Completions', j.spec.completions);
  w.kv(0, 'Completion Mode', 'NonIndexed');
  w.kv(0, 'Start Time', describeTime(j.status.startTime));
  if (j.status.completionTime) {
    w.kv(0, 'Completed At', describeTime(j.status.completionTime));
    w.kv(0, 'Duration', humanDuration(Date.parse(j.status.completionTime) - Date.parse(j.status.startTime ?? j.status.completionTime)));
  }
  const ready = input.pods.filter((p) => p.controller === view.key && p.ready).length;
  w.kv(0, 'Pods Statuses', `${j.status.active} Active (${ready} Ready) / ${j.status.succeeded} Succeeded / ${j.status.failed} Failed`);
  writePodTemplate(w, j.spec.template);
}

function describeCronJob(w: DescribeWriter, view: ViewOf<'CronJob'>): void {
  const spec = view.object.spec as unknown as CronJob['spec'];
  header(w, view);
  w.kv(0, 'Schedule', spec.schedule);
  w.kv(0, 'Concurrency Policy', spec.concurrencyPolicy);
  w.kv(0, 'Suspend', spec.suspend ? 'True' : 'False');
  w.kv(0, 'Successful Job History Limit', spec.successfulJobsHistoryLimit);
  w.kv(0, 'Failed Job History Limit', spec.failedJobsHistoryLimit);
  w.kv(0, 'Starting Deadline Seconds', spec.startingDeadlineSeconds !== undefined ? `${spec.startingDeadlineSeconds}s` : '<unset>');
  w.kv(0, 'Parallelism', spec.jobTemplate.spec.parallelism);
  w.kv(0, 'Completions', spec.jobTemplate.spec.completions);
  writePodTemplate(w, spec.jobTemplate.spec.template);
  const st = view.object.status;
  w.kv(0, 'Last Schedule Time', st.lastScheduleTime ? describeTime(st.lastScheduleTime) : '<unset>');
  w.kv(0, 'Active Jobs', st.active?.length ? st.active.map((a) => a.name).join(', ') : '<none>');
}
