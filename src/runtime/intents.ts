import type { Intent } from '../model/intent.js';
import { isPassIntent } from '../model/intent.js';
import type { HostPolicy } from '../model/policy.js';
import type { AnyObject } from '../model/types.js';
import { buildDesiredState, hasRollouts } from '../plan/desired.js';
import type { IntentPlanState } from '../plan/intents.js';
import { planIntents } from '../plan/intents.js';
import { commitChanges } from './commit.js';
import { appHashKeys } from './host-key.js';
import { sourceRevisionOf } from '../model/source-revision.js';
import type { Store } from './store/index.js';
import { ROLLOUT_KINDS } from '../model/kinds.js';

/**
 * The first stage of every pass that holds an app's lease (a command's in process, the
 * daemon's): read what the pending intents need, let plan/intents.ts decide, and commit each
 * intent's changes together with its completion, one transaction per intent. Returns the
 * intents as completed. Never called by dry runs or views: only the lease holder acts.
 * Stops at the first pass intent (apply, delete): what comes after it waits for its pass
 * (runtime/pass-intents.ts), so intents take effect in the order they were submitted.
 */
export function consumeIntents(store: Store, app: string, policy: HostPolicy | undefined): Intent[] {
  const all = store.listPendingIntents(app);
  const first = all.findIndex((i) => isPassIntent(i.spec));
  const pending = first === -1 ? all : all.slice(0, first);
  if (pending.length === 0) return [];
  const planned = planIntents(pending, intentPlanState(store, app, policy));
  for (const p of planned) commitChanges(store, app, p.changes);
  return planned.map((p) => ({ ...p.intent, state: 'done', result: p.result }));
}

/** The plain state plan/intents.ts decides from, read from the store. */
export function intentPlanState(store: Store, app: string, policy: HostPolicy | undefined): IntentPlanState {
  // First: making an app's hash key seals the legacy hashes the rollout history holds.
  const hashKey = appHashKeys(store, app).template;
  const inventory = store.getInventory(app);
  // Deployments, DaemonSets and StatefulSets keep revisions in the same store: undo and restart work on each.
  const deployments = inventory.filter((e) => ROLLOUT_KINDS.has(e.kind));
  const rollouts = new Map(deployments.map((e) => [e.key, store.listRollouts(app, e.key)]));
  const failedTemplates = new Map(deployments.map((e) => [e.key, new Set((rollouts.get(e.key) ?? []).filter((r) => store.isFailedTemplate(app, e.key, r.templateHash)).map((r) => r.templateHash))]));
  const sourceTemplateHashes = new Map<string, string>();
  if (deployments.length > 0) {
    const resources = inventory.map((e) => ({ key: e.key, object: e.object as AnyObject, source: { file: '(applied)', line: 0, column: 0 } }));
    for (const w of buildDesiredState(resources, { hashKey }).workloads) if (hasRollouts(w) || w.kind === 'StatefulSet') sourceTemplateHashes.set(w.key, w.template.hash);
  }
  return {
    app,
    inventory,
    sourceTemplateHashes,
    rollouts,
    failedTemplates,
    overrides: store.listDeploymentOverrides(app),
    sourceRevision: sourceRevisionOf(store.getSourceStatus(app), inventory),
    ...(policy ? { policy } : {}),
  };
}

/** The pass intent (apply, delete) the lease holder acts on next, once consumeIntents decided those before it. */
export function nextPassIntent(store: Store, app: string): Intent | undefined {
  const first = store.listPendingIntents(app)[0];
  return first && isPassIntent(first.spec) ? first : undefined;
}
