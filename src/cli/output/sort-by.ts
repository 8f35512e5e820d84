import { parseQuantity } from '../../model/quantity.js';
import { findResults, JsonPathError, parseRelaxedJsonPath, relaxedJsonPath } from './jsonpath.js';

/**
 * kubectl's `--sort-by=PATH`: objects ordered by the first value the (relaxed) JSONPath finds
 * in each, by the value's type: numbers numerically, strings that are both quantities (`4`,
 * `500m`, `1Gi`) as quantities, other strings in natural order (`web-2` before `web-10`;
 * RFC 3339 timestamps sort by time). Objects without the field come first; a path no object
 * has is an error, as in kubectl. Stable. Pure.
 */
export function sortByJsonPath<T>(items: readonly T[], objectOf: (item: T) => unknown, path: string): T[] {
  const template = parseRelaxedJsonPath(path);
  const keyed = items.map((item) => ({ item, value: findResults(template, objectOf(item), { allowMissingKeys: true })[0]?.[0] }));
  if (keyed.length > 0 && keyed.every((k) => k.value === undefined)) throw new JsonPathError(`couldn't find any field with path "${relaxedJsonPath(path)}" in the list of objects`, 'execute');
  const compare = (a: unknown, b: unknown): number => (a === undefined ? (b === undefined ? 0 : -1) : b === undefined ? 1 : isLess(a, b) ? -1 : isLess(b, a) ? 1 : 0);
  return keyed.sort((a, b) => compare(a.value, b.value)).map((k) => k.item);
}

function isLess(a: unknown, b: unknown): boolean {
  if (a === null) return b !== null;
  if (b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string') {
    const qa = parseQuantity(a);
    const qb = parseQuantity(b);
    return qa !== undefined && qb !== undefined ? qa < qb : naturalLess(a, b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (!isLess(a[i], b[i])) return false;
    return true;
  }
  const type = (v: unknown) => (typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'map[string]interface {}' : typeof v === 'number' ? 'float64' : 'string');
  throw new JsonPathError(typeof a === typeof b ? `unsortable type: ${type(a)}` : `unsortable values of different types: ${type(a)} and ${type(b)}`, 'execute');
}

/** Strings compared with runs of digits as numbers (kubectl's sortorder.NaturalLess). */
export function naturalLess(a: string, b: string): boolean {
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (digit(a[i]) && digit(b[j])) {
      let zi = i;
      while (a[zi] === '0') zi++;
      let zj = j;
      while (b[zj] === '0') zj++;
      let ei = zi;
      while (digit(a[ei])) ei++;
      let ej = zj;
      while (digit(b[ej])) ej++;
      const na = a.slice(zi, ei);
      const nb = b.slice(zj, ej);
      if (na.length !== nb.length) return na.length < nb.length;
      if (na !== nb) return na < nb;
      if (zi - i !== zj - j) return zi - i < zj - j;
      i = ei;
      j = ej;
      continue;
    }
    if (a[i] !== b[j]) return a[i]! < b[j]!;
    i++;
    j++;
  }
  return a.length - i < b.length - j;
}
