import type { StoreChange } from '../plan/store-changes.js';
import type { ContainerStatusRecord, Store } from './store/index.js';
import { own, setOwn } from '../model/own.js';

/**
 * Commits what a plan decided, in one store transaction: all of it or none of it. The planner
 * (src/plan) never writes; this is where its decisions become the store's memory, so a dry run
 * or a view that plans the same snapshot can never change anything. A change that fails (a
 * node port another app claimed in the meantime: CONFLICT) rolls the whole list back and
 * throws, so a pass stops before executing anything its bookkeeping does not cover.
 */
export function commitChanges(store: Store, app: string, changes: readonly StoreChange[]): void {
  if (changes.length === 0) return;
  store.transaction(() => {
    for (const c of changes) applyChange(store, app, c);
  });
}

function applyChange(store: Store, app: string, c: StoreChange): void {
  switch (c.type) {
    case 'replace-inventory':
      return store.replaceInventory(app, c.entries, { sourceRevision: c.sourceRevision });
    case 'upsert-inventory':
      store.upsertInventory(app, c.entry, { sourceRevision: c.sourceRevision });
      return;
    case 'remove-inventory':
      store.removeInventory(app, c.keys);
      return;
    case 'update-source-status':
      store.updateSourceStatus(app, c.patch);
      return;
    case 'record-applied-policy':
      store.recordAppliedPolicy(app, c.policy);
      return;
    case 'seal-legacy-hashes':
      store.sealLegacyHashesInMessages(app, Buffer.from(c.hashKey), c.hashes);
      return;
    case 'begin-rollout':
      store.beginRollout(app, c.deployment, c.input);
      return;
    case 'note-progress':
      store.noteRolloutProgress(app, c.deployment, c.revision, {
        ...(c.signature !== undefined ? { signature: c.signature } : {}),
        ...(c.progressed !== undefined ? { progressed: c.progressed } : {}),
      });
      return;
    case 'finish-rollout':
      store.finishRollout(app, c.deployment, c.revision, c.outcome, c.message);
      return;
    case 'mark-failed-template':
      store.markFailedTemplate(app, c.deployment, c.templateHash, c.sourceRevision, c.reason);
      return;
    case 'clear-failed-templates':
      store.clearFailedTemplates(app, c.deployment);
      return;
    case 'prune-rollouts':
      store.pruneRollouts(app, c.deployment, c.keep);
      return;
    case 'forget-deployment':
      return store.forgetDeployment(app, c.deployment);
    case 'set-pin':
      store.setPin(app, c.deployment, c.pin);
      return;
    case 'clear-pin':
      store.clearPin(app, c.deployment);
      return;
    case 'set-override':
      store.setDeploymentOverride(app, c.deployment, c.kind, c.value);
      return;
    case 'clear-override':
      store.clearDeploymentOverride(app, c.deployment, c.kind);
      return;
    case 'claim-node-port':
      store.allocateNodePort(app, c.serviceKey, c.portName, c.port, c.cursor !== undefined ? { cursor: c.cursor } : {});
      return;
    case 'release-node-ports':
      store.releaseNodePorts(app, c.serviceKey, c.keep ? { keep: c.keep } : {});
      return;
    case 'upsert-job':
      store.upsertJob(app, c.job);
      return;
    case 'delete-jobs':
      store.deleteJobs(app, c.jobKeys);
      return;
    case 'set-cron-state':
      store.setCronState(app, c.cronJobKey, c.state);
      return;
    case 'delete-cron-state':
      store.deleteCronState(app, c.cronJobKey);
      return;
    case 'set-pod-status':
      store.setPodStatus(app, c.podKey, c.status);
      return;
    case 'delete-pod-status':
      store.deletePodStatus(app, c.podKeys);
      return;
    case 'update-container-status':
      return updateContainerStatus(store, app, c);
    case 'add-event':
      store.addEvent({ app, ...c.event });
      return;
    case 'complete-intent':
      store.completeIntent(c.id, c.result);
      return;
    case 'set-pod-terminating':
      store.setPodTerminating(app, c.podKey, c.since, c.deadline);
      return;
    case 'bind-volume':
      store.recordVolumeBinding(app, c.record);
      return;
    case 'forget-volume':
      store.forgetVolumeBinding(app, c.volume);
      return;
    case 'record-certificate':
    case 'record-certificate-failure':
      store.recordCertificate(app, c.record);
      return;
    case 'forget-certificate':
      store.forgetCertificate(app, c.key);
      return;
    case 'record-acme-account':
      store.recordAcmeAccount(app, c.account);
      return;
    case 'forget-acme-account':
      store.forgetAcmeAccount(app, c.issuerKey, c.server);
      return;
  }
}

/** Read-modify-write of one container's record; other containers and the pod's readiness are kept. */
function updateContainerStatus(store: Store, app: string, c: Extract<StoreChange, { type: 'update-container-status' }>): void {
  const rec = store.getPodStatus(app, c.podKey);
  const containers = { ...(rec?.containers ?? {}) };
  const before: ContainerStatusRecord = own(containers, c.container) ?? { ready: false, started: false, restartCount: 0 };
  const after: ContainerStatusRecord = { ...before, ...c.set };
  if (c.add?.restartCount) after.restartCount = before.restartCount + c.add.restartCount;
  if (c.add?.backoffRestarts) after.backoffRestarts = (before.backoffRestarts ?? 0) + c.add.backoffRestarts;
  setOwn(containers, c.container, after);
  store.setPodStatus(app, c.podKey, { ready: rec?.ready ?? false, containers, updatedAt: rec?.updatedAt ?? 0 });
}
