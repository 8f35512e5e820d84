import { quote } from '../../model/excerpt.js';
import type { ParsedDocument } from '../parse.js';
import type { Kustomization, Entry, PatchEntry } from './kustomization.js';
import { isObj } from './kustomization.js';
import type { BuildContext, KResource, Obj } from './types.js';
import type { RevisionFile } from '../../model/revision.js';
import { below, reportProblem, reporterFor } from './problems.js';
import { parseInline } from './inline.js';
import { strategicMerge } from './strategic-merge.js';
import { applyJson6902 } from './json6902.js';
import { parsePatchTarget, selectTargets } from './patch-target.js';
import { recordIdentity } from './transformers.js';
import { kindOf, groupOf } from './fieldspecs.js';

/** What the patch steps need of the build (build.ts's Build), without importing it. */
export interface Build {
  readonly ctx: BuildContext;
  /** A file's documents, parsed and marked once per build. */
  parse(file: RevisionFile): ParsedDocument[];
  /** A file of the kustomization's own directory, or undefined (reported, wanted). */
  fileIn(k: Kustomization, entry: Entry<string>): RevisionFile | undefined;
}

/** One parsed patch document, marked for provenance: what it writes points at its own lines. */
interface PatchDoc {
  doc: ParsedDocument;
  value: unknown;
}

/**
 * The patch steps of one kustomization, in kustomize's order: `patchesStrategicMerge` and
 * `patches` run first (before namespace and name transformers), `patchesJson6902` after the
 * annotations (kusttarget_configplugin.go).
 */
export function applyStrategicMergePatches(b: Build, k: Kustomization, resources: KResource[]): void {
  for (const entry of k.patchesStrategicMerge) {
    // kustomize takes an entry that reads as YAML for an inline patch, anything else for a path.
    const inline = /\n/.test(entry.value) || /^\s*(\{|(apiVersion|kind|metadata)\s*:)/.test(entry.value);
    const docs = inline ? parseInlinePatch(b, entry) : readPatchFile(b, k, entry);
    for (const d of docs) applySmp(b, d, resources, { allowNameChange: false, allowKindChange: false });
  }
  for (const p of k.patches) applyPatchEntry(b, k, p, resources, true);
}

export function applyJson6902Patches(b: Build, k: Kustomization, resources: KResource[]): void {
  for (const p of k.patchesJson6902) applyPatchEntry(b, k, p, resources, false);
}

function applyPatchEntry(b: Build, k: Kustomization, p: PatchEntry, resources: KResource[], smpAllowed: boolean): void {
  const source = (p.patch ?? p.path)!;
  const problemsBefore = b.ctx.problems.length;
  const docs = p.patch ? parseInlinePatch(b, p.patch) : readPatchFile(b, k, p.path!);
  if (docs.length === 0) {
    // kustomize: "unable to parse SM or JSON patch"; a patch that failed to read is reported already.
    if (b.ctx.problems.length === problemsBefore) reportProblem(b.ctx, source.at, 'invalid-value', 'this patch is empty: write a strategic merge patch (the fields to change) or a list of JSON 6902 operations');
    return;
  }
  const target = p.target ? parsePatchTarget(p.target.value, (path, message) => reportProblem(b.ctx, below(p.target!.at, ...path), 'invalid-value', message)) : undefined;
  if (p.target && !target) return;
  const first = docs[0]!;
  // kustomize reads a patch that is a list of operations as JSON 6902, anything else as a strategic merge.
  if (Array.isArray(first.value)) {
    if (!target) {
      reportProblem(b.ctx, p.at, 'missing-field', 'a JSON 6902 patch (a list of operations) needs a target: which objects to patch');
      return;
    }
    // A target that selects nothing is no error (kustomize: a component may patch what is absent).
    for (const r of selectTargets(resources, target)) {
      const ops = b.ctx.prov.clone(first.value);
      // A failed patch (reported at its operation) leaves the object as it was.
      const out = applyJson6902(r.object, ops, { prov: b.ctx.prov, report: reporterFor(b.ctx, first.doc) });
      if (out) r.object = out;
      recordIdentity(r);
    }
    return;
  }
  if (!smpAllowed) {
    reportProblem(b.ctx, source.at, 'invalid-value', 'a patchesJson6902 patch is a list of operations (op, path, value)');
    return;
  }
  for (const d of docs) {
    if (target) {
      for (const r of selectTargets(resources, target)) mergeInto(b, resources, r, d, p);
    } else applySmp(b, d, resources, p);
  }
}

/** A strategic merge patch without a target: it names its object by apiVersion, kind, name and namespace. */
function applySmp(b: Build, d: PatchDoc, resources: KResource[], opts: { allowNameChange: boolean; allowKindChange: boolean }): void {
  if (!isObj(d.value)) {
    reportProblem(b.ctx, { doc: d.doc, path: [] }, 'not-an-object', 'a strategic merge patch is a mapping: the fields of the object to change');
    return;
  }
  const v = d.value;
  const meta = isObj(v['metadata']) ? v['metadata'] : {};
  const name = meta['name'];
  const kind = v['kind'];
  if (typeof name !== 'string' || typeof kind !== 'string') {
    reportProblem(b.ctx, { doc: d.doc, path: [] }, 'missing-field', 'a strategic merge patch without a target names its object: kind and metadata.name');
    return;
  }
  const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
  const api = typeof v['apiVersion'] === 'string' ? v['apiVersion'] : undefined;
  const group = api === undefined ? undefined : groupOf(v);
  const matches = resources.filter(
    (r) =>
      kindOf(r.object) === kind &&
      (group === undefined || groupOf(r.object) === group) &&
      r.history.some((h) => h.name === name && (h.namespace ?? 'default') === (ns ?? 'default')),
  );
  if (matches.length !== 1) {
    const what = `${kind} ${quote(name)}${ns ? ` in namespace ${quote(ns)}` : ''}`;
    reportProblem(
      b.ctx,
      { doc: d.doc, path: ['metadata', 'name'] },
      'invalid-value',
      matches.length === 0 ? `this patch names ${what}, which this kustomization's resources do not have` : `this patch names ${what}, which matches ${matches.length} objects; give a namespace or a target`,
    );
    return;
  }
  mergeInto(b, resources, matches[0]!, d, opts);
}

/**
 * Merges one patch document into one object. The patch's own name, namespace and kind only
 * select (kustomize sets them to the target's), unless the options allow a change.
 */
function mergeInto(b: Build, resources: KResource[], r: KResource, d: PatchDoc, opts: { allowNameChange: boolean; allowKindChange: boolean }): void {
  if (!isObj(d.value)) {
    reportProblem(b.ctx, { doc: d.doc, path: [] }, 'not-an-object', 'a strategic merge patch is a mapping: the fields of the object to change');
    return;
  }
  const patch = b.ctx.prov.clone(d.value);
  const targetMeta = isObj(r.object['metadata']) ? r.object['metadata'] : {};
  const meta = patch['metadata'];
  if (isObj(meta)) {
    if (!opts.allowNameChange || meta['name'] === undefined) {
      if (targetMeta['name'] === undefined) delete meta['name'];
      else meta['name'] = targetMeta['name'];
    }
    if (targetMeta['namespace'] === undefined) delete meta['namespace'];
    else meta['namespace'] = targetMeta['namespace'];
  }
  if (!opts.allowKindChange || patch['kind'] === undefined) {
    patch['kind'] = r.object['kind'];
    patch['apiVersion'] = r.object['apiVersion'];
  }
  const out = strategicMerge(r.object, patch as Obj, { prov: b.ctx.prov, report: reporterFor(b.ctx, d.doc) });
  if (out === 'deleted') {
    // `$patch: delete` at the top removes the object from the build.
    const i = resources.indexOf(r);
    if (i >= 0) resources.splice(i, 1);
    return;
  }
  r.object = out;
  recordIdentity(r);
}

function parseInlinePatch(b: Build, entry: Entry<string>): PatchDoc[] {
  const parsed = parseInline(entry.value, entry.at, b.ctx);
  b.ctx.problems.push(...parsed.problems);
  return patchDocs(b, parsed.documents);
}

/** A patch file of the kustomization's own directory (kustomize's load restriction). */
function readPatchFile(b: Build, k: Kustomization, entry: Entry<string>): PatchDoc[] {
  const file = b.fileIn(k, entry);
  return file ? patchDocs(b, b.parse(file)) : [];
}

/** Marked once (Build.parse marks files; an inline patch here), so merged values keep their lines. */
function patchDocs(b: Build, docs: readonly ParsedDocument[]): PatchDoc[] {
  return docs
    .filter((d) => !d.damaged)
    .map((doc) => {
      if (!b.ctx.prov.originOf(doc.value as object)) b.ctx.prov.mark(doc.value, { doc, path: [] });
      return { doc, value: doc.value };
    });
}
