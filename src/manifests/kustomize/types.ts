import type { Problem } from '../../model/problem.js';
import type { RevisionFile } from '../../model/revision.js';
import type { Path } from '../path.js';
import type { Origin, Provenance } from './provenance.js';

/**
 * The kustomize build's shared shapes (docs/kustomize.md). The build is pure: it reads only the
 * revision's files (paths relative to the source root, '/'-separated, possibly starting with
 * `../` for a base the reader fetched from outside the folder it was pointed at) and reports
 * what it lacked in `wanted`, so a reader can fetch those and build again (sources/kustomize-read.ts).
 */
export type Obj = Record<string, unknown>;

// Origin lives with Provenance, which records it; re-exported here so the build's shapes stay in one place.
export type { Origin } from './provenance.js';

/** Reports a problem about the value at `path` of one source document. */
export type ReportAt = (path: Path, message: string) => void;

/** One resource while a kustomization is built; transformers change `object` in place. */
export interface KResource {
  object: Obj;
  /** Where the object was written (or, for a generated one, its generator entry). */
  origin: Origin;
  /**
   * Every (name, namespace) the object has had, oldest first, the current one last: a reference
   * to an earlier name is rewritten to the current one (kustomize's name-reference fixing).
   */
  history: Array<{ name: string; namespace: string | undefined }>;
  /** Set for generator output: the content-hash suffix is appended at the end of the whole build. */
  generated?: { hash: boolean; behavior: 'create' | 'merge' | 'replace' };
}

/** What every step of one build shares. */
export interface BuildContext {
  /** The revision's files by path. */
  files: ReadonlyMap<string, RevisionFile>;
  prov: Provenance;
  problems: Problem[];
  /** Paths the build needed that `files` lacks: the reader fetches these and builds again. */
  wanted: Set<string>;
}
