import { escapeControl } from '../../../src/model/excerpt.js';

/**
 * Every string of an API answer made fit to show, as the CLI's print boundary makes its output
 * (src/model/excerpt.ts escapeControl): control characters and the invisible ones that reorder
 * text (U+202E and its kin) become visible escapes. A commit subject, an author, a change
 * cause or an event message comes from whoever wrote the manifests or the commit; without this
 * one of them could make the page say something it does not (`‮txt.exe` shown as `exe.txt`).
 * Applied once, where answers arrive (api.ts), so no page can forget it. Names and keys the
 * UI sends back are DNS names, which never hold such characters.
 */
export function displayable<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map((v) => displayable(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = displayable(v);
    return out as T;
  }
  return value;
}
