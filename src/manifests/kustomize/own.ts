import type { Segment } from '../path.js';

/**
 * Key access for maps whose keys a kustomization's author chose (patch fields, replacement
 * field paths, label keys, generator data keys). A plain `o[key]` with key `__proto__` reads
 * Object.prototype, and writing into what it returns changes every object of the process (berth
 * runs as root, and a kustomization in a pull request is hostile); `constructor` or `toString`
 * read as present on any map. The YAML parser keeps such keys as ordinary own fields, so these
 * helpers do too: a field is there only when the map itself holds it.
 */
export function ownValue(container: object, key: Segment): unknown {
  return Object.prototype.hasOwnProperty.call(container, key) ? (container as Record<Segment, unknown>)[key] : undefined;
}

export function hasOwn(container: object, key: Segment): boolean {
  return Object.prototype.hasOwnProperty.call(container, key);
}

/** Sets `key` as an own field (`__proto__` included, which an assignment would take as the prototype). */
export function setOwn(container: object, key: Segment, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
  else (container as Record<Segment, unknown>)[key] = value;
}
