import type {
  BeginRolloutInput,
  ContainerStatusRecord,
  CronStateInput,
  DeploymentOverrideKind,
  EventInput,
  FinishedOutcome,
  InventoryInput,
  JobInput,
  PinInput,
  PodStatusInput,
  SourceStatusPatch,
} from '../model/state.js';
import type { IntentResult } from '../model/intent.js';
import type { HostPolicy } from '../model/policy.js';
import type { VolumeBindingRecord } from '../model/storage.js';
import type { AcmeAccountRecord, CertificateRecord } from '../model/certificate-state.js';

/**
 * What a controller decided the store should remember, as data: the planner returns these
 * instead of writing, so a dry run, a view and a pass can all run the same decision and only
 * the pass commits it (runtime/commit.ts, one transaction). Every change is for the app the
 * plan is for; each maps onto one store method of the same name.
 *
 * `onSuccessOf` (action ids) makes a change conditional: it is committed after execution, and
 * only when every named action succeeded (delete bookkeeping: forget a Deployment's history
 * only once its pods are gone).
 */
export type StoreChange = (
  | { type: 'replace-inventory'; entries: readonly InventoryInput[]; sourceRevision: string }
  | { type: 'upsert-inventory'; entry: InventoryInput; sourceRevision: string }
  | { type: 'remove-inventory'; keys: readonly string[] }
  | { type: 'update-source-status'; patch: SourceStatusPatch }
  /** The policy what the inventory holds was admitted under (rollout and scale converge it again under it). */
  | { type: 'record-applied-policy'; policy: HostPolicy }
  /**
   * Legacy (unkeyed) pod-template hashes gone from the host: the events' messages that name
   * them name their sealed form instead (store/host-key.ts), as the rollout history does.
   */
  | { type: 'seal-legacy-hashes'; hashKey: Uint8Array; hashes: readonly string[] }
  | { type: 'begin-rollout'; deployment: string; input: BeginRolloutInput }
  | { type: 'note-progress'; deployment: string; revision: number; signature?: string; progressed?: boolean }
  | { type: 'finish-rollout'; deployment: string; revision: number; outcome: FinishedOutcome; message?: string }
  | { type: 'mark-failed-template'; deployment: string; templateHash: string; sourceRevision: string; reason: string }
  | { type: 'clear-failed-templates'; deployment: string }
  | { type: 'prune-rollouts'; deployment: string; keep: number }
  | { type: 'forget-deployment'; deployment: string }
  | { type: 'set-pin'; deployment: string; pin: PinInput }
  | { type: 'clear-pin'; deployment: string }
  | { type: 'set-override'; deployment: string; kind: DeploymentOverrideKind; value: string }
  | { type: 'clear-override'; deployment: string; kind: DeploymentOverrideKind }
  /** `cursor`: where the next automatic allocation starts; set by an automatic one (plan/node-ports.ts). */
  | { type: 'claim-node-port'; serviceKey: string; portName: string; port: number; cursor?: number }
  | { type: 'release-node-ports'; serviceKey: string; keep?: readonly string[] }
  | { type: 'upsert-job'; job: JobInput }
  | { type: 'delete-jobs'; jobKeys: readonly string[] }
  | { type: 'set-cron-state'; cronJobKey: string; state: CronStateInput }
  | { type: 'delete-cron-state'; cronJobKey: string }
  | { type: 'set-pod-status'; podKey: string; status: PodStatusInput }
  | { type: 'delete-pod-status'; podKeys: readonly string[] }
  /**
   * One container's record, merged into what the store holds when the change is committed:
   * `set` replaces fields, `add` counts on. A whole record decided from an observation would
   * undo what the prober wrote meanwhile (readiness, a liveness restart's count).
   */
  | { type: 'update-container-status'; podKey: string; container: string; set?: ContainerStatusPatch; add?: { restartCount?: number; backoffRestarts?: number } }
  | { type: 'add-event'; event: Omit<EventInput, 'app'> }
  /** A user command's intent was acted on (plan/intents.ts): committed with the changes it made. */
  | { type: 'complete-intent'; id: number; result: IntentResult }
  /** Pod being deleted since `since` (kubectl's Terminating); no `since` clears the mark (plan/terminating.ts). */
  | { type: 'set-pod-terminating'; podKey: string; since?: number; deadline?: number }
  /** A PersistentVolume's binding as plan/volume-binding.ts decided it (insert or replace). */
  | { type: 'bind-volume'; record: VolumeBindingRecord }
  | { type: 'forget-volume'; volume: string }
  /** A certificate issued for a Certificate (plan/certificates.ts): the whole record, failures reset. */
  | { type: 'record-certificate'; record: CertificateRecord }
  /** A failed issuance: the record with its failure count, the CA's problem and the back-off's next attempt. */
  | { type: 'record-certificate-failure'; record: CertificateRecord }
  /** The Certificate left the revision: its record (and so its generated Secret) goes. */
  | { type: 'forget-certificate'; key: string }
  /** An issuer's ACME account: the key generated for it (committed before it is registered) and its URL. */
  | { type: 'record-acme-account'; account: AcmeAccountRecord }
  /** Its Issuer/ClusterIssuer left the app: the account's key goes (plan/certificate-records.ts). */
  | { type: 'forget-acme-account'; issuerKey: string; server: string }
) & { onSuccessOf?: readonly string[] };

export type StoreChangeType = StoreChange['type'];

/** The fields of a container's record `update-container-status` may set. */
export type ContainerStatusPatch = { [K in keyof ContainerStatusRecord]?: ContainerStatusRecord[K] };

/** The changes to commit before executing (write-ahead), and those that wait for their actions. */
export function splitByTiming(changes: readonly StoreChange[]): { before: StoreChange[]; after: StoreChange[] } {
  const before: StoreChange[] = [];
  const after: StoreChange[] = [];
  for (const c of changes) (c.onSuccessOf?.length ? after : before).push(c);
  return { before, after };
}

/** The conditional changes whose actions all succeeded (ids of the actions that did). */
export function changesEarned(changes: readonly StoreChange[], succeeded: ReadonlySet<string>): StoreChange[] {
  return changes.filter((c) => (c.onSuccessOf ?? []).every((id) => succeeded.has(id)));
}
