import { quote } from '../../model/excerpt.js';
import type { RefusedEntry } from '../../model/revision.js';
import type { BuildContext } from './types.js';

/**
 * What to say at the kustomization line naming a path the reader refused. Said there, not at the
 * path alone: the path has no line, and outside a Git work tree `../base` (kustomize's everyday
 * layout) is refused, so the person must learn which line and what widens the boundary.
 */
export function refusedMessage(ref: string, reason: RefusedEntry): string {
  switch (reason) {
    case 'kustomize-outside-boundary':
      if (ref.split('/').some((seg) => seg.toLowerCase() === '.git')) return `${quote(ref)} is inside a .git directory, which berth never reads for a build (its config may hold the credential berth fetches with); name a file outside .git`;
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

/** A resource, base or component the build could not read: what it holds is missing from the build. */
const UNREAD: ReadonlySet<string> = new Set([
  'kustomize-missing-path',
  'kustomize-outside-root',
  'kustomize-outside-boundary',
  'kustomize-read-limit',
  'kustomize-remote-resource',
  'kustomize-not-a-kustomization',
  'symlink-outside-root',
  'symlink-dangling',
  'symlink-loop',
]);

/**
 * Whether the build already failed to read something it names. Then a patch or `replicas` entry
 * naming an object that is not there is most likely naming one the unread path holds: reporting it
 * would bury the cause under its consequences (kustomize stops at the first), so callers skip it.
 */
export function hasUnreadInput(ctx: BuildContext): boolean {
  return ctx.problems.some((p) => UNREAD.has(p.code));
}
