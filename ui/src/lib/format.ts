/**
 * Words and numbers as the pages show them. Pure (the current time is passed in) so the same
 * value reads the same on every page and in tests.
 */

/** `12s ago`, `5m ago`, `3h ago`, `2d ago`; `just now` within a second and for a clock ahead of the daemon's. */
export function ago(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.floor((nowMs - t) / 1000);
  if (s < 1) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** `850 ms`, `1.2 s`, `2m 03s`: precise for a fast pass, readable for a slow rollout. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

/** `2026-12-06 03:04:05 UTC`: absolute, for the title next to a relative time. */
export function timestamp(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** First 7 characters of a commit SHA, the first 12 of a folder's content id (as `berth` prints them). */
export function shortId(id: string | null | undefined): string {
  if (!id) return '';
  return /^[0-9a-f]{40}$/.test(id) ? id.slice(0, 7) : id.slice(0, 12);
}

export interface Located {
  file: string;
  line: number;
  column: number;
}

/** `apps/web.yaml:12:3` as editors jump to it; a file-level problem (line 0) is just the file. */
export function location(p: Located): string {
  if (p.line < 1) return p.file;
  return p.column < 1 ? `${p.file}:${p.line}` : `${p.file}:${p.line}:${p.column}`;
}

/** The first line of a commit message: the subject shown next to the SHA. */
export function subject(message: string | undefined): string {
  return (message ?? '').split('\n', 1)[0]!.trim();
}

/**
 * `Deployment/shop/web` → `{kind, namespace, name}`; a cluster-scoped object's key is berth's
 * `Namespace//shop` (an empty namespace, as events carry it) or `Namespace/shop`.
 */
export function parseKey(key: string): { kind: string; namespace?: string; name: string } | undefined {
  const parts = key.split('/');
  if (parts.length === 3 && parts[0] !== '' && parts[2] !== '') return parts[1] === '' ? { kind: parts[0]!, name: parts[2]! } : { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  if (parts.length === 2 && parts.every((p) => p !== '')) return { kind: parts[0]!, name: parts[1]! };
  return undefined;
}

/** An object key as people read it: `Deployment/shop/web`, `Namespace/shop` (not berth's `Namespace//shop`). */
export function keyLabel(key: string): string {
  const ref = parseKey(key);
  if (!ref) return key;
  return ref.namespace === undefined ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The last `max` lines of `text`: a followed log grows without end, the page keeps a window of it. */
export function keepLastLines(text: string, max: number): string {
  let at = text.length;
  // Count from the end; a trailing newline ends the last line rather than starting one.
  for (let n = text.endsWith('\n') ? -1 : 0; n < max; n++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return text;
  }
  return text.slice(at + 1);
}
