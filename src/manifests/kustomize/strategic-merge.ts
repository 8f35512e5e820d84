import { didYouMean } from '../did-you-mean.js';
import { formatPath } from '../path.js';
import type { Path, Segment } from '../path.js';
import { fieldType, listRule, rootType } from './merge-keys.js';
import type { ListRule } from './merge-keys.js';
import type { Provenance } from './provenance.js';
import type { Obj, Origin, ReportAt } from './types.js';

/**
 * Kubernetes strategic merge patch as kustomize applies it (docs/kustomize.md "Patches").
 *
 * Maps merge key by key; `null` deletes a key; a list merges by the merge key its field declares
 * (merge-keys.ts) or is replaced. Directives: `$patch: replace|delete|merge` on a map or a list
 * item, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`, `$retainKeys`.
 *
 * List order follows kustomize (kyaml's merge walks the patch's items first): items the patch
 * names come first, in the patch's order, then the items only the target has, in its order.
 * The Kubernetes task page "Update API Objects in Place Using kubectl patch" shows the same
 * order for a container added by a patch.
 *
 * A malformed patch is reported at its path inside the patch (ctx.report) and the part it
 * concerns is left as it was; nothing throws.
 */
export interface MergeContext {
  prov: Provenance;
  report: ReportAt;
}

const DIRECTIVES = ['$patch', '$retainKeys', '$setElementOrder', '$deleteFromPrimitiveList'];
const PATCH_VALUES = ['replace', 'delete', 'merge'];
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/**
 * Merges `patch` into `target`, which is changed in place and returned; a new object for a
 * top-level `$patch: replace`; 'deleted' for a top-level `$patch: delete` (the resource goes).
 */
export function strategicMerge(target: Obj, patch: Obj, ctx: MergeContext): Obj | 'deleted' {
  const m = new Merger(ctx);
  const type = rootType(target.kind ?? patch.kind);
  const directive = m.directive(patch, []);
  if (directive === 'delete') return 'deleted';
  if (directive === 'replace') return m.fresh(patch, type, []);
  m.mergeMap(target, patch, type, []);
  return target;
}

function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shape(v: unknown): string {
  return Array.isArray(v) ? 'a list' : isMap(v) ? 'a map' : v === null ? 'null' : `a ${typeof v}`;
}

class Merger {
  constructor(private readonly ctx: MergeContext) {}

  /** The `$patch` directive of a map, reported when it is not one kustomize knows. */
  directive(patch: Obj, at: Path): 'replace' | 'delete' | 'merge' | undefined {
    const d = patch.$patch;
    if (d === undefined) return undefined;
    if (typeof d === 'string' && PATCH_VALUES.includes(d)) return d as 'replace' | 'delete' | 'merge';
    const hint = typeof d === 'string' ? didYouMean(d, PATCH_VALUES) : undefined;
    this.ctx.report([...at, '$patch'], `unknown $patch directive ${JSON.stringify(d)}${hint ? ` (did you mean "${hint}"?)` : ''}: use replace, delete or merge; the directive is ignored`);
    return undefined;
  }

  /** Where `key` of a patch container was written, for the scalars copied from it. */
  private originAt(container: object, key: Segment): Origin | undefined {
    const o = this.ctx.prov.originOf(container);
    return o && { doc: o.doc, path: [...o.path, key] };
  }

  private setScalar(target: Obj | unknown[], key: Segment, value: unknown, from: object, fromKey: Segment): void {
    const t = target as Record<Segment, unknown>;
    // An unchanged value keeps pointing where it was first written (a patch that restates the
    // name of the object it patches does not take the name's line away from the base).
    if (t[key] === value) return;
    t[key] = value;
    const origin = this.originAt(from, fromKey);
    if (origin) this.ctx.prov.markKey(target, key, origin);
  }

  /** A new container for a patch node, carrying its origin, merged from empty (directives and nulls dropped). */
  fresh(patch: Obj, type: string | undefined, at: Path): Obj {
    const out: Obj = {};
    const origin = this.ctx.prov.originOf(patch);
    if (origin) this.ctx.prov.mark(out, origin);
    // mergeMap skips `$patch`; the patch node itself is passed so scalars find its origin.
    this.mergeMap(out, patch, type, at);
    return out;
  }

  private freshList(patch: unknown[], rule: ListRule, field: string, at: Path): unknown[] | 'deleted' {
    const out: unknown[] = [];
    const origin = this.ctx.prov.originOf(patch);
    if (origin) this.ctx.prov.mark(out, origin);
    return this.mergeList(out, patch, rule, field, at);
  }

  mergeMap(target: Obj, patch: Obj, type: string | undefined, at: Path): void {
    // Deletions from primitive lists apply to the target's list before the patch's own value of
    // that field merges, as Kubernetes orders them.
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(DELETE_FROM)) this.deleteFromPrimitiveList(target, key.slice(DELETE_FROM.length), value, [...at, key]);
    }
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) {
        this.checkDirectiveKey(key, at);
        continue;
      }
      this.mergeField(target, patch, key, value, type, [...at, key]);
    }
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith(SET_ORDER)) this.setElementOrder(target, key.slice(SET_ORDER.length), value, type, [...at, key]);
    }
    if ('$retainKeys' in patch) this.retainKeys(target, patch, at);
  }

  /** `$`-keys are data unless they are (or are a near miss of) a directive. */
  private checkDirectiveKey(key: string, at: Path): void {
    const name = key.includes('/') ? key.slice(0, key.indexOf('/')) : key;
    if (DIRECTIVES.includes(name)) {
      if ((name === '$setElementOrder' || name === '$deleteFromPrimitiveList') && key.length === name.length + 1)
        this.ctx.report([...at, key], `${name}/ needs the field it applies to: ${name}/<field>`);
      return;
    }
    const hint = didYouMean(name, DIRECTIVES);
    if (hint) this.ctx.report([...at, key], `unknown directive ${JSON.stringify(key)} (did you mean "${hint}"?); it is merged as an ordinary field`);
  }

  private mergeField(target: Obj, patch: Obj, key: string, value: unknown, type: string | undefined, at: Path): void {
    const current = target[key];
    if (value === null) {
      delete target[key];
      return;
    }
    if (isMap(value)) {
      const directive = this.directive(value, at);
      if (directive === 'delete') {
        delete target[key];
        return;
      }
      const childType = fieldType(type, key);
      if (directive === 'replace' || current === undefined || current === null || !(isMap(current) || Array.isArray(current))) {
        target[key] = this.fresh(value, childType, at);
        return;
      }
      if (Array.isArray(current)) {
        this.ctx.report(at, `${formatPath(at)} is a map in this patch but a list in the resource it patches; write it as a list`);
        return;
      }
      this.mergeMap(current, value, childType, at);
      return;
    }
    if (Array.isArray(value)) {
      if (isMap(current)) {
        this.ctx.report(at, `${formatPath(at)} is a list in this patch but a map in the resource it patches; write it as a map`);
        return;
      }
      const rule = listRule(type, key);
      const merged = Array.isArray(current) ? this.mergeList(current, value, rule, key, at) : this.freshList(value, rule, key, at);
      if (merged === 'deleted') delete target[key];
      else target[key] = merged;
      return;
    }
    this.setScalar(target, key, value, patch, key);
  }

  /**
   * Merges a patch list into `target` (changed in place, so the list keeps its identity and
   * origin); 'deleted' when the list goes. An item that is only a `$patch` directive speaks for
   * the whole list, as in kustomize: `- $patch: replace` replaces it with the patch's other items,
   * `- $patch: delete` deletes it. `$patch` beside an item's fields applies to that item.
   */
  private mergeList(target: unknown[], patch: unknown[], rule: ListRule, field: string, at: Path): unknown[] | 'deleted' {
    let whole: 'replace' | 'delete' | 'merge' | undefined;
    const items: Item[] = [];
    patch.forEach((item, i) => {
      if (isMap(item) && '$patch' in item && Object.keys(item).length === 1) whole = this.directive(item, [...at, i]) ?? whole;
      else items.push({ item, i });
    });
    if (whole === 'delete') return 'deleted';
    const base = whole === 'replace' ? [] : [...target];
    if (rule.kind === 'replace') return this.replaceList(target, patch, items, rule.of, at);
    if (rule.kind === 'set') return this.mergeSet(target, base, patch, items, at);
    const consumed = new Set<number>();
    const out: unknown[] = [];
    // Items this merge has put in `out` from the patch, so a key the patch repeats merges into the first.
    const placed: Obj[] = [];
    const keyName = rule.keys[0]!;
    for (const { item, i } of items) {
      const itemAt = [...at, i];
      if (!isMap(item)) {
        this.ctx.report(itemAt, `items of ${field} are maps matched by ${keyName}; this item is ${shape(item)}`);
        continue;
      }
      const directive = this.directive(item, itemAt);
      if (!hasKey(item, rule)) {
        this.ctx.report(itemAt, `this item of ${field} has no ${keyName}: items of ${field} are matched by ${keyName}, so the patch cannot tell which item it changes; add ${keyName}`);
        continue;
      }
      const same = (t: unknown): t is Obj => isMap(t) && sameItem(t, item, rule);
      const already = placed.find(same);
      const j = already ? -1 : base.findIndex((t, k) => !consumed.has(k) && same(t));
      if (j >= 0) consumed.add(j);
      if (directive === 'delete' || directive === 'replace') {
        base.forEach((t, k) => {
          if (same(t)) consumed.add(k);
        });
        if (already) {
          out.splice(out.indexOf(already), 1);
          placed.splice(placed.indexOf(already), 1);
        }
        if (directive === 'delete') continue;
      }
      const existing = directive === 'replace' ? undefined : (already ?? (j >= 0 ? (base[j] as Obj) : undefined));
      if (existing) {
        this.mergeMap(existing, item, rule.of, itemAt);
        if (!already) {
          out.push(existing);
          placed.push(existing);
        }
        continue;
      }
      const created = this.fresh(item, rule.of, itemAt);
      out.push(created);
      placed.push(created);
    }
    base.forEach((t, k) => {
      if (!consumed.has(k)) out.push(t);
    });
    target.length = 0;
    target.push(...out);
    return target;
  }

  private replaceList(target: unknown[], patch: unknown[], items: readonly Item[], of: string | undefined, at: Path): unknown[] {
    const out = items.map(({ item, i }) => {
      if (isMap(item)) return this.fresh(item, of, [...at, i]);
      if (Array.isArray(item)) {
        const list = this.freshList(item, { kind: 'replace' }, String(i), [...at, i]);
        return list === 'deleted' ? [] : list;
      }
      return item;
    });
    return this.fill(target, out, (k) => (isMap(out[k]) || Array.isArray(out[k]) ? undefined : { from: patch, key: items[k]!.i }));
  }

  /** A set of scalars (finalizers): the patch's values first, then the others of `base` (the target's, unless replaced). */
  private mergeSet(target: unknown[], base: readonly unknown[], patch: unknown[], items: readonly Item[], at: Path): unknown[] {
    const out: Array<{ value: unknown; from: object; key: number }> = [];
    const seen = new Set<string>();
    const add = (value: unknown, from: object, key: number) => {
      const id = JSON.stringify(value);
      if (seen.has(id)) return;
      seen.add(id);
      out.push({ value, from, key });
    };
    for (const { item, i } of items) {
      if (isMap(item) || Array.isArray(item)) this.ctx.report([...at, i], `this list holds plain values; this item is ${shape(item)}`);
      else if (item !== null) add(item, patch, i);
    }
    // A value the target had keeps the origin of its list at its old index.
    base.forEach((v, i) => add(v, target, i));
    return this.fill(
      target,
      out.map((o) => o.value),
      (k) => ({ from: out[k]!.from, key: out[k]!.key }),
    );
  }

  /** Replaces the contents of `target` with `items`, recording where each scalar was written. */
  private fill(target: unknown[], items: unknown[], source: (i: number) => { from: object; key: Segment } | undefined): unknown[] {
    const origins = items.map((_, i) => {
      const s = source(i);
      return s && this.originAt(s.from, s.key);
    });
    target.length = 0;
    target.push(...items);
    origins.forEach((o, i) => {
      if (o) this.ctx.prov.markKey(target, i, o);
    });
    return target;
  }

  private deleteFromPrimitiveList(target: Obj, field: string, values: unknown, at: Path): void {
    if (!Array.isArray(values)) {
      this.ctx.report(at, `$deleteFromPrimitiveList/${field} takes a list of the values to remove from ${field}; this is ${shape(values)}`);
      return;
    }
    const list = target[field];
    if (!Array.isArray(list)) return;
    const drop = new Set(values.map((v) => JSON.stringify(v)));
    const kept = list.map((v, i) => ({ v, i })).filter(({ v }) => !drop.has(JSON.stringify(v)));
    this.fill(
      list,
      kept.map((k) => k.v),
      (i) => ({ from: list, key: kept[i]!.i }),
    );
  }

  /** Orders a merged list as `$setElementOrder/<field>` lists it; items it leaves out follow in their merged order. */
  private setElementOrder(target: Obj, field: string, order: unknown, type: string | undefined, at: Path): void {
    if (!Array.isArray(order)) {
      this.ctx.report(at, `$setElementOrder/${field} takes a list giving the order of ${field}'s items; this is ${shape(order)}`);
      return;
    }
    const list = target[field];
    if (!Array.isArray(list)) return;
    const rule = listRule(type, field);
    const keyed = rule.kind === 'keyed' ? rule : undefined;
    const named = (o: unknown, i: number): boolean => {
      const ok = keyed ? isMap(o) && hasKey(o, keyed) : !isMap(o) && !Array.isArray(o);
      if (!ok) this.ctx.report([...at, i], `this entry does not name an item of ${field}${keyed ? ` by ${keyed.keys[0]}` : ''}`);
      return ok;
    };
    const entries = order.map((o, i) => ({ o, i })).filter(({ o, i }) => named(o, i));
    const rankOf = (v: unknown): number | undefined =>
      entries.find(({ o }) => (keyed ? isMap(v) && sameItem(v, o as Obj, keyed) : JSON.stringify(v) === JSON.stringify(o)))?.i;
    const ranked = list.map((v, i) => ({ v, i, r: rankOf(v) ?? order.length + i }));
    ranked.sort((a, b) => a.r - b.r);
    if (ranked.every((x, i) => x.i === i)) return;
    this.fill(
      list,
      ranked.map((x) => x.v),
      (i) => (isMap(ranked[i]!.v) || Array.isArray(ranked[i]!.v) ? undefined : { from: list, key: ranked[i]!.i }),
    );
  }

  /**
   * `$retainKeys`: the map keeps only the keys listed (Kubernetes clears a union's other
   * members this way: a Deployment strategy switched to Recreate drops rollingUpdate).
   */
  private retainKeys(target: Obj, patch: Obj, at: Path): void {
    const keys = patch.$retainKeys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      this.ctx.report([...at, '$retainKeys'], `$retainKeys takes a list of the field names to keep; this is ${shape(keys)}`);
      return;
    }
    const keep = new Set(keys as string[]);
    for (const k of Object.keys(patch)) {
      if (!k.startsWith('$') && patch[k] !== null && !keep.has(k)) this.ctx.report([...at, k], `${k} is set by this patch but not listed in $retainKeys, which would clear it; add it to $retainKeys`);
    }
    for (const k of Object.keys(target)) if (!keep.has(k) && !(k in patch && patch[k] !== null)) delete target[k];
  }
}

type Keyed = Extract<ListRule, { kind: 'keyed' }>;

/** A patch list item with its index in the patch list. */
interface Item {
  item: unknown;
  i: number;
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** Whether a keyed list item carries its merge key (the first of the keys). */
function hasKey(item: Obj, rule: Keyed): boolean {
  return present(item[rule.keys[0]!]);
}

/**
 * Whether two items are the same item of a keyed list: the merge key is equal, and each further
 * key is equal or left out on one side (kyaml's rule: `containerPort: 53` matches 53/UDP).
 */
function sameItem(a: Obj, b: Obj, rule: Keyed): boolean {
  return rule.keys.every((k, i) => {
    const x = a[k];
    const y = b[k];
    if (!present(x) || !present(y)) return i > 0;
    return typeof x === 'object' || typeof y === 'object' ? JSON.stringify(x) === JSON.stringify(y) : String(x) === String(y);
  });
}
