import { ignoreRules } from './ignore-rules.js';

export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];
export const IGNORE_FILE = '.berthignore';

/**
 * Which files of a revision are manifests (SPEC §2): `*.yaml|*.yml|*.json` and kustomize's
 * extension-less `Kustomization`, recursively,
 * skipping hidden directories and whatever the root `.berthignore` (gitignore syntax) excludes.
 * Shared by the folder and git sources so both read the same set from the same tree.
 * `paths` are relative, '/'-separated; the result is sorted.
 */
export function selectManifestPaths(paths: readonly string[], berthignore?: string): string[] {
  return paths.filter(manifestPathFilter(berthignore)).sort();
}

/** The test selectManifestPaths applies to each path, for callers that decide one path at a time. */
export function manifestPathFilter(berthignore?: string): (path: string) => boolean {
  const ig = berthignore ? ignoreRules(berthignore) : undefined;
  return (p) => {
    const segments = p.split('/');
    if (segments.slice(0, -1).some((s) => s.startsWith('.'))) return false;
    const lower = p.toLowerCase();
    // `Kustomization` is one of kustomize's names for its file, and the only one without an extension.
    if (!MANIFEST_EXTENSIONS.some((ext) => lower.endsWith(ext)) && segments[segments.length - 1] !== 'Kustomization') return false;
    return !ig?.ignores(p);
  };
}
