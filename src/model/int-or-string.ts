import type { IntOrString } from './types.js';

/**
 * intstr.GetScaledValueFromIntOrPercent: `25%` of `total`, rounded up or down as the caller
 * needs (maxSurge rounds up, maxUnavailable rounds down, as the Deployment controller does).
 * Returns undefined for a malformed value.
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+)%$/.exec(value);
  if (m) {
    const exact = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  if (/^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** deployment/util.ResolveFenceposts: never both zero, or a rollout could not progress. */
export function resolveFenceposts(
  maxSurge: IntOrString,
  maxUnavailable: IntOrString,
  replicas: number,
): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true) ?? 0;
  let unavailable = scaledValue(maxUnavailable, replicas, false) ?? 0;
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}
