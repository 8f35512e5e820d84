/**
 * Lookups of keys that come from manifests (ConfigMap and Secret keys, labels, port and
 * container names, namespaces, header names) in plain objects. `obj[key]` would find
 * Object.prototype's members for `constructor`, `toString` or `hasOwnProperty` (a
 * `secretKeyRef` with `key: constructor` crashed the pass), and `obj[key] = v` with
 * `__proto__` would replace the object's prototype instead of adding a key. Use these, a Map,
 * or an object from Object.create(null) wherever the key is the manifest's.
 */

/** `obj[key]` when it is obj's own property, else undefined. */
export function own<T>(obj: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return obj !== null && obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** `obj[key] = value` as an own, enumerable data property, `__proto__` included. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}
