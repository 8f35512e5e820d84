import { clip } from '../../model/excerpt.js';
import { formatPath } from '../path.js';
import { PROBLEM_CODES } from '../problem-codes.js';
import { CLUSTER_SCOPED, referenceSites } from './name-reference-sites.js';
import type { ReferenceSite } from './name-reference-sites.js';
import type { BuildContext, KResource, Obj } from './types.js';

/**
 * kustomize's name-reference fixing (docs/kustomize.md): once the build has renamed objects
 * (namePrefix/nameSuffix, a generator's hash suffix, a namespace), every field that names one of
 * them by a name it had is rewritten to its current name, so the Deployment that mounts
 * `app-config` mounts `app-config-6ct58987ht`. Runs last, after the hash suffixes.
 *
 * A namespaced reference matches only an object in the namespace it resolves in (the
 * referrer's, or the one a subject or claimRef names); a reference that matches objects now
 * named differently is a problem (kustomize refuses to guess). The rewritten value keeps the
 * referrer's origin: a problem in it points at the line the referrer was written on.
 * Idempotent: the build may run it after each kustomization and again at the end.
 */
export function fixNameReferences(resources: KResource[], ctx: BuildContext): void {
  const renamed = resources.filter((r) => r.history.some((h) => h.name !== currentName(r) || !sameNamespace(h.namespace, currentNamespace(r))));
  if (renamed.length === 0) return;
  const byKind = new Map<string, KResource[]>();
  for (const r of renamed) {
    const kind = String(r.object.kind);
    byKind.set(kind, [...(byKind.get(kind) ?? []), r]);
  }
  for (const referrer of resources) {
    for (const site of referenceSites(referrer.object)) {
      const candidates = byKind.get(site.kind);
      if (candidates) fixSite(referrer, site, candidates, ctx);
    }
  }
}

function fixSite(referrer: KResource, site: ReferenceSite, candidates: KResource[], ctx: BuildContext): void {
  const value = site.container[site.key] as string;
  const scoped = CLUSTER_SCOPED.has(site.kind);
  const matches = candidates.filter(
    (c) =>
      c !== referrer &&
      c.history.some((h) => h.name === value && (scoped || site.namespace === undefined || sameNamespace(h.namespace, site.namespace) || sameNamespace(currentNamespace(c), site.namespace))),
  );
  const distinct = new Map(matches.map((m) => [`${currentNamespace(m) ?? ''}/${currentName(m)}`, m]));
  if (distinct.size === 0) return;
  if (distinct.size > 1) {
    const names = [...distinct.values()].map((m) => clip(currentName(m))).join(', ');
    const p = ctx.prov.locator(referrer.object).locate(site.path);
    const problem = {
      file: p.file ?? referrer.origin.doc.file,
      line: p.line,
      column: p.column,
      path: formatPath(site.path),
      severity: PROBLEM_CODES['kustomize-name-reference-ambiguous'].severity,
      code: 'kustomize-name-reference-ambiguous',
      message: `${site.kind} ${clip(value)} could be any of ${names}, which the build renamed differently; give the objects distinct names`,
    };
    // The build fixes references after each kustomization and once more at the end: say it once.
    if (!ctx.problems.some((q) => q.code === problem.code && q.file === problem.file && q.line === problem.line && q.column === problem.column)) ctx.problems.push(problem);
    return;
  }
  const target = [...distinct.values()][0]!;
  // The container keeps its origin, so the new value still points at the referrer's line.
  site.container[site.key] = currentName(target);
  const ns = currentNamespace(target);
  if (site.namespaceKey && !scoped && ns !== undefined && site.container[site.namespaceKey] !== undefined) site.container[site.namespaceKey] = ns;
}

function currentName(r: KResource): string {
  return String((r.object.metadata as Obj | undefined)?.name ?? '');
}

function currentNamespace(r: KResource): string | undefined {
  const ns = (r.object.metadata as Obj | undefined)?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
}

/** kustomize reads no namespace, "" and `default` alike. */
function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return (a || 'default') === (b || 'default');
}
