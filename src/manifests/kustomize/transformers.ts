import type { BuildContext, KResource, Obj, Origin } from './types.js';
import type { Kustomization, Pairs } from './kustomization.js';
import { isObj } from './kustomization.js';
import type { FieldSpec } from './fieldspecs.js';
import { COMMON_ANNOTATIONS, COMMON_LABELS, INCLUDE_TEMPLATES, METADATA_LABELS, UNPREFIXED_KINDS, appliesTo, groupOf, isNamespaced, kindOf } from './fieldspecs.js';
import { applyImages, applyReplicas } from './images.js';

/**
 * kustomize's builtin transformers after the patches, in its order (kusttarget_configplugin.go
 * configureBuiltinTransformers): namespace, prefix/suffix, labels, annotations, (JSON 6902
 * patches run by the caller in between,) replicas, images; replacements last (replacements.ts).
 */
export function applyMetadataTransformers(k: Kustomization, resources: KResource[], ctx: BuildContext): void {
  if (k.namespace) setNamespace(resources, k.namespace.value, k.namespace.at, ctx);
  if (k.namePrefix || k.nameSuffix) addPrefixSuffix(resources, k, ctx);
  for (const entry of k.labels) {
    const specs = entry.includeSelectors ? COMMON_LABELS : entry.includeTemplates ? INCLUDE_TEMPLATES : METADATA_LABELS;
    setPairs(resources, entry, [...entry.fields, ...specs], ctx);
  }
  if (k.commonLabels) setPairs(resources, k.commonLabels, COMMON_LABELS, ctx);
  if (k.commonAnnotations) setPairs(resources, k.commonAnnotations, COMMON_ANNOTATIONS, ctx);
}

export function applyWorkloadTransformers(k: Kustomization, resources: KResource[], ctx: BuildContext): void {
  applyReplicas(k.replicas, resources, ctx);
  applyImages(k.images, resources, ctx);
}

/** The object's name and namespace changed: remember the new identity so references follow. */
export function recordIdentity(r: KResource): void {
  const meta = isObj(r.object['metadata']) ? r.object['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
  const last = r.history[r.history.length - 1];
  if (!last || last.name !== name || last.namespace !== namespace) r.history.push({ name, namespace });
}

/** The map at `key` of `parent`, created (and attributed to `origin`) when absent. */
export function ensureMap(parent: Obj, key: string, origin: Origin, ctx: BuildContext): Obj {
  const v = parent[key];
  if (isObj(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  ctx.prov.mark(created, origin);
  return created;
}

/**
 * kustomize's namespace transformer (api/filters/namespace, its default fieldSpecs): the
 * namespace of namespaced objects, the name of Namespace objects (kustomize renames a Namespace
 * it finds to the kustomization's namespace), a pod template's namespace where one is written,
 * an APIService's service namespace, and the `default` subjects of role bindings.
 */
function setNamespace(resources: KResource[], namespace: string, at: Origin, ctx: BuildContext): void {
  const set = (container: Obj, key: string): void => {
    container[key] = namespace;
    ctx.prov.markKey(container, key, at);
  };
  for (const r of resources) {
    const o = r.object;
    const kind = kindOf(o);
    if (isNamespaced(kind)) set(ensureMap(o, 'metadata', at, ctx), 'namespace');
    if (kind === 'Namespace') set(ensureMap(o, 'metadata', at, ctx), 'name');
    if (TEMPLATE_NAMESPACE_KINDS.has(kind)) {
      const meta = (o['spec'] as Obj | undefined)?.['template'] as Obj | undefined;
      const tmeta = isObj(meta) ? meta['metadata'] : undefined;
      if (isObj(tmeta) && tmeta['namespace'] !== undefined) set(tmeta, 'namespace');
    }
    if (kind === 'APIService' && groupOf(o) === 'apiregistration.k8s.io') set(ensureMap(ensureMap(o, 'spec', at, ctx), 'service', at, ctx), 'namespace');
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') setSubjectNamespaces(o, namespace, at, ctx);
    recordIdentity(r);
  }
}

/** Kinds whose `spec.template.metadata.namespace` follows when written (kustomize's fieldSpecs). */
const TEMPLATE_NAMESPACE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * kustomize's default for role binding subjects (setRoleBindingSubjects: defaultOnly): the
 * subjects named `default` (the namespace's default ServiceAccount) move with the namespace;
 * others name their namespace on purpose, and name references fix the renamed ones.
 */
function setSubjectNamespaces(o: Obj, namespace: string, at: Origin, ctx: BuildContext): void {
  const subjects = o['subjects'];
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) {
    if (!isObj(s) || s['name'] !== 'default') continue;
    s['namespace'] = namespace;
    ctx.prov.markKey(s, 'namespace', at);
  }
}

function addPrefixSuffix(resources: KResource[], k: Kustomization, ctx: BuildContext): void {
  const prefix = k.namePrefix?.value ?? '';
  const suffix = k.nameSuffix?.value ?? '';
  const at = (k.namePrefix ?? k.nameSuffix)!.at;
  for (const r of resources) {
    if (UNPREFIXED_KINDS.has(kindOf(r.object))) continue;
    const meta = r.object['metadata'];
    if (!isObj(meta) || typeof meta['name'] !== 'string') continue;
    meta['name'] = `${prefix}${meta['name']}${suffix}`;
    ctx.prov.markKey(meta, 'name', at);
    recordIdentity(r);
  }
}

function setPairs(resources: KResource[], entry: Pairs, specs: readonly FieldSpec[], ctx: BuildContext): void {
  if (entry.pairs.length === 0) return;
  for (const r of resources) {
    for (const spec of specs) {
      if (!appliesTo(spec, r.object)) continue;
      for (const map of reach(r.object, spec.path, spec.create, entry.at, ctx)) {
        for (const [key, value, at] of entry.pairs) {
          map[key] = value;
          ctx.prov.markKey(map, key, at);
        }
      }
    }
  }
}

/** The maps at `path` below `node` (every item at a `[]` segment), created when `create`. */
function reach(node: Obj, path: readonly string[], create: boolean, origin: Origin, ctx: BuildContext): Obj[] {
  if (path.length === 0) return [node];
  const [head, ...rest] = path as [string, ...string[]];
  if (head.endsWith('[]')) {
    const list = node[head.slice(0, -2)];
    if (!Array.isArray(list)) return [];
    return list.filter(isObj).flatMap((item) => reach(item, rest, create, origin, ctx));
  }
  const child = node[head];
  if (isObj(child)) return reach(child, rest, create, origin, ctx);
  // A path through a value that is there but not a map is not kustomize's to change.
  if (!create || (child !== undefined && child !== null)) return [];
  return reach(ensureMap(node, head, origin, ctx), rest, create, origin, ctx);
}
