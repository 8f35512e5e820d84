/**
 * Kustomize, built in process (SPEC §2, docs/kustomize.md): a directory with a kustomization file
 * is built with kustomize's semantics wherever a folder of manifests is accepted. Pure: the build
 * reads the revision's files only.
 */
import type { Problem } from '../../model/problem.js';
import type { RevisionFile } from '../../model/revision.js';
import type { ManifestDoc } from '../report.js';

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
  void files;
  void dir;
  throw new Error('kustomize build: being written on the kustomize-core branch');
}
