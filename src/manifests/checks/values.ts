/**
 * Defensive readers. Semantic checks run on every object, including ones the schema already
 * rejected (so a person sees all problems at once), so they never trust a field's type.
 */
export type Rec = Record<string, unknown>;

export function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function rec(v: unknown): Rec | undefined {
  return isRecord(v) ? v : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/** String-valued entries of a map (labels, selectors, data); other values are the schema's business. */
export function stringEntries(v: unknown): Array<[string, string]> {
  if (!isRecord(v)) return [];
  const out: Array<[string, string]> = [];
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out.push([k, val]);
  return out;
}

export function stringMap(v: unknown): Record<string, string> {
  return Object.fromEntries(stringEntries(v));
}

export function has(obj: Rec | undefined, key: string): boolean {
  return obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined && obj[key] !== null;
}
