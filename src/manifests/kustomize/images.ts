import { quote } from '../../model/excerpt.js';
import type { BuildContext, KResource, Obj } from './types.js';
import type { ImageEntry, ReplicaEntry } from './kustomization.js';
import { isObj } from './kustomization.js';
import { REPLICA_KINDS, kindOf } from './fieldspecs.js';
import { reportProblem } from './problems.js';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * `images`: every container, init container and ephemeral container of every pod template
 * (found wherever one sits: a Pod, a Deployment's template, a CronJob's job template) whose image
 * name is the entry's `name`, with or without a tag or digest, gets the new name, tag or digest.
 */
export function applyImages(entries: readonly ImageEntry[], resources: KResource[], ctx: BuildContext): void {
  // One transformer per entry, in order (kustomize): an entry may name what an earlier one renamed.
  for (const entry of entries)
    for (const r of resources) if (kindOf(r.object) !== 'CustomResourceDefinition') walk(r.object, entry, ctx);
}

function walk(node: unknown, entry: ImageEntry, ctx: BuildContext): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, entry, ctx);
    return;
  }
  if (!isObj(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (CONTAINER_LISTS.has(key) && Array.isArray(value)) {
      for (const c of value) if (isObj(c)) setImage(c, entry, ctx);
    } else walk(value, entry, ctx);
  }
}

function setImage(container: Obj, entry: ImageEntry, ctx: BuildContext): void {
  const image = container['image'];
  if (typeof image !== 'string') return;
  const ref = splitImage(image);
  if (entry.name !== ref.name) return;
  const name = entry.newName?.value ?? ref.name;
  let tag = ref.tag;
  let digest = ref.digest;
  if (entry.newTag) {
    tag = entry.newTag.value;
    digest = undefined;
  }
  if (entry.digest) {
    digest = entry.digest.value;
    if (!entry.newTag) tag = undefined;
  }
  container['image'] = `${name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  // The line a person edits is the entry's field that changed the most specific part.
  ctx.prov.markKey(container, 'image', (entry.digest ?? entry.newTag ?? entry.newName ?? { at: entry.at }).at);
}

/** `registry:5000/app:v1@sha256:…` → name `registry:5000/app`, tag `v1`, digest `sha256:…`. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest !== undefined ? { digest } : {}) };
  return { name: rest, ...(digest !== undefined ? { digest } : {}) };
}

/**
 * `replicas`: spec.replicas of the Deployments, ReplicaSets, StatefulSets and
 * ReplicationControllers with that name (the current one or any earlier one, so an overlay can
 * name the base's object). An entry that matches nothing is an error, as in kustomize.
 */
export function applyReplicas(entries: readonly ReplicaEntry[], resources: KResource[], ctx: BuildContext): void {
  for (const e of entries) {
    let found = false;
    for (const r of resources) {
      if (!REPLICA_KINDS.has(kindOf(r.object)) || !r.history.some((h) => h.name === e.name)) continue;
      found = true;
      let spec = r.object['spec'];
      if (!isObj(spec)) {
        spec = {};
        r.object['spec'] = spec;
        ctx.prov.mark(spec, e.at);
      }
      (spec as Obj)['replicas'] = e.count.value;
      ctx.prov.markKey(spec as Obj, 'replicas', e.count.at);
    }
    if (!found)
      reportProblem(ctx, { doc: e.at.doc, path: [...e.at.path, 'name'] }, 'invalid-value', `replicas: no Deployment, ReplicaSet, StatefulSet or ReplicationController is named ${quote(e.name)} in this build`);
  }
}
