import { quoteExact } from '../model/excerpt.js';

/** A location inside a document: object keys and array indexes, from the document root. */
export type Segment = string | number;
export type Path = readonly Segment[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `spec.template.spec.containers[0].image`; keys that are not plain words are quoted:
 * `metadata.labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${quoteExact(seg)}]`;
  }
  return out;
}

/** Ajv's instancePath (a JSON pointer) to segments; array indexes become numbers. */
export function pathFromPointer(pointer: string, root: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}
