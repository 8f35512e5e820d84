import { quote } from '../../model/excerpt.js';
import type { RevisionFile } from '../../model/revision.js';
import type { ParsedDocument } from '../parse.js';
import { parseManifestFile } from '../parse.js';
import type { Path } from '../path.js';
import type { ProblemCode } from '../problem-codes.js';
import { PROBLEM_CODES } from '../problem-codes.js';
import { formatPath } from '../path.js';
import type { BuildContext, KResource, Obj, Origin } from './types.js';
import type { Entry, Kustomization, SortOptions } from './kustomization.js';
import { isObj, readKustomization } from './kustomization.js';
import { KUSTOMIZATION_FILES, isBelow, joinPath, kustomizationFileIn } from './paths.js';
import { reportProblem } from './problems.js';
import { applyMetadataTransformers, applyWorkloadTransformers } from './transformers.js';
import { applyJson6902Patches, applyStrategicMergePatches } from './patches.js';
import { addGenerated, generate } from './generators.js';
import { applyHashSuffixes } from './hash.js';
import { fixNameReferences } from './name-references.js';
import { applyReplacements } from './replacements.js';
import { groupOf, kindOf } from './fieldspecs.js';

/**
 * A build is bounded: kustomizations that include a shared base twice at every level multiply
 * (twenty levels are a million builds), so hostile input is refused rather than built.
 */
export const MAX_INCLUDES = 1000;
export const MAX_OBJECTS = 100_000;

/** What a reference names in the revision. */
type Found = { file: RevisionFile } | { dir: string; kustomization: RevisionFile } | undefined;

/**
 * One build of a kustomization tree: kustomize's accumulation (kusttarget.go accumulateTarget)
 * over the revision's files, with every problem at the line that caused it.
 */
export class Build {
  private readonly parsed = new Map<string, ParsedDocument[]>();
  private readonly loaded = new Map<string, Kustomization | undefined>();
  private readonly dirs = new Set<string>();
  /** Directories being built, innermost last: a directory met again is a cycle. */
  private readonly stack: string[] = [];
  /** How far above the source root the revision's files reach (`../../x` is 2). */
  private readonly maxUp: number;
  private topKustomization: Kustomization | undefined;
  private includes = 0;
  private objects = 0;
  private limited = false;
  private readonly reportedTwins = new Set<string>();

  constructor(readonly ctx: BuildContext) {
    let up = 0;
    for (const path of ctx.files.keys()) {
      up = Math.max(up, upCount(path));
      for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) this.dirs.add(path.slice(0, i));
    }
    this.maxUp = up;
  }

  /** The resources of the kustomization in `dir` (the top of a build): hashes and references last. */
  top(dir: string): KResource[] | undefined {
    const file = this.kustomizationIn(dir);
    if (!file) {
      if (dir !== '') this.ctx.wanted.add(`${dir}/`);
      this.ctx.problems.push(fileProblem(dir === '' ? '.' : dir, 'kustomize-not-a-kustomization', `no ${KUSTOMIZATION_FILES.join(', ')} in this directory`));
      return undefined;
    }
    const k = this.load(file, dir);
    if (!k) return undefined;
    this.topKustomization = k;
    const resources: KResource[] = [];
    this.stack.push(dir);
    this.accumulate(k, resources);
    this.stack.pop();
    // kustomize (makeCustomizedResMap): the hash suffixes once, at the very end, then every
    // reference to a renamed object once more.
    applyHashSuffixes(resources, this.ctx);
    fixNameReferences(resources, this.ctx);
    return resources;
  }

  /** `sortOptions.order` of the top kustomization (kustomize reads no other's). */
  sortOptions(dir: string): SortOptions | undefined {
    return this.topKustomization?.dir === dir ? this.topKustomization.sortOptions : undefined;
  }

  /** A file's documents, parsed once per build, their problems reported once, marked for provenance. */
  parse(file: RevisionFile): ParsedDocument[] {
    let docs = this.parsed.get(file.path);
    if (!docs) {
      const parsed = parseManifestFile(file);
      this.ctx.problems.push(...parsed.problems);
      docs = parsed.documents;
      for (const doc of docs) this.ctx.prov.mark(doc.value, { doc, path: [] });
      this.parsed.set(file.path, docs);
    }
    return docs;
  }

  /** A file a kustomization reads (a patch, a resource file): only in its own directory or below. */
  fileIn(k: Kustomization, entry: Entry<string>): RevisionFile | undefined {
    const found = this.resolve(k, entry, 'file');
    return found && 'file' in found ? found.file : undefined;
  }

  /** Read once per build: a base two overlays share is checked (and its problems reported) once. */
  private load(file: RevisionFile, dir: string): Kustomization | undefined {
    if (this.loaded.has(dir)) return this.loaded.get(dir);
    const k = this.read(file, dir);
    this.loaded.set(dir, k);
    return k;
  }

  private read(file: RevisionFile, dir: string): Kustomization | undefined {
    const docs = this.parse(file);
    if (docs.length !== 1) {
      if (docs.length > 1) reportProblem(this.ctx, { doc: docs[1]!, path: [] }, 'invalid-value', 'a kustomization file holds one YAML document');
      else if (!this.ctx.problems.some((p) => p.file === file.path)) this.ctx.problems.push(fileProblem(file.path, 'missing-field', 'the kustomization file is empty'));
      return undefined;
    }
    return readKustomization(docs[0]!, dir, this.ctx);
  }

  /**
   * kustomize's accumulateTarget: resources, components, generators, then the transformers in
   * kustomize's order. A component runs on `resources` as its parent accumulated them.
   */
  private accumulate(k: Kustomization, resources: KResource[]): void {
    const own: KResource[] = [];
    for (const entry of k.resources) this.addResource(k, entry, own);
    addAll(this, own, resources);
    for (const entry of k.components) this.addComponent(k, entry, resources);
    for (const entry of k.configMapGenerator) this.generate('ConfigMap', k, entry, resources);
    for (const entry of k.secretGenerator) this.generate('Secret', k, entry, resources);
    applyStrategicMergePatches(this, k, resources);
    applyMetadataTransformers(k, resources, this.ctx);
    applyJson6902Patches(this, k, resources);
    applyWorkloadTransformers(k, resources, this.ctx);
    applyReplacements(k.replacements, resources, this.ctx, (entry) => {
      const file = this.fileIn(k, entry);
      return file ? this.parse(file).filter((d) => !d.damaged) : [];
    });
    dropLocalConfig(resources);
    fixNameReferences(resources, this.ctx);
  }

  private generate(kind: 'ConfigMap' | 'Secret', k: Kustomization, entry: Entry<Obj>, resources: KResource[]): void {
    const gen = generate(kind, entry.value, entry.at, k.dir, k.generatorOptions?.value, k.generatorOptions?.at, this.ctx);
    if (gen) addGenerated(resources, gen, this.ctx);
  }

  private addResource(k: Kustomization, entry: Entry<string>, out: KResource[]): void {
    if (this.limited) return;
    const found = this.resolve(k, entry, 'any');
    if (!found) return;
    if ('file' in found) {
      const before = out.length;
      for (const doc of this.parse(found.file)) if (!doc.damaged) this.addDocument(doc, out);
      this.objects += out.length - before;
      if (this.objects > MAX_OBJECTS) {
        this.limit(entry, `this build accumulates more than ${MAX_OBJECTS} objects; the rest is not built`);
        out.length = before;
      }
      return;
    }
    const sub = this.enter(found, entry, 'Kustomization');
    if (!sub) return;
    const subResources: KResource[] = [];
    this.accumulate(sub, subResources);
    this.stack.pop();
    out.push(...subResources);
  }

  private addComponent(k: Kustomization, entry: Entry<string>, resources: KResource[]): void {
    if (this.limited) return;
    const found = this.resolve(k, entry, 'dir');
    if (!found || 'file' in found) return;
    const comp = this.enter(found, entry, 'Component');
    if (!comp) return;
    this.accumulate(comp, resources);
    this.stack.pop();
  }

  /** Loads a sub-kustomization (pushed on the stack when it is returned), refusing cycles and kind mix-ups. */
  private enter(found: { dir: string; kustomization: RevisionFile }, entry: Entry<string>, want: 'Kustomization' | 'Component'): Kustomization | undefined {
    if (this.stack.includes(found.dir)) {
      const chain = [...this.stack.slice(this.stack.indexOf(found.dir)), found.dir].map((d) => (d === '' ? '.' : d)).join(' → ');
      reportProblem(this.ctx, entry.at, 'kustomize-cycle', `${quote(entry.value)} includes a kustomization that includes this one: ${chain}`);
      return undefined;
    }
    if (++this.includes > MAX_INCLUDES) {
      this.limit(entry, `this build includes kustomizations more than ${MAX_INCLUDES} times (a base shared by overlays is built once per use); the rest is not built`);
      return undefined;
    }
    const sub = this.load(found.kustomization, found.dir);
    if (!sub) return undefined;
    if (sub.kind !== want) {
      const message =
        want === 'Component'
          ? `${quote(entry.value)} is a ${sub.kind}; components lists kustomizations of kind: Component (apiVersion kustomize.config.k8s.io/v1alpha1)`
          : `${quote(entry.value)} is a Component; list it under components, not resources`;
      reportProblem(this.ctx, entry.at, 'kustomize-not-a-kustomization', message);
      return undefined;
    }
    this.stack.push(found.dir);
    return sub;
  }

  /** One document of a resource file: an object, or a `kind: List` of them. */
  private addDocument(doc: ParsedDocument, out: KResource[]): void {
    const v = doc.value;
    if (!isObj(v)) {
      reportProblem(this.ctx, { doc, path: [] }, 'not-an-object', 'a resource is a Kubernetes object (a mapping with apiVersion, kind, metadata)');
      return;
    }
    // kustomize expands `kind: List` and the typed lists (ConfigMapList) into their items.
    if (v['kind'] === 'List' || (typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items']))) {
      const items = v['items'];
      if (!Array.isArray(items)) {
        reportProblem(this.ctx, { doc, path: ['kind'] }, 'invalid-list', 'a kind: List document needs an items list');
        return;
      }
      items.forEach((item, i) => {
        if (isObj(item)) out.push(this.resource(item, { doc, path: ['items', i] }));
        else reportProblem(this.ctx, { doc, path: ['items', i] }, 'invalid-list', 'an item of a List is a Kubernetes object');
      });
      return;
    }
    out.push(this.resource(v, { doc, path: [] }));
  }

  /** The kustomization file of `dir`; a second one beside it is refused, as kustomize does. */
  private kustomizationIn(dir: string): RevisionFile | undefined {
    const file = kustomizationFileIn(this.ctx.files, dir);
    if (!file) return undefined;
    for (const name of KUSTOMIZATION_FILES) {
      const other = this.ctx.files.get(dir === '' ? name : `${dir}/${name}`);
      if (other && other !== file && !this.reportedTwins.has(other.path)) {
        this.reportedTwins.add(other.path);
        this.ctx.problems.push(fileProblem(other.path, 'invalid-value', `${dir === '' ? 'this directory' : quote(dir)} has more than one kustomization file (${file.path.slice(file.path.lastIndexOf('/') + 1)} is read); kustomize refuses that: remove one`));
      }
    }
    return file;
  }

  /** Reported once, at the entry that crossed the limit. */
  private limit(entry: Entry<string>, message: string): void {
    if (!this.limited) reportProblem(this.ctx, entry.at, 'kustomize-build-limit', message);
    this.limited = true;
  }

  /** A fresh copy per use: a base built twice (two overlays of one build) yields two objects. */
  private resource(value: Obj, origin: Origin): KResource {
    const object = this.ctx.prov.clone(value);
    const meta = isObj(object['metadata']) ? object['metadata'] : {};
    const name = typeof meta['name'] === 'string' ? meta['name'] : '';
    const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
    return { object, origin, history: [{ name, namespace }] };
  }

  /**
   * What a kustomization's reference names: a file (only inside its own directory, kustomize's
   * LoadRestrictionsRootOnly) or a directory with a kustomization file (anywhere in the
   * revision). Absent ones are wanted: a reader fetches them and builds again.
   */
  private resolve(k: Kustomization, entry: Entry<string>, want: 'file' | 'dir' | 'any'): Found {
    const ref = entry.value;
    if (ref.trim() === '') {
      reportProblem(this.ctx, entry.at, 'invalid-value', 'an empty path; name a file or a directory relative to this kustomization');
      return undefined;
    }
    if (isRemote(ref)) {
      reportProblem(this.ctx, entry.at, 'kustomize-remote-resource', `${quote(ref)} is remote; berth builds only from the revision's files (no network): vendor it into the repository and name its directory`);
      return undefined;
    }
    const path = joinPath(k.dir, ref);
    if (path === undefined) {
      reportProblem(this.ctx, entry.at, 'kustomize-outside-root', `${quote(ref)} is an absolute path; a kustomization names files relative to its directory`);
      return undefined;
    }
    // What lies outside the kustomization's directory can only be a base: it is wanted as a
    // directory (a trailing `/`), so a reader never pulls in a file kustomize would not read.
    const wantAs = want === 'dir' || !isBelow(path, k.dir) ? `${path}/` : path;
    if (upCount(path) > this.maxUp) {
      this.ctx.wanted.add(wantAs);
      reportProblem(this.ctx, entry.at, 'kustomize-outside-root', `${quote(ref)} lies above the revision's files and was not found inside the repository (or folder) berth reads; a kustomization reads nothing outside it`);
      return undefined;
    }
    const file = this.ctx.files.get(path);
    // A path the reader refused (a link out of the folder, beyond its boundary or read limit) is
    // reported as such by validation, at the path; it is neither a file to read nor missing.
    if (file?.refused) return undefined;
    if (file && want === 'dir') {
      reportProblem(this.ctx, entry.at, 'kustomize-not-a-kustomization', `${quote(ref)} is a file; components lists directories of kind: Component`);
      return undefined;
    }
    if (file) {
      if (!isBelow(path, k.dir)) {
        reportProblem(this.ctx, entry.at, 'kustomize-outside-root', `${quote(ref)} is outside this kustomization's directory; kustomize reads files only in a kustomization's own directory or below (make its directory a kustomization and list the directory)`);
        return undefined;
      }
      return { file };
    }
    if (want !== 'file' && (this.dirs.has(path) || path === '')) {
      const kustomization = this.kustomizationIn(path);
      if (kustomization) return { dir: path, kustomization };
      reportProblem(this.ctx, entry.at, 'kustomize-not-a-kustomization', `directory ${quote(ref)} has no ${KUSTOMIZATION_FILES.join(', ')}; a directory named here must be a kustomization`);
      return undefined;
    }
    this.ctx.wanted.add(wantAs);
    const what = want === 'file' ? 'file' : want === 'dir' ? 'directory' : 'file or directory';
    reportProblem(this.ctx, entry.at, 'kustomize-missing-path', `${what} ${quote(ref)} is not in the revision`);
    return undefined;
  }
}

/**
 * Appends a kustomization's accumulated resources: an object already there (same group, kind,
 * namespace and name) is an error at both, as kustomize's "may not add resource with an already
 * registered id"; the second is dropped so validation does not report it again.
 */
function addAll(b: Build, add: KResource[], into: KResource[]): void {
  const seen = new Map<string, KResource>(into.map((r) => [idOf(r.object), r]));
  for (const r of add) {
    const id = idOf(r.object);
    const first = seen.get(id);
    if (first) {
      const name = quote(currentName(r.object));
      reportAtObject(b, r, ['metadata', 'name'], 'duplicate-resource', `${kindOf(r.object)} ${name} is also defined at ${where(b, first)}; kustomize refuses the same object twice in one build`);
      reportAtObject(b, first, ['metadata', 'name'], 'duplicate-resource', `${kindOf(first.object)} ${name} is also defined at ${where(b, r)}; kustomize refuses the same object twice in one build`);
      continue;
    }
    seen.set(id, r);
    into.push(r);
  }
}

function where(b: Build, r: KResource): string {
  const pos = b.ctx.prov.locator(r.object).locate(['metadata', 'name']);
  return `${pos.file ?? r.origin.doc.file}:${pos.line}`;
}

/** A problem about a built object, at the line its provenance names. */
export function reportAtObject(b: Build, r: KResource, path: Path, code: ProblemCode, message: string): void {
  const pos = b.ctx.prov.locator(r.object).locate(path);
  b.ctx.problems.push({ file: pos.file ?? r.origin.doc.file, line: pos.line, column: pos.column, path: formatPath(path), severity: PROBLEM_CODES[code].severity, code, message });
}

export function idOf(o: Obj): string {
  const meta = isObj(o['metadata']) ? o['metadata'] : {};
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default';
  return `${groupOf(o)}|${kindOf(o)}|${ns}|${currentName(o)}`;
}

function currentName(o: Obj): string {
  const meta = isObj(o['metadata']) ? o['metadata'] : {};
  return typeof meta['name'] === 'string' ? meta['name'] : '';
}

/** kustomize drops objects annotated `config.kubernetes.io/local-config: "true"` (IgnoreLocal). */
function dropLocalConfig(resources: KResource[]): void {
  for (let i = resources.length - 1; i >= 0; i--) {
    const meta = resources[i]!.object['metadata'];
    const ann = isObj(meta) && isObj(meta['annotations']) ? meta['annotations'] : {};
    if (ann['config.kubernetes.io/local-config'] === 'true') resources.splice(i, 1);
  }
}

/** URLs, git references and hosted-repository shorthands (kustomize fetches these; berth never does). */
export function isRemote(ref: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) ||
    /^(git::|git@|ssh::)/i.test(ref) ||
    /^(github\.com|gitlab\.com|bitbucket\.org|dev\.azure\.com)[/:]/i.test(ref) ||
    /\?(ref|version|submodules|timeout)=/.test(ref)
  );
}

function upCount(path: string): number {
  let n = 0;
  while (path.startsWith('../', n * 3) || path.slice(n * 3) === '..') n++;
  return n;
}

function fileProblem(file: string, code: ProblemCode, message: string) {
  return { file, line: 1, column: 1, path: '', severity: PROBLEM_CODES[code].severity, code, message };
}
