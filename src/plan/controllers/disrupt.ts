import type { ObservedPod } from '../observed.js';
import type { StepContext, StepResult } from './common.js';
import { deletePod } from './common.js';

/**
 * A voluntary disruption: a pod a controller takes down to replace it (a rollout, a changed
 * template). It waits while a PodDisruptionBudget selecting it allows no more disruptions
 * (plan/disruption.ts), and is then recorded in `held`. Scaling down and removing broken pods
 * are not disruptions, as in Kubernetes: controllers delete those with deletePod.
 */
export function disrupt(key: string, p: ObservedPod, reason: string, ctx: StepContext, out: StepResult, held: Held): boolean {
  const { blockedBy } = ctx.budgets?.disrupt(p) ?? {};
  if (blockedBy !== undefined) {
    held.add(blockedBy, p.name);
    return false;
  }
  out.actions.push(deletePod(key, p, reason));
  return true;
}

/** Pods a PodDisruptionBudget held back in one step of one controller, by budget. */
export class Held {
  private readonly byBudget = new Map<string, string[]>();

  add(budget: string, pod: string): void {
    this.byBudget.set(budget, [...(this.byBudget.get(budget) ?? []), pod]);
  }

  /**
   * One wait per budget. `stuck` when nothing under way can make another disruption allowed
   * (no selected pod is coming up): the app is Degraded until the budget or strategy changes.
   */
  report(key: string, out: StepResult, o: { stuck: boolean; blocking?: boolean }): void {
    for (const [budget, pods] of this.byBudget)
      out.waits.push({
        key,
        kind: o.blocking === false ? 'ready' : 'rollout',
        blocking: o.blocking ?? true,
        ...(o.stuck ? { stuck: true } : {}),
        message: `PodDisruptionBudget ${budget} allows no more disruptions: keeping old pod${pods.length > 1 ? 's' : ''} ${pods.join(', ')} until more selected pods are ready`,
      });
  }
}
