import { quote } from '../../model/excerpt.js';
import type { RefusedEntry } from '../../model/revision.js';

/**
 * What to say at the kustomization line naming a path the reader refused. Said there, not at the
 * path alone: the path has no line, and outside a Git work tree `../base` (kustomize's everyday
 * layout) is refused, so the person must learn which line and what widens the boundary.
 */
export function refusedMessage(ref: string, reason: RefusedEntry): string {
  switch (reason) {
    case 'kustomize-outside-boundary':
      return `${quote(ref)} lies outside what berth reads for a build (the Git work tree or repository holding the folder; the folder itself when it is in no work tree), so it is not read: keep it inside the repository, or, outside Git, run \`git init\` in a directory holding the overlay and its bases`;
    case 'kustomize-read-limit':
      return `${quote(ref)} was not read: this revision's kustomizations name more than berth reads for builds (64 MiB in all, bases nested 64 deep)`;
    case 'symlink-outside-root':
      return `${quote(ref)} is a symlink out of the folder, and berth does not follow links out of it; replace the link with what it points at`;
    case 'symlink-dangling':
      return `${quote(ref)} is a symlink that points to nothing; restore its target or remove it from this list`;
    case 'symlink-loop':
      return `${quote(ref)} is a symlink that points to itself or to a directory containing it; remove it`;
  }
}
