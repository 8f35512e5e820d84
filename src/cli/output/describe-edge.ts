import type { IngressBackend } from '../../model/types.js';
import type { View, ViewOf } from '../../runtime/views/index.js';
import { annotationLines, DescribeWriter, labelLines } from './describe.js';
import { KIND_NOTES } from './kind-notes.js';

// `kubectl describe` of the edge's kinds: kubectl's own layout for Ingress and IngressClass, and
// for the Gateway API and cert-manager kinds the layout kubectl gives custom resources (API
// Version, Kind, then Spec and Status with each field name in words), plus a Note of what runs.

type EdgeView = ViewOf<'Ingress' | 'IngressClass' | 'GatewayClass' | 'Gateway' | 'HTTPRoute' | 'Issuer' | 'ClusterIssuer' | 'Certificate'>;

const EDGE_KINDS: ReadonlySet<string> = new Set(['Ingress', 'IngressClass', 'GatewayClass', 'Gateway', 'HTTPRoute', 'Issuer', 'ClusterIssuer', 'Certificate']);

export function isEdgeView(view: View): view is EdgeView {
  return EDGE_KINDS.has(view.kind);
}

export function describeEdge(w: DescribeWriter, view: EdgeView): void {
  switch (view.kind) {
    case 'Ingress':
      describeIngress(w, view);
      break;
    case 'IngressClass':
      w.kv(0, 'Name', view.name);
      w.list(0, 'Labels', labelLines(view.object.metadata.labels));
      w.list(0, 'Annotations', annotationLines(view.object.metadata.annotations));
      w.kv(0, 'Controller', view.object.spec.controller ?? '');
      break;
    default:
      describeResource(w, view);
  }
  // Only the kinds whose meaning on this host needs a word have a note; an empty `Note:` says nothing.
  const note = KIND_NOTES[view.kind];
  if (note) w.kv(0, 'Note', note);
}

function backendText(b: IngressBackend | undefined): string {
  const s = b?.service;
  if (!s) return '<default>';
  return `${s.name}:${s.port?.name ?? s.port?.number ?? ''}`;
}

function describeIngress(w: DescribeWriter, view: ViewOf<'Ingress'>): void {
  const { spec, status, metadata } = view.object;
  w.kv(0, 'Name', view.name);
  w.list(0, 'Labels', labelLines(metadata.labels));
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'Address', (status.loadBalancer.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').join(','));
  w.kv(0, 'Ingress Class', spec.ingressClassName ?? '<none>');
  w.kv(0, 'Default backend', spec.defaultBackend ? backendText(spec.defaultBackend) : '<default>');
  if (spec.tls?.length) {
    w.line(0, 'TLS:');
    for (const t of spec.tls) w.line(1, `${t.secretName ?? 'SNI routes'} terminates ${(t.hosts ?? []).join(',')}`);
  }
  w.line(0, 'Rules:');
  const rows: string[][] = [['Host', 'Path', 'Backends'], ['----', '----', '--------']];
  for (const rule of spec.rules ?? []) {
    rows.push([rule.host ?? '*', '', '']);
    for (const p of rule.http?.paths ?? []) rows.push(['', `${p.path ?? ''} (${p.pathType})`, backendText(p.backend)]);
  }
  if (!spec.rules?.length) rows.push(['*', '*', backendText(spec.defaultBackend)]);
  w.table(1, rows);
  w.list(0, 'Annotations', annotationLines(metadata.annotations));
}

/** kubectl's custom-resource layout: `apiVersion` → `API Version`, `certificateRefs` → `Certificate Refs`. */
export function fieldTitle(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return (words.charAt(0).toUpperCase() + words.slice(1)).replace(/\bApi\b/g, 'API');
}

function describeResource(w: DescribeWriter, view: EdgeView): void {
  const o = view.object as unknown as { apiVersion: string; kind: string; metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp: string }; spec?: unknown; status?: unknown };
  w.kv(0, 'Name', view.name);
  if (view.namespace) w.kv(0, 'Namespace', view.namespace);
  w.list(0, 'Labels', labelLines(o.metadata.labels));
  w.list(0, 'Annotations', annotationLines(o.metadata.annotations));
  w.kv(0, 'API Version', o.apiVersion);
  w.kv(0, 'Kind', o.kind);
  w.line(0, 'Metadata:');
  w.kv(1, 'Creation Timestamp', o.metadata.creationTimestamp);
  writeValue(w, 0, 'Spec', o.spec);
  writeValue(w, 0, 'Status', o.status);
}

function writeValue(w: DescribeWriter, level: number, key: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      w.list(level, key, value.map(String));
      return;
    }
    w.line(level, `${key}:`);
    for (const item of value) {
      // kubectl marks each element of a list of objects by indenting its fields under the key.
      const entries = Object.entries(item as Record<string, unknown>);
      entries.forEach(([k, v]) => writeValue(w, level + 1, fieldTitle(k), v));
    }
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return;
    w.line(level, `${key}:`);
    for (const [k, v] of entries) writeValue(w, level + 1, /^[a-z]/.test(k) && !k.includes('.') && !k.includes('/') ? fieldTitle(k) : k, v);
    return;
  }
  w.kv(level, key, String(value));
}
