import { checkLabelKey } from '../../model/names.js';
import { divisorProblem, fieldPathProblem, isResourceField, RESOURCE_FIELDS } from '../../model/downward.js';
import { quote } from '../../model/excerpt.js';
import type { Path } from '../path.js';
import type { CheckContext } from './context.js';
import { checkQuantity } from './resources.js';
import { arr, has, rec, str } from './values.js';

/**
 * The downward API as Kubernetes validates it (validateObjectFieldSelector,
 * validateContainerResourceFieldSelector, validateDownwardAPIVolumeSource): what env and
 * downwardAPI volumes may read of their pod and its containers (model/downward.ts).
 */

/** An env `fieldRef` or a downwardAPI volume item's. */
export function checkFieldRef(value: unknown, at: Path, where: 'env' | 'volume', ctx: CheckContext): void {
  const fieldRef = rec(value);
  if (!fieldRef) return;
  const fieldPath = str(fieldRef.fieldPath);
  const problem = fieldPath === undefined ? undefined : fieldPathProblem(fieldPath, where, checkLabelKey);
  if (problem) ctx.r.report('unsupported-field-ref', [...at, 'fieldPath'], `fieldPath ${quote(fieldPath)} is not supported${where === 'volume' ? ' in a downwardAPI volume' : ' in env'}: ${problem}`);
  const version = str(fieldRef.apiVersion);
  if (version !== undefined && version !== 'v1') ctx.r.report('invalid-value', [...at, 'apiVersion'], `fieldRef apiVersion must be v1, not ${quote(version)}`);
}

/**
 * An env `resourceFieldRef` (containerName defaults to the container itself) or a downwardAPI
 * volume item's (containerName required: a volume belongs to no one container).
 */
export function checkResourceFieldRef(value: unknown, at: Path, where: 'env' | 'volume', containers: ReadonlySet<string>, ctx: CheckContext): void {
  const ref = rec(value);
  if (!ref) return;
  const { r } = ctx;
  const container = str(ref.containerName);
  if (where === 'volume' && (container === undefined || container === ''))
    r.report('missing-field', at, 'resourceFieldRef in a downwardAPI volume needs containerName: the volume belongs to no one container', { at: 'key' });
  else if (container && !containers.has(container))
    r.report('invalid-value', [...at, 'containerName'], `containerName ${quote(container)} names no container of this pod${containers.size ? `; it has ${[...containers].join(', ')}` : ''}`);
  const resource = str(ref.resource);
  if (resource !== undefined && !isResourceField(resource))
    r.report('unsupported-field-ref', [...at, 'resource'], `resource ${quote(resource)} is not supported; supported: ${RESOURCE_FIELDS.join(', ')}, limits.hugepages-<size>, requests.hugepages-<size>`);
  if (!has(ref, 'divisor')) return;
  const divisor = checkQuantity(ref.divisor, [...at, 'divisor'], r);
  const bad = resource !== undefined && isResourceField(resource) && divisor !== undefined ? divisorProblem(resource, ref.divisor as string | number) : undefined;
  if (bad) r.report('unsupported-field-ref', [...at, 'divisor'], `divisor ${quote(ref.divisor)}: ${bad}`);
}

/** A downwardAPI volume: each item reads exactly one field or resource into a file of its own. */
export function checkDownwardVolume(value: unknown, at: Path, containers: ReadonlySet<string>, ctx: CheckContext): void {
  const src = rec(value);
  if (!src) return;
  const paths = new Set<string>();
  arr(src.items).forEach((it, i) => {
    const item = rec(it);
    if (!item) return;
    const here = [...at, 'items', i];
    const sources = (['fieldRef', 'resourceFieldRef'] as const).filter((s) => has(item, s));
    if (sources.length !== 1)
      ctx.r.report('invalid-volume', here, `a downwardAPI item needs exactly one of fieldRef, resourceFieldRef; it has ${sources.length ? 'both' : 'neither'}`);
    checkFieldRef(item.fieldRef, [...here, 'fieldRef'], 'volume', ctx);
    checkResourceFieldRef(item.resourceFieldRef, [...here, 'resourceFieldRef'], 'volume', containers, ctx);
    const p = str(item.path);
    const bad = p === undefined ? undefined : checkItemPath(p);
    if (bad) ctx.r.report('invalid-path', [...here, 'path'], `items path ${quote(p)} ${bad}`);
    else if (p !== undefined && paths.has(p)) ctx.r.report('invalid-path', [...here, 'path'], `items path ${quote(p)} is used by another item of this volume`);
    if (p !== undefined) paths.add(p);
  });
}

/**
 * A file path inside a volume berth writes (Kubernetes' ValidateLocalNonReservedPath): the path
 * must stay in it and keep out of the names the kubelet reserves (`..data`).
 */
export function checkItemPath(p: string): string | undefined {
  if (p === '') return 'must be a non-empty relative path';
  if (p.startsWith('/')) return 'must be a relative path (no leading /)';
  if (p.split('/').includes('..')) return "must not contain '..'";
  if (p.startsWith('..')) return "must not start with '..'";
  return undefined;
}
