import type { Position, Target } from '../source-map.js';
import type { Path, Segment } from '../path.js';
import type { Locator, ParsedDocument } from '../parse.js';

type Obj = Record<string, unknown>;

/** A position in a parsed source document: a manifest, a patch or a kustomization file. */
export interface Origin {
  doc: ParsedDocument;
  path: Path;
}

/**
 * Where each part of a built object was written. A kustomize build merges a base, patches and
 * the kustomization's own entries into one object; a problem validation finds in it must point
 * at the line a person edits (the patch that set an image, the `images:` entry that renamed it),
 * not at output nobody wrote (SPEC §2).
 *
 * Objects and arrays are tracked by identity: a node keeps its origin however it moves (a
 * strategic merge reorders list items, a transformer moves nothing). A scalar has no identity,
 * so a step that writes one into an existing container records it against the container's key.
 * A path is located at the deepest node (or key) with a known origin, plus the rest of the path
 * inside that source document; a part nobody wrote resolves to its nearest written ancestor.
 */
export class Provenance {
  private readonly nodes = new WeakMap<object, Origin>();
  private readonly keys = new WeakMap<object, Map<Segment, Origin>>();

  /** Records `origin` (advancing its path) for every object and array under `value`. */
  mark(value: unknown, origin: Origin): void {
    if (typeof value !== 'object' || value === null) return;
    this.nodes.set(value, origin);
    if (Array.isArray(value)) value.forEach((item, i) => this.mark(item, { doc: origin.doc, path: [...origin.path, i] }));
    else for (const [k, v] of Object.entries(value)) this.mark(v, { doc: origin.doc, path: [...origin.path, k] });
  }

  /** The value at `key` of `container` was written at `origin` (a patch's line, an `images:` entry). */
  markKey(container: object, key: Segment, origin: Origin): void {
    let map = this.keys.get(container);
    if (!map) this.keys.set(container, (map = new Map()));
    map.set(key, origin);
  }

  originOf(node: object): Origin | undefined {
    return this.nodes.get(node);
  }

  /**
   * Where the value at `key` of `container` was written: its markKey, else the value's own
   * origin, else that key inside the container's origin. For a step that moves a value between
   * objects (a generator's `behavior: merge` keeps a base's keys).
   */
  originOfKey(container: object, key: Segment): Origin | undefined {
    const byKey = this.keys.get(container)?.get(key);
    if (byKey) return byKey;
    const value = (container as Record<Segment, unknown>)[key];
    const own = typeof value === 'object' && value !== null ? this.nodes.get(value) : undefined;
    if (own) return own;
    const at = this.nodes.get(container);
    return at && { doc: at.doc, path: [...at.path, key] };
  }

  /** A deep copy whose nodes keep the origins of the nodes they copy. */
  clone<T>(value: T): T {
    if (typeof value !== 'object' || value === null) return value;
    const copy = (Array.isArray(value) ? value.map((v) => this.clone(v)) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.clone(v)]))) as T;
    const origin = this.nodes.get(value);
    if (origin) this.nodes.set(copy as object, origin);
    const keys = this.keys.get(value);
    if (keys) this.keys.set(copy as object, new Map(keys));
    return copy;
  }

  /** A locator for one built object (what validation's Reporter reads positions from). */
  locator(root: Obj): Locator {
    return {
      start: () => this.resolve(root, [], 'value'),
      locate: (path, target = 'value') => this.resolve(root, path, target),
      scalarText: (path) => {
        const found = this.find(root, path);
        return found && found.exact ? found.origin.doc.locator.scalarText([...found.origin.path, ...found.rest]) : undefined;
      },
    };
  }

  private resolve(root: Obj, path: Path, target: Target): Position {
    const found = this.find(root, path);
    if (!found) return { line: 0, column: 0 };
    const { doc, path: at } = found.origin;
    return { ...doc.locator.locate([...at, ...found.rest], target), file: doc.file };
  }

  /** The deepest origin along `path`; `exact` when the whole path lies inside that source. */
  private find(root: Obj, path: Path): { origin: Origin; rest: Path; exact: boolean } | undefined {
    let best: { origin: Origin; rest: Path } | undefined;
    const rootOrigin = this.nodes.get(root);
    if (rootOrigin) best = { origin: rootOrigin, rest: path };
    let node: unknown = root;
    let reached = 0;
    for (let i = 0; i < path.length; i++) {
      if (typeof node !== 'object' || node === null) break;
      const seg = path[i]!;
      const byKey = this.keys.get(node)?.get(seg);
      if (byKey) best = { origin: byKey, rest: path.slice(i + 1) };
      node = (node as Record<Segment, unknown>)[seg];
      if (node === undefined) break;
      reached = i + 1;
      if (typeof node === 'object' && node !== null) {
        const own = this.nodes.get(node);
        if (own) best = { origin: own, rest: path.slice(i + 1) };
      }
    }
    return best && { ...best, exact: reached === path.length };
  }
}
