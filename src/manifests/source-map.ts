import type { Event } from 'js-yaml';
import { COLLECTION_STYLE, EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import { MAX_DEPTH } from '../model/limits.js';
import type { Path } from './path.js';

/** 1-based, as editors and `file:line:col` print them. */
export interface Position {
  line: number;
  column: number;
  /** Set when the position lies in another file than the document's (a kustomize patch, a base). */
  file?: string;
}

/**
 * The text and event stream of one parsed file. Positions are computed only when a problem
 * is reported: the happy path never builds the line index or walks events a second time.
 */
export class YamlSource {
  private lineStarts: number[] | undefined;
  private eventList: readonly Event[] | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    events: readonly Event[],
  ) {
    this.eventList = events;
  }

  /**
   * The file's events. Validation releases them once the file's own checks are done (a large
   * revision's events would otherwise stay in memory to the end, millions of objects for the
   * garbage collector to trace); a later revision-wide problem re-parses the file, which only
   * happens on the error path and yields the same events.
   */
  get events(): readonly Event[] {
    return (this.eventList ??= parseEvents(this.text, { filename: this.file, maxDepth: MAX_DEPTH }));
  }

  release(): void {
    this.eventList = undefined;
  }

  position(offset: number): Position {
    const starts = (this.lineStarts ??= indexLines(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

function indexLines(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Whether a problem is about a mapping key (unknown field) or about the value at a path. */
export type Target = 'key' | 'value';

/**
 * Maps JSON paths of one document to source positions by walking its events. Mapping keys
 * point at the key, scalars at their value; block collections and empty values point at the
 * key that holds them (the line a person reads as "that field"), as do block scalars. A path that leaves the
 * source (a field derived during conversion, a merged key) resolves to its deepest ancestor.
 */
export class DocumentLocator {
  private ends: Int32Array | undefined;
  private anchors: Array<{ name: string; index: number }> | undefined;

  constructor(
    readonly source: YamlSource,
    /** Index of the document's content node event. */
    private readonly root: number,
    /** Index one past the document's last content event. */
    private readonly end: number,
  ) {}

  /** Position of the document itself (its first node). */
  start(): Position {
    return this.source.position(this.nodeOffset(this.root));
  }

  locate(path: Path, target: Target = 'value'): Position {
    const events = this.source.events;
    let node = this.root;
    let key = -1;
    let parent = -1;
    for (const seg of path) {
      const resolved = this.deref(node);
      const ev = events[resolved]!;
      let found: { key: number; value: number } | undefined;
      if (ev.type === EVENT_ID.MAPPING) found = this.findKey(resolved, String(seg), 0);
      else if (ev.type === EVENT_ID.SEQUENCE && typeof seg === 'number') found = this.item(resolved, seg);
      if (!found) break;
      parent = resolved;
      node = found.value;
      key = found.key;
    }
    // An empty list item (`-` alone) has no text of its own: point at its list.
    const ev = this.source.events[node]!;
    if (ev.type === EVENT_ID.SCALAR && ev.valueStart < 0 && key < 0 && parent >= 0) return this.source.position(this.nodeOffset(parent));
    return this.source.position(this.offsetFor(node, key, target));
  }

  /**
   * The text of the plain scalar at `path` as written (`yes`, `0644`, `1_000`), which YAML read
   * as a boolean or a number: a message about its type quotes what the person typed. Undefined
   * for anything else (quoted, block or not a scalar).
   */
  scalarText(path: Path): string | undefined {
    const events = this.source.events;
    let node = this.root;
    for (const seg of path) {
      const resolved = this.deref(node);
      const ev = events[resolved]!;
      let found: { key: number; value: number } | undefined;
      if (ev.type === EVENT_ID.MAPPING) found = this.findKey(resolved, String(seg), 0);
      else if (ev.type === EVENT_ID.SEQUENCE && typeof seg === 'number') found = this.item(resolved, seg);
      if (!found) return undefined;
      node = found.value;
    }
    const ev = events[this.deref(node)]!;
    if (ev.type !== EVENT_ID.SCALAR || ev.style !== SCALAR_STYLE.PLAIN || ev.valueStart < 0) return undefined;
    return this.source.text.slice(ev.valueStart, ev.valueEnd);
  }

  private offsetFor(node: number, key: number, target: Target): number {
    if (target === 'key' && key >= 0) return this.nodeOffset(key);
    const ev = this.source.events[node]!;
    if (ev.type === EVENT_ID.SCALAR) {
      // Empty values and block scalars (whose text starts on the next line) read best at their key.
      const block = ev.style === SCALAR_STYLE.LITERAL_BLOCK || ev.style === SCALAR_STYLE.FOLDED_BLOCK;
      if (key >= 0 && (ev.valueStart < 0 || block)) return this.nodeOffset(key);
      return this.nodeOffset(node);
    }
    if ((ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) && ev.style === COLLECTION_STYLE.BLOCK && key >= 0)
      return this.nodeOffset(key);
    return this.nodeOffset(node);
  }

  /** Offset of a node's first character, including its anchor, tag or opening quote. */
  private nodeOffset(index: number): number {
    const ev = this.source.events[index]!;
    let offset = Number.MAX_SAFE_INTEGER;
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        if (ev.valueStart >= 0)
          offset = ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED ? ev.valueStart - 1 : ev.valueStart;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        offset = ev.start;
        break;
      case EVENT_ID.ALIAS:
        return ev.anchorStart - 1;
      default:
        return 0;
    }
    if (ev.anchorStart >= 0) offset = Math.min(offset, ev.anchorStart - 1);
    if (ev.tagStart >= 0) offset = Math.min(offset, ev.tagStart);
    return offset === Number.MAX_SAFE_INTEGER ? 0 : offset;
  }

  /** Index one past the node that starts at `index` (its closing POP for collections). */
  private after(index: number): number {
    const ends = (this.ends ??= this.computeEnds());
    return ends[index - this.root]!;
  }

  private computeEnds(): Int32Array {
    const events = this.source.events;
    const ends = new Int32Array(this.end - this.root);
    const open: number[] = [];
    for (let i = this.root; i < this.end; i++) {
      const type = events[i]!.type;
      if (type === EVENT_ID.MAPPING || type === EVENT_ID.SEQUENCE) open.push(i);
      else if (type === EVENT_ID.POP) {
        const start = open.pop();
        if (start !== undefined) ends[start - this.root] = i + 1;
      } else ends[i - this.root] = i + 1;
    }
    return ends;
  }

  private item(seq: number, n: number): { key: number; value: number } | undefined {
    const events = this.source.events;
    let i = seq + 1;
    for (let k = 0; events[i]!.type !== EVENT_ID.POP; k++) {
      if (k === n) return { key: -1, value: i };
      i = this.after(i);
    }
    return undefined;
  }

  /** Direct keys win over merged (`<<`) ones, as in YAML merge semantics. */
  private findKey(map: number, name: string, depth: number): { key: number; value: number } | undefined {
    const events = this.source.events;
    const merges: number[] = [];
    let i = map + 1;
    while (events[i]!.type !== EVENT_ID.POP) {
      const keyIndex = i;
      const valueIndex = this.after(keyIndex);
      const kev = events[keyIndex]!;
      if (kev.type === EVENT_ID.SCALAR) {
        const text = getScalarValue(this.source.text, kev);
        if (text === name) return { key: keyIndex, value: valueIndex };
        if (text === '<<' && kev.style === SCALAR_STYLE.PLAIN) merges.push(valueIndex);
      }
      i = this.after(valueIndex);
    }
    if (depth > 8) return undefined;
    for (const m of merges) {
      const target = this.deref(m);
      const ev = events[target]!;
      const sources = ev.type === EVENT_ID.SEQUENCE ? this.children(target).map((c) => this.deref(c)) : [target];
      for (const s of sources) {
        if (events[s]!.type !== EVENT_ID.MAPPING) continue;
        const found = this.findKey(s, name, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }

  /**
   * Every repeated scalar key in the document's mappings. Construction stops at the first
   * duplicate; this slower walk runs only then, so a person sees all of them at once.
   */
  duplicateKeys(): Array<{ key: string; offset: number; firstOffset: number }> {
    const events = this.source.events;
    const out: Array<{ key: string; offset: number; firstOffset: number }> = [];
    for (let m = this.root; m < this.end; m++) {
      if (events[m]!.type !== EVENT_ID.MAPPING) continue;
      const seen = new Map<string, number>();
      for (let i = m + 1; events[i]!.type !== EVENT_ID.POP; ) {
        const kev = events[i]!;
        const valueIndex = this.after(i);
        if (kev.type === EVENT_ID.SCALAR) {
          const key = getScalarValue(this.source.text, kev);
          const first = seen.get(key);
          if (first !== undefined && key !== '<<') out.push({ key, offset: this.nodeOffset(i), firstOffset: first });
          else seen.set(key, this.nodeOffset(i));
        }
        i = this.after(valueIndex);
      }
    }
    return out;
  }

  private children(collection: number): number[] {
    const out: number[] = [];
    const events = this.source.events;
    for (let i = collection + 1; events[i]!.type !== EVENT_ID.POP; i = this.after(i)) out.push(i);
    return out;
  }

  /** Follows an alias to the node its anchor names (the nearest definition before it). */
  private deref(index: number): number {
    const events = this.source.events;
    const ev = events[index]!;
    if (ev.type !== EVENT_ID.ALIAS) return index;
    const name = this.source.text.slice(ev.anchorStart, ev.anchorEnd);
    const anchors = (this.anchors ??= this.collectAnchors());
    let best = index;
    for (const a of anchors) if (a.index < index && a.name === name) best = a.index;
    return best;
  }

  private collectAnchors(): Array<{ name: string; index: number }> {
    const out: Array<{ name: string; index: number }> = [];
    const events = this.source.events;
    for (let i = this.root; i < this.end; i++) {
      const ev = events[i]!;
      if (ev.type !== EVENT_ID.POP && ev.type !== EVENT_ID.DOCUMENT && ev.type !== EVENT_ID.ALIAS && ev.anchorStart >= 0)
        out.push({ name: this.source.text.slice(ev.anchorStart, ev.anchorEnd), index: i });
    }
    return out;
  }
}
