import type { Path } from '../path.js';
import type { CheckContext } from './context.js';
import { quote } from '../../model/excerpt.js';

/** Container images: what Kubernetes refuses (errors) and what only fails to pull (warnings). */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
/** distribution/reference's grammar: [domain/]path[:tag][@digest]. */
const IMAGE_REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

export function checkImage(image: string): string | undefined {
  if (image.trim() === '') return 'must not be empty';
  if (image !== image.trim()) return 'must not have leading or trailing whitespace';
  if (IMAGE_REFERENCE.test(image)) return undefined;
  const repo = image.replace(/[:@].*$/, '');
  if (/[A-Z]/.test(repo.slice(repo.indexOf('/') + 1))) return 'repository names must be lower case';
  return 'is not a valid image reference ([registry/]name[:tag][@digest])';
}

/**
 * Kubernetes requires an image, and refuses leading or trailing whitespace in a Pod's (not in a
 * template's, where tools substitute a " " placeholder); it never parses the reference. So an
 * unparsable image (`IMAGE`, `<your-image>`, `${TAG}`) is a warning: the revision applies and
 * the pod fails to pull it, as on Kubernetes (InvalidImageName), until it is replaced.
 */
export function checkContainerImage(image: string, path: Path, ctx: CheckContext): void {
  const err = checkImage(image);
  if (!err) return;
  const pod = path.length === 4; // ['spec', 'containers', i, 'image']: a Pod's own container
  if (image === '' || (pod && image !== image.trim())) ctx.r.report('invalid-image', path, `image ${quote(image)} ${err}`);
  else ctx.r.report('unresolvable-image', path, `image ${quote(image)} ${err}; Kubernetes accepts it, and the pod cannot pull it until it is replaced`);
}
