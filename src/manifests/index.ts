import type { PlacementRuns } from './checks/placement.js';
import { createHash } from 'node:crypto';
import { checkPersistentVolume, checkStorageClass } from './checks/storage.js';
import { applyDefaults } from '../model/defaults.js';
import type { HostPolicy } from '../model/policy.js';
import { DEFAULT_HOST_POLICY } from '../model/policy.js';
import type { Problem } from '../model/problem.js';
import { compareProblems } from '../model/problem.js';
import type { AnyObject, Resource } from '../model/types.js';
import { resourceKey } from '../model/types.js';
import type { RevisionFile } from '../model/revision.js';
import { checkClaim, checkConfigMap, checkSecret } from './checks/config.js';
import type { CheckContext, ObjectFacts } from './checks/context.js';
import { checkMetadata } from './checks/metadata.js';
import type { Entry } from './checks/revision.js';
import { checkRevision } from './checks/revision.js';
import { checkService } from './checks/service.js';
import { checkAccessObject } from './checks/access.js';
import { checkEdgeObject } from './checks/edge.js';
import type { Rec } from './checks/values.js';
import { rec, str } from './checks/values.js';
import { checkWorkload } from './checks/workloads.js';
import { identifyKind } from './convert.js';
import { definedEntry } from './defined-entry.js';
import { objectsOf } from './documents.js';
import { unsetEmptyValues } from './empty-values.js';
import { parseManifestFile } from './parse.js';
import type { Path } from './path.js';
import type { ManifestDoc } from './report.js';
import { Reporter } from './report.js';
import { checkSchema } from './schema.js';
import { belongsToBuild, buildKustomization, distinctProblems, kustomizationRoots } from './kustomize/index.js';
import { fetchedForBuild } from './kustomize/paths.js';
import { keptEntries } from './kept-entries.js';
import { dropServerSetAnnotations } from './server-set.js';

export type { ProblemCode, ProblemCodeInfo } from './problem-codes.js';
export { PROBLEM_CODES } from './problem-codes.js';
export { MAX_FILE_BYTES, MAX_DEPTH, MAX_ALIAS_EXPANSION } from '../model/limits.js';

export interface ValidateOptions {
  /** Unsupported kinds become warnings and are skipped instead of errors (`--skip-unsupported`). */
  skipUnsupported?: boolean;
  /** What the host allows (privileged, host network, hostPath); default DEFAULT_HOST_POLICY. */
  hostPolicy?: HostPolicy;
  /**
   * Reuse per-file work of the previous validation with this cache: a file with the same path
   * and content is not parsed or checked again (revision-wide checks always run). The CI diff
   * validates two revisions that share most files; the daemon validates successive commits.
   * Resources of unchanged files are then the same objects in both results: treat results as
   * read-only. The cache keeps only the files of the latest validation.
   */
  cache?: ValidationCache;
  /**
   * The app's objects an additive `apply -f` keeps (plan/additive.ts keptByApply). The
   * revision-wide checks see them with the files' objects (a reference to one resolves, a
   * namespace they use is not new); their own problems are not said again. None with
   * `--prune --all`: the files are then the whole app.
   */
  kept?: readonly AnyObject[];
  /**
   * Where the revision will run. On a Swarm (SPEC §9) every pod's placement (nodeSelector,
   * affinity, tolerations) is run, as a DaemonSet's is on one host, not ignored.
   */
  backend?: 'docker' | 'swarm';
}

export interface ValidationCache {
  files: Map<string, CachedFile>;
}

interface CachedFile {
  /** Problems the file's own parse and per-object checks produced (not revision-wide ones). */
  problems: Problem[];
  entries: Array<{ entry: CheckedEntry; errors: number }>;
}

type CheckedEntry = Entry & { strip: Path[] };

export function createValidationCache(): ValidationCache {
  return { files: new Map() };
}

export interface ValidationResult {
  /** Objects without errors, converted and defaulted, in file then document order. */
  resources: Resource[];
  /** Every problem found, sorted by file, line, column. */
  problems: Problem[];
}

/**
 * Pure (no I/O): parses every file, reports every problem, and returns the objects that are
 * valid. Resources are converted from legacy apiVersions, stripped of fields berth ignores,
 * defaulted as withDefaults() does (in place: each object is built fresh from YAML and owned
 * by its resource), namespace defaulted to `default` for namespaced kinds, in file then
 * document order. A revision is usable only if no problem is an error.
 */
export function validateRevision(files: readonly RevisionFile[], options: ValidateOptions = {}): ValidationResult {
  const policy = options.hostPolicy ?? DEFAULT_HOST_POLICY;
  const problems: Problem[] = [];
  const entries: CheckedEntry[] = [];
  const cache = options.cache;
  const signature = cache ? JSON.stringify([policy, options.skipUnsupported === true, options.backend ?? 'docker']) : '';
  const placement = options.backend === 'swarm' ? 'every-pod' : 'daemonsets';
  const used = new Map<string, CachedFile>();
  // Directories with a kustomization file are built (SPEC §2); what lies below them, and what a
  // reader fetched from outside the folder for them (`../base`), is read by their builds only.
  // A refused entry (a base outside the work tree) is still parsed, so its refusal is reported.
  const roots = kustomizationRoots(files.filter((f) => !fetchedForBuild(f)).map((f) => f.path));
  // Most revisions hold no kustomization: they pay for no path index (validate's speed goal, issue 18).
  const byPath = roots.length > 0 ? new Map(files.map((f) => [f.path, f])) : undefined;
  const builds = byPath ? roots.map((root) => buildKustomization(byPath, root)) : [];
  // A refused path a kustomization names is reported at that line by its build; not again here.
  const named = new Set(builds.flatMap((b) => b.refused));
  const refusedAlone = (f: RevisionFile): boolean => f.refused !== undefined && !named.has(f.path);
  for (const file of roots.length === 0 ? files : files.filter((f) => refusedAlone(f) || (f.refused === undefined && !fetchedForBuild(f) && !belongsToBuild(f.path, roots)))) {
    const key = cache ? `${signature}\0${file.path}\0${file.refused ?? ''}\0${createHash('sha1').update(file.content).digest('hex')}` : undefined;
    const hit = key === undefined ? undefined : cache?.files.get(key);
    if (key !== undefined && hit) {
      problems.push(...hit.problems);
      for (const { entry, errors } of hit.entries) entries.push({ ...entry, r: entry.r.rebind(problems, errors) });
      used.set(key, hit);
      continue;
    }
    const firstProblem = problems.length;
    const fileEntries: CachedFile['entries'] = [];
    const parsed = parseManifestFile(file);
    problems.push(...parsed.problems);
    for (const document of parsed.documents)
      for (const doc of objectsOf(document, problems)) {
        const entry = checkObject(doc, problems, policy, options.skipUnsupported === true, placement);
        if (!entry) continue;
        entries.push(entry);
        fileEntries.push({ entry, errors: entry.r.errors });
      }
    parsed.release();
    if (key !== undefined) used.set(key, { problems: problems.slice(firstProblem), entries: fileEntries });
  }
  if (cache) cache.files = used;
  if (roots.length > 0) {
    for (const build of builds) {
      problems.push(...build.problems);
      for (const doc of build.docs) {
        const entry = checkObject(doc, problems, policy, options.skipUnsupported === true, placement);
        if (entry) entries.push(entry);
      }
    }
  }
  const defined = new Set(entries.flatMap((e) => (e.key === undefined ? [] : [e.key])));
  const kept = keptEntries(options.kept ?? [], defined, (doc, unsaid) => checkObject(doc, unsaid, policy, true, placement));
  checkRevision(kept.length ? [...entries, ...kept] : entries);
  const resources: Resource[] = [];
  // A damaged document (a duplicate key, reported) takes part in the checks, never in what runs.
  for (const e of entries) if (e.r.errors === 0 && e.name !== undefined && e.r.doc.parsed.damaged !== true) resources.push(toResource(e, e.strip));
  // A base that several kustomization roots build (overlays/a and overlays/b beside base/), or
  // that one build includes twice, is one text: each of its problems is said once.
  const said = roots.length > 0 ? distinctProblems(problems) : problems;
  said.sort(compareProblems);
  return { resources, problems: said };
}

function checkObject(doc: ManifestDoc, problems: Problem[], policy: HostPolicy, skipUnsupported: boolean, placement: PlacementRuns): (Entry & { strip: Path[] }) | undefined {
  const r = new Reporter(doc, problems);
  const object = doc.value as Rec;
  // Before anything reads the object: empty values are unset, as the API server reads them.
  const emptied = unsetEmptyValues(object);
  // What a server wrote (a manifest saved from `get -o yaml`) is not the author's: dropped quietly.
  dropServerSetAnnotations(object);
  const identified = identifyKind(object, r, skipUnsupported);
  if (!identified) return definedEntry(r, object);
  if ('skip' in identified) return undefined;
  const { info } = identified;
  const strip = checkSchema(info, object, r, emptied, placement);
  strip.push(...checkMetadata(info, object, r));
  const facts: ObjectFacts = { refs: [], pods: [] };
  const ctx: CheckContext = { r, policy, facts };
  switch (info.kind) {
    case 'Namespace':
      break;
    case 'ConfigMap':
      checkConfigMap(object, r);
      break;
    case 'Secret':
      checkSecret(object, r);
      break;
    case 'PersistentVolumeClaim':
      checkClaim(object, r);
      break;
    case 'StorageClass':
      checkStorageClass(object, r);
      break;
    case 'PersistentVolume':
      checkPersistentVolume(object, r, policy);
      break;
    case 'Service':
      checkService(object, ctx);
      break;
    case 'ServiceAccount':
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
    case 'PodDisruptionBudget':
      checkAccessObject(info.kind, object, r);
      break;
    case 'Ingress':
    case 'IngressClass':
    case 'GatewayClass':
    case 'Gateway':
    case 'HTTPRoute':
    case 'Issuer':
    case 'ClusterIssuer':
    case 'Certificate':
      checkEdgeObject(info.kind, object, r);
      break;
    default:
      checkWorkload(info.kind, object, ctx);
  }
  const meta = rec(object.metadata);
  const name = str(meta?.name);
  const namespace = info.namespaced ? str(meta?.namespace) || 'default' : '';
  const key = name ? resourceKey(info.kind, info.namespaced ? namespace : undefined, name) : undefined;
  // Taken now, while the file's events are at hand: every resource needs it.
  const start = r.start();
  return { r, info, object, name, namespace, key, facts, start, strip };
}

function toResource(e: Entry, strip: readonly Path[]): Resource {
  const object = e.object;
  for (const path of strip) deleteAt(object, path);
  const meta = object.metadata as Rec;
  if (e.info.namespaced) meta.namespace = e.namespace;
  return { key: e.key!, object: applyDefaults(object as unknown as AnyObject), source: { file: e.start.file ?? e.r.doc.parsed.file, line: e.start.line, column: e.start.column } };
}

function deleteAt(root: unknown, path: Path): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string | number, unknown>)[path[i]!];
  }
  const last = path[path.length - 1];
  if (typeof node === 'object' && node !== null && !Array.isArray(node) && typeof last === 'string') delete (node as Rec)[last];
}
