import { scaledValue } from '../model/int-or-string.js';
import type { Selector } from '../model/selectors.js';
import { matches, selectorFromLabelSelector } from '../model/selectors.js';
import type { PodDisruptionBudget, StringMap } from '../model/types.js';

/**
 * PodDisruptionBudgets, computed as Kubernetes' disruption controller does
 * (pkg/controller/disruption: getExpectedPodCount, countHealthyPods, updatePdbStatus), and
 * consulted by the voluntary disruptions berth makes itself: the pods a rollout takes down.
 * Pure: pods and controller scales come in as data.
 */

/** A pod as a budget sees it. */
export interface BudgetPod {
  namespace: string;
  name: string;
  labels: StringMap;
  /** The Ready condition: what the disruption controller counts as healthy. */
  ready: boolean;
  /** Top-level controller key (`Deployment/ns/web`); a bare Pod's is its own key. */
  controller: string;
}

export interface DisruptionStatus {
  /** Pods the budget expects: the scale of the controllers of the pods it selects (or, for an integer minAvailable, the pods it selects). */
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

/** The scale (`spec.replicas`) of a controller by key; undefined for what has none (a bare Pod). */
export type ScaleOf = (controller: string) => number | undefined;

/** The pods a budget selects: its namespace, its selector; no selector selects none (policy/v1). */
export function budgetSelects(pdb: PodDisruptionBudget, pod: Pick<BudgetPod, 'namespace' | 'labels'>): boolean {
  const selector = pdb.spec.selector;
  if (selector === undefined || pod.namespace !== (pdb.metadata.namespace ?? 'default')) return false;
  return matches(selectorFromLabelSelector(selector), pod.labels);
}

/**
 * getExpectedPodCount + updatePdbStatus. An integer minAvailable counts the selected pods; a
 * percentage or maxUnavailable counts the scale of their controllers, each once (pods with no
 * scalable controller, bare Pods, are left out of that count as Kubernetes leaves out
 * unmanaged pods). Percentages round up. Nothing may be disrupted while nothing is expected.
 */
export function disruptionStatus(pdb: PodDisruptionBudget, pods: readonly BudgetPod[], scaleOf: ScaleOf): DisruptionStatus {
  const selected = pods.filter((p) => budgetSelects(pdb, p));
  const currentHealthy = selected.filter((p) => p.ready).length;
  const { minAvailable, maxUnavailable } = pdb.spec;
  let expectedPods = 0;
  let desiredHealthy = 0;
  if (maxUnavailable !== undefined) {
    expectedPods = expectedScale(selected, scaleOf);
    desiredHealthy = Math.max(0, expectedPods - (scaledValue(maxUnavailable, expectedPods, true) ?? 0));
  } else if (minAvailable !== undefined) {
    if (typeof minAvailable === 'number') {
      expectedPods = selected.length;
      desiredHealthy = minAvailable;
    } else {
      expectedPods = expectedScale(selected, scaleOf);
      desiredHealthy = scaledValue(minAvailable, expectedPods, true) ?? 0;
    }
  }
  const allowed = currentHealthy - desiredHealthy;
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: expectedPods <= 0 || allowed <= 0 ? 0 : allowed };
}

function expectedScale(selected: readonly BudgetPod[], scaleOf: ScaleOf): number {
  let total = 0;
  for (const controller of new Set(selected.map((p) => p.controller))) total += scaleOf(controller) ?? 0;
  return total;
}

interface Budget {
  name: string;
  namespace: string;
  selector: Selector;
  allowed: number;
}

/**
 * The budgets of one planning step. Each pod a rollout takes down while it is ready spends one
 * allowed disruption of every budget that selects it, so several workloads (and several pods of
 * one) planned in the same step cannot together go below a budget. A pod that is not ready is
 * not counted healthy, so removing it spends nothing: it is always allowed (Kubernetes'
 * `unhealthyPodEvictionPolicy: AlwaysAllow`; holding it would protect no availability and stall
 * the rollout that replaces it).
 */
export class DisruptionBudgets {
  private readonly budgets: Budget[];

  constructor(pdbs: readonly PodDisruptionBudget[], pods: readonly BudgetPod[], scaleOf: ScaleOf) {
    this.budgets = pdbs
      .filter((p) => p.spec.selector !== undefined)
      .map((p) => ({
        name: p.metadata.name,
        namespace: p.metadata.namespace ?? 'default',
        selector: selectorFromLabelSelector(p.spec.selector),
        allowed: disruptionStatus(p, pods, scaleOf).disruptionsAllowed,
      }));
  }

  static none(): DisruptionBudgets {
    return new DisruptionBudgets([], [], () => undefined);
  }

  /**
   * Takes `pod` down if every budget selecting it allows one more disruption (spending one of
   * each); otherwise spends nothing and returns the name of a budget that forbids it.
   */
  disrupt(pod: Pick<BudgetPod, 'namespace' | 'labels' | 'ready'>): { blockedBy?: string } {
    if (!pod.ready) return {};
    const selecting = this.budgets.filter((b) => b.namespace === pod.namespace && matches(b.selector, pod.labels));
    const blocking = selecting.find((b) => b.allowed <= 0);
    if (blocking) return { blockedBy: blocking.name };
    for (const b of selecting) b.allowed--;
    return {};
  }
}
