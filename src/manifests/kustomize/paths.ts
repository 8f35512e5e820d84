import type { RevisionFile } from '../../model/revision.js';

/** The names kustomize looks for in a directory, in its order of preference. */
export const KUSTOMIZATION_FILES: readonly string[] = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * `dir` joined with a relative reference, normalized ('/'-separated, no `.` segments, `..`
 * folded where it can be). Paths of a revision are relative to the source root; a result may
 * start with `../` (a base outside the folder the reader was pointed at). Undefined for an
 * absolute reference, which a kustomization may not use (it would name a file on the host).
 */
export function joinPath(dir: string, ref: string): string | undefined {
  if (ref.startsWith('/') || /^[A-Za-z]:[\\/]/.test(ref)) return undefined;
  const out: string[] = [];
  for (const seg of [...(dir === '' ? [] : dir.split('/')), ...ref.replace(/\\/g, '/').split('/')]) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(seg);
  }
  // `apply -f /abs/dir` names files by their absolute path (sources/folder.ts readPaths): a
  // kustomization there reads its neighbours by absolute paths too.
  return (dir.startsWith('/') ? '/' : '') + out.join('/');
}

/** Whether `path` lies in `dir` or below it (kustomize's rule for the files a kustomization reads). */
export function isBelow(path: string, dir: string): boolean {
  return dir === '' ? !path.startsWith('../') && path !== '..' : path === dir || path.startsWith(`${dir}/`);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** The kustomization file of `dir` among the revision's files, by kustomize's order of names. */
export function kustomizationFileIn(files: ReadonlyMap<string, RevisionFile>, dir: string): RevisionFile | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const f = files.get(dir === '' ? name : `${dir}/${name}`);
    if (f) return f;
  }
  return undefined;
}

/**
 * The directories built as kustomizations (SPEC §2): the top-most directories of the revision
 * that hold a kustomization file. Everything below one belongs to its build (its patches,
 * generator files, sub-bases) and is not read as plain manifests; paths starting with `../`
 * were fetched for a build only. Sorted.
 */
export function kustomizationRoots(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    if (p.startsWith('../')) continue;
    const i = p.lastIndexOf('/');
    const name = i < 0 ? p : p.slice(i + 1);
    if (KUSTOMIZATION_FILES.includes(name)) dirs.add(i < 0 ? '' : p.slice(0, i));
  }
  return [...dirs].filter((d) => ![...dirs].some((o) => o !== d && isBelow(d, o))).sort();
}

/** Whether a file of the revision is read only by a build (under a kustomization root, or fetched from outside). */
export function belongsToBuild(path: string, roots: readonly string[]): boolean {
  return path.startsWith('../') || roots.some((r) => isBelow(path, r));
}

/**
 * Whether a reader fetched this file for a build from outside the folder it read (`../base`,
 * sources/kustomize-read.ts): its identity path starts with `../`, also where its path does not
 * (`apply -f overlays/a` names `../../base/x.yaml` `base/x.yaml`, where a person finds it). Such a
 * file is read by builds only, and its directory is no kustomization root of the revision.
 */
export function fetchedForBuild(file: RevisionFile): boolean {
  return (file.idPath ?? file.path).startsWith('../');
}
