import { joinPath } from '../../src/manifests/kustomize/paths.js';
import type { RevisionFile } from '../../src/model/revision.js';

/**
 * A stand-in for the kustomize build's `wanted`: a kustomization file lists one reference per
 * line (a file, or a directory holding a kustomization; `dir/` a directory only); wanted is every reference the files
 * lack. Enough to drive the sources' fixpoint without the build itself.
 */
export function fakeWanted(files: readonly RevisionFile[]): string[] {
  const have = new Set(files.map((f) => f.path));
  const hasDir = (d: string) => ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((n) => have.has(d === '' ? n : `${d}/${n}`));
  const out = new Set<string>();
  for (const f of files) {
    const m = /^(.*?)\/?(kustomization\.ya?ml|Kustomization)$/.exec(f.path);
    if (!m || f.refused) continue;
    for (const line of f.content.toString().split('\n')) {
      const ref = line.trim();
      if (ref === '') continue;
      const p = joinPath(m[1]!, ref);
      // A trailing `/` asks for a directory only, as the build does outside a kustomization's directory.
      if (p !== undefined && !have.has(p) && !hasDir(p)) out.add(ref.endsWith('/') ? `${p}/` : p);
    }
  }
  return [...out].sort();
}
