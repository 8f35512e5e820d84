import type { Container, PodTemplateSpec, Probe, StringMap, Volume } from '../../model/types.js';
import { canonicalFieldPath, resourceFieldValue, splitFieldPath } from '../../model/downward.js';
import { own } from '../../model/own.js';
import type { ContainerStatusView, PodItem } from '../../runtime/views/index.js';
import type { DescribeWriter } from './describe.js';
import { describeTime, labelLines } from './describe.js';

/** The pod's fields `fieldRef` env vars read, which kubectl shows resolved next to their path. */
export interface FieldValues {
  /** By field path (`metadata.uid`, `status.hostIP`, ...). */
  paths?: Readonly<Record<string, string>>;
  labels?: StringMap;
  annotations?: StringMap;
}

function fieldValue(fields: FieldValues, fieldPath: string): string | undefined {
  const { path, key } = splitFieldPath(canonicalFieldPath(fieldPath));
  if (key === undefined) return own(fields.paths, path);
  const map = path === 'metadata.labels' ? fields.labels : path === 'metadata.annotations' ? fields.annotations : undefined;
  return map ? (own(map, key) ?? '') : undefined;
}

/**
 * Environment lines. Values from Secrets are never shown, only where they come from (SPEC §8):
 * `<set to the key 'k' in secret 's'>`, exactly kubectl's wording.
 */
export function envLines(c: Container, fields: FieldValues): string[] {
  const out: string[] = [];
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) out.push(`${e.name}:\t${e.value ?? ''}`);
    else if (vf.secretKeyRef) out.push(`${e.name}:\t<set to the key '${vf.secretKeyRef.key}' in secret '${vf.secretKeyRef.name}'>\tOptional: ${vf.secretKeyRef.optional ?? false}`);
    else if (vf.configMapKeyRef) out.push(`${e.name}:\t<set to the key '${vf.configMapKeyRef.key}' of config map '${vf.configMapKeyRef.name}'>\tOptional: ${vf.configMapKeyRef.optional ?? false}`);
    else if (vf.fieldRef) {
      const value = fieldValue(fields, vf.fieldRef.fieldPath);
      out.push(`${e.name}:\t${value !== undefined ? `${value} ` : ''}(${vf.fieldRef.apiVersion ?? 'v1'}:${vf.fieldRef.fieldPath})`);
    } else if (vf.resourceFieldRef) {
      // kubectl's wording: the value from the spec, or where it comes from when no limit is set.
      const r = vf.resourceFieldRef;
      const target = r.containerName ? undefined : c;
      const written = target ? resourceFieldValue(r.resource, r.divisor, target.resources, { cpu: 0, memory: 0, ephemeralStorage: 0 }) : undefined;
      const value = written === undefined ? '' : written === '0' && r.resource.startsWith('limits.') ? 'node allocatable' : written;
      out.push(`${e.name}:\t${value ? `${value} ` : ''}(${r.containerName ? `${r.containerName}:` : ''}${r.resource})`);
    }
  }
  return alignTabs(out);
}

/** The columns of env lines aligned among themselves (they are one tabwriter block in kubectl). */
function alignTabs(lines: string[]): string[] {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join(''));
}

export function probeText(p: Probe): string {
  const timing = `delay=${p.initialDelaySeconds}s timeout=${p.timeoutSeconds}s period=${p.periodSeconds}s #success=${p.successThreshold} #failure=${p.failureThreshold}`;
  if (p.httpGet) {
    const host = p.httpGet.host ?? '';
    return `http-get ${p.httpGet.scheme.toLowerCase()}://${host}:${p.httpGet.port}${p.httpGet.path} ${timing}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${timing}`;
  if (p.exec) return `exec [${p.exec.command.join(' ')}] ${timing}`;
  // kubectl's form: the pod is implicit (a gRPC probe has no host).
  if (p.grpc) return `grpc <pod>:${p.grpc.port} ${p.grpc.service ?? ''} ${timing}`;
  return `unknown ${timing}`;
}

function portsOf(c: Container): { ports: string; hostPorts: string } {
  const ps = c.ports ?? [];
  if (ps.length === 0) return { ports: '<none>', hostPorts: '<none>' };
  return {
    ports: ps.map((p) => `${p.containerPort}/${p.protocol}${p.name ? ` (${p.name})` : ''}`).join(', '),
    hostPorts: ps.map((p) => `${p.hostPort ?? 0}/${p.protocol}`).join(', '),
  };
}

function writeResources(w: DescribeWriter, level: number, title: string, values: Record<string, string> | undefined): void {
  const keys = Object.keys(values ?? {}).sort();
  if (!keys.length) return;
  w.line(level, `${title}:`);
  for (const k of keys) w.kv(level + 1, k, values![k]!);
}

export interface ContainerSection {
  spec?: Container;
  /** Present for pods, absent for templates. */
  status?: ContainerStatusView;
  fields: FieldValues;
}

/** One container, as `describe pod` (with status) or a Pod Template (spec only) shows it. */
export function writeContainer(w: DescribeWriter, level: number, name: string, s: ContainerSection, header = `${'  '.repeat(level)}${name}:`): void {
  w.line(0, header);
  const l = level + 1;
  if (s.status) w.kv(l, 'Container ID', s.status.containerID ?? '');
  w.kv(l, 'Image', s.spec?.image ?? s.status?.image ?? '');
  if (s.status) w.kv(l, 'Image ID', s.status.imageID);
  if (!s.spec) {
    if (s.status) writeState(w, l, s.status);
    w.kv(l, 'Environment', '<unknown: the pod template is not in berth\'s records>');
    return;
  }
  const { ports, hostPorts } = portsOf(s.spec);
  w.kv(l, (s.spec.ports?.length ?? 0) > 1 ? 'Ports' : 'Port', ports);
  w.kv(l, (s.spec.ports?.length ?? 0) > 1 ? 'Host Ports' : 'Host Port', hostPorts);
  if (s.spec.command) {
    w.line(l, 'Command:');
    for (const c of s.spec.command) w.line(l + 1, c.replace(/\n/g, `\n${'  '.repeat(l + 1)}`));
  }
  if (s.spec.args) {
    w.line(l, 'Args:');
    for (const a of s.spec.args) w.line(l + 1, a.replace(/\n/g, `\n${'  '.repeat(l + 1)}`));
  }
  if (s.status) writeState(w, l, s.status);
  writeResources(w, l, 'Limits', s.spec.resources?.limits);
  writeResources(w, l, 'Requests', s.spec.resources?.requests);
  if (s.spec.livenessProbe) w.kv(l, 'Liveness', probeText(s.spec.livenessProbe));
  if (s.spec.readinessProbe) w.kv(l, 'Readiness', probeText(s.spec.readinessProbe));
  if (s.spec.startupProbe) w.kv(l, 'Startup', probeText(s.spec.startupProbe));
  if (s.spec.envFrom?.length) {
    w.line(l, 'Environment Variables from:');
    for (const f of s.spec.envFrom) {
      const src = f.configMapRef ? `${f.configMapRef.name}  ConfigMap  Optional: ${f.configMapRef.optional ?? false}` : `${f.secretRef?.name}  Secret  Optional: ${f.secretRef?.optional ?? false}`;
      w.line(l + 1, `${src}${f.prefix ? `  Prefix: ${f.prefix}` : ''}`);
    }
  }
  const env = envLines(s.spec, s.fields);
  if (env.length) {
    w.line(l, 'Environment:');
    for (const e of env) w.line(l + 1, e);
  } else w.kv(l, 'Environment', '<none>');
  const mounts = (s.spec.volumeMounts ?? []).map((m) => `${m.mountPath}${m.subPath ? ` from ${m.name} (${m.readOnly ? 'ro' : 'rw'},path="${m.subPath}")` : ` from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`}`);
  if (mounts.length) {
    w.line(l, 'Mounts:');
    for (const m of mounts) w.line(l + 1, m);
  } else w.kv(l, 'Mounts', '<none>');
}

function writeState(w: DescribeWriter, level: number, s: ContainerStatusView): void {
  writeOneState(w, level, 'State', s.state);
  if (s.lastState.terminated || s.lastState.waiting || s.lastState.running) writeOneState(w, level, 'Last State', s.lastState);
  w.kv(level, 'Ready', s.ready ? 'True' : 'False');
  w.kv(level, 'Restart Count', s.restartCount);
}

function writeOneState(w: DescribeWriter, level: number, title: string, st: ContainerStatusView['state']): void {
  if (st.running) {
    w.kv(level, title, 'Running');
    w.kv(level + 1, 'Started', describeTime(st.running.startedAt));
  } else if (st.waiting) {
    w.kv(level, title, 'Waiting');
    w.kv(level + 1, 'Reason', st.waiting.reason);
    if (st.waiting.message) w.kv(level + 1, 'Message', st.waiting.message);
  } else if (st.terminated) {
    const t = st.terminated;
    w.kv(level, title, 'Terminated');
    w.kv(level + 1, 'Reason', t.reason);
    if (t.message) w.kv(level + 1, 'Message', t.message);
    if (t.exitCode !== undefined) w.kv(level + 1, 'Exit Code', t.exitCode);
    if (t.startedAt) w.kv(level + 1, 'Started', describeTime(t.startedAt));
    if (t.finishedAt) w.kv(level + 1, 'Finished', describeTime(t.finishedAt));
  } else w.kv(level, title, 'Waiting');
}

export function writeVolumes(w: DescribeWriter, level: number, volumes: readonly Volume[] | undefined): void {
  if (!volumes?.length) {
    w.kv(level, 'Volumes', '<none>');
    return;
  }
  w.line(level, 'Volumes:');
  for (const v of volumes) {
    w.line(level + 1, `${v.name}:`);
    const l = level + 2;
    if (v.persistentVolumeClaim) {
      w.kv(l, 'Type', 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)');
      w.kv(l, 'ClaimName', v.persistentVolumeClaim.claimName);
      w.kv(l, 'ReadOnly', v.persistentVolumeClaim.readOnly ?? false);
    } else if (v.configMap) {
      w.kv(l, 'Type', 'ConfigMap (a volume populated by a ConfigMap)');
      w.kv(l, 'Name', v.configMap.name);
      w.kv(l, 'Optional', v.configMap.optional ?? false);
    } else if (v.secret) {
      w.kv(l, 'Type', 'Secret (a volume populated by a Secret)');
      w.kv(l, 'SecretName', v.secret.secretName);
      w.kv(l, 'Optional', v.secret.optional ?? false);
    } else if (v.hostPath) {
      w.kv(l, 'Type', 'HostPath (bare host directory volume)');
      w.kv(l, 'Path', v.hostPath.path);
      w.kv(l, 'HostPathType', v.hostPath.type ?? '');
    } else if (v.downwardAPI) {
      // kubectl's lines: "metadata.labels -> labels", "limits.cpu -> cpu_limit".
      w.kv(l, 'Type', 'DownwardAPI (a volume populated by information about the pod)');
      w.line(l, 'Items:');
      for (const i of v.downwardAPI.items ?? []) w.line(l + 1, `${i.fieldRef?.fieldPath ?? i.resourceFieldRef?.resource ?? ''} -> ${i.path}`);
    } else if (v.projected) {
      w.kv(l, 'Type', 'Projected (a volume that contains injected data from multiple sources)');
      for (const p of v.projected.sources ?? []) {
        if (p.configMap) w.kv(l, 'ConfigMapName', p.configMap.name);
        if (p.secret) w.kv(l, 'SecretName', p.secret.name);
        if (p.downwardAPI) w.kv(l, 'DownwardAPI', 'true');
      }
    } else {
      w.kv(l, 'Type', 'EmptyDir (a temporary directory that shares a pod\'s lifetime)');
      w.kv(l, 'Medium', v.emptyDir?.medium ?? '');
      w.kv(l, 'SizeLimit', v.emptyDir?.sizeLimit ?? '<unset>');
    }
  }
}

/** The `Pod Template:` section of controllers. */
export function writePodTemplate(w: DescribeWriter, template: PodTemplateSpec | undefined): void {
  w.line(0, 'Pod Template:');
  if (!template) {
    w.line(1, '<unknown>');
    return;
  }
  w.list(1, 'Labels', labelLines(template.metadata.labels));
  const annotations = Object.entries(template.metadata.annotations ?? {}).map(([k, v]) => `${k}: ${v}`);
  if (annotations.length) w.list(1, 'Annotations', annotations);
  const section = (title: string, cs: readonly Container[] | undefined) => {
    if (!cs?.length) return;
    w.line(1, `${title}:`);
    // kubectl indents template container names by three spaces.
    for (const c of cs) writeContainer(w, 1, c.name, { spec: c, fields: {} }, `   ${c.name}:`);
  };
  section('Init Containers', template.spec.initContainers);
  section('Containers', template.spec.containers);
  writeVolumes(w, 1, template.spec.volumes);
}

/** The fields a pod's env reads, from the pod as `get -o yaml` shows it (so both agree). */
export function podFieldValues(pod: PodItem): FieldValues {
  const { metadata, spec, status } = pod;
  const sa = spec as { serviceAccountName?: string; serviceAccount?: string };
  const paths: Record<string, string> = {
    'metadata.name': metadata.name,
    'metadata.namespace': metadata.namespace ?? 'default',
    'metadata.uid': metadata.uid,
    'spec.serviceAccountName': sa.serviceAccountName || sa.serviceAccount || 'default',
    ...(spec.nodeName ? { 'spec.nodeName': spec.nodeName } : {}),
    ...(status.hostIP ? { 'status.hostIP': status.hostIP, 'status.hostIPs': (status.hostIPs ?? []).map((i) => i.ip).join(',') } : {}),
    ...(status.podIP ? { 'status.podIP': status.podIP, 'status.podIPs': (status.podIPs ?? []).map((i) => i.ip).join(',') } : {}),
  };
  return { paths, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} };
}
