import type { StatefulSet } from '../../model/types.js';
import type { Effect } from './types.js';
import { effect, plural } from './wording.js';

/**
 * How a StatefulSet's pods take a new template: RollingUpdate from the highest ordinal down to
 * the partition, one (or maxUnavailable) at a time; OnDelete only as pods are deleted.
 */
export function statefulSetRollout(s: StatefulSet, ref: string, running: number): Effect[] {
  if (running === 0) return [];
  const strategy = s.spec.updateStrategy;
  if (strategy.type === 'OnDelete')
    return [effect('rollout.on-delete', `${ref} uses OnDelete: running pods keep the old template until each is deleted`)];
  const start = s.spec.ordinals?.start ?? 0;
  const partition = strategy.rollingUpdate.partition;
  const updated = Math.max(0, Math.min(running, start + running - Math.max(partition, start)));
  const kept = running - updated;
  const last = start + running - 1;
  const order = updated === 0 ? '' : ` (${s.metadata.name}-${last} first, down to ${s.metadata.name}-${last - updated + 1})`;
  return [
    effect(
      'rollout.rolling-update',
      `rolling update of ${ref}: ${plural(updated, 'pod')} replaced in reverse ordinal order${order}${kept > 0 ? `; ${plural(kept, 'pod')} below partition ${partition} kept` : ''}`,
    ),
  ];
}
