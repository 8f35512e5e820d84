/**
 * Kustomize, built in process (SPEC §2, docs/kustomize.md): a directory with a kustomization file
 * is built with kustomize's semantics wherever a folder of manifests is accepted. Pure: the build
 * reads the revision's files only.
 */
import type { Problem } from '../../model/problem.js';
import type { RevisionFile } from '../../model/revision.js';
import type { ManifestDoc } from '../report.js';
import type { BuildContext } from './types.js';
import { Provenance } from './provenance.js';
import { Build } from './build.js';
import { kustomizationRoots } from './paths.js';
import { legacyOrder, renderYaml, toDocs } from './output.js';

export { KUSTOMIZATION_FILES, kustomizationRoots, belongsToBuild, joinPath } from './paths.js';

export interface KustomizeBuild {
  /**
   * The built objects, in kustomize's output order, each as a document whose locator points
   * every path back where it was written (Provenance).
   */
  docs: ManifestDoc[];
  /** Problems of the kustomization files, patches and generator inputs (not of the built objects: validation checks those). */
  problems: Problem[];
  /** Paths the build needed and the files lack (sorted): a reader fetches them and builds again. */
  wanted: string[];
}

/** Builds the kustomization in `dir` ('' for the root) from the revision's files. */
export function buildKustomization(files: ReadonlyMap<string, RevisionFile>, dir: string): KustomizeBuild {
  const ctx: BuildContext = { files, prov: new Provenance(), problems: [], wanted: new Set() };
  const build = new Build(ctx);
  const resources = build.top(dir) ?? [];
  const sort = build.sortOptions(dir);
  const sorted = sort?.order === 'fifo' ? resources : legacyOrder(resources, sort?.orderFirst, sort?.orderLast);
  return { docs: toDocs(sorted, ctx.prov), problems: distinct(ctx.problems), wanted: [...ctx.wanted].sort() };
}

/** A base built twice in one build (two overlays of it) reports a problem of its own once. */
function distinct(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}\0${p.line}\0${p.column}\0${p.code}\0${p.path}\0${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every path the revision's kustomizations need and its files lack (sorted): a reader fetches
 * these (bases outside the folder it was pointed at, files not read yet) and asks again until
 * nothing new is wanted.
 */
export function kustomizeWanted(files: readonly RevisionFile[]): string[] {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const wanted = new Set<string>();
  for (const root of kustomizationRoots(byPath.keys())) for (const w of buildKustomization(byPath, root).wanted) wanted.add(w);
  return [...wanted].sort();
}

/** The built objects as `kustomize build` prints them (`berth kustomize DIR`). */
export function renderKustomizeBuild(build: KustomizeBuild): string {
  return renderYaml(build.docs.map((d) => d.value));
}
