import type { Counter, Gauge, Histogram, Registry } from './prometheus.js';
import { createRegistry } from './prometheus.js';

/** Result of one pass as `berth_syncs_total{result}` counts it. */
export type SyncResult = 'synced' | 'progressing' | 'failed' | 'invalid' | 'aborted';

/**
 * The daemon's metrics (SPEC §6, docs/daemon.md lists them). Everything is `berth_`-prefixed;
 * labels stay low-cardinality: results, reasons and triggers are small fixed sets, and the
 * only revision label is on the info metric, which holds exactly one series.
 */
export interface DaemonMetrics {
  registry: Registry;
  reconcileDuration: Histogram;
  syncs: Counter;
  driftDetections: Counter;
  managedPods: Gauge;
  sourceFetches: Counter;
  sourceFetchErrors: Counter;
  lastAppliedRevision: Gauge;
  triggers: Counter;
  webhooks: Counter;
  firstChangeLatency: Histogram;
  /** 1 while the state store answers and is intact, 0 while it is damaged, full or failing. */
  storeHealthy: Gauge;
  storeFaults: Counter;
  storeBackupTimestamp: Gauge;
  storeBackupErrors: Counter;
  /** Passes failed in a row (0 after a pass that did not fail). */
  consecutiveFailures: Gauge;
  /** Sets the info metric to this revision only. */
  setLastApplied(revision: string): void;
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createDaemonMetrics(): DaemonMetrics {
  const registry = createRegistry();
  const lastAppliedRevision = registry.gauge('berth_last_applied_revision_info', 'The source revision the last successful pass applied (value is always 1).');
  const metrics: DaemonMetrics = {
    registry,
    reconcileDuration: registry.histogram('berth_reconcile_duration_seconds', 'Duration of reconcile passes, by result.', DURATION_BUCKETS),
    syncs: registry.counter('berth_syncs_total', 'Reconcile passes by result (synced, progressing, failed, invalid, aborted).'),
    driftDetections: registry.counter('berth_drift_detections_total', 'Passes that repaired the host without a source change (self-healing).'),
    managedPods: registry.gauge('berth_managed_pods', 'Pods of this app on the Docker host, as last observed.'),
    sourceFetches: registry.counter('berth_source_fetches_total', 'Source fetches (git) or folder reads that produced a revision.'),
    sourceFetchErrors: registry.counter('berth_source_fetch_errors_total', 'Failed source fetches, by reason.'),
    lastAppliedRevision,
    triggers: registry.counter('berth_reconcile_triggers_total', 'Reconcile triggers received, by trigger (coalesced triggers count too).'),
    webhooks: registry.counter('berth_webhook_requests_total', 'Webhook deliveries, by forge and outcome.'),
    firstChangeLatency: registry.histogram(
      'berth_trigger_to_first_change_seconds',
      'From the trigger that started a pass to its first mutating Docker call.',
      LATENCY_BUCKETS,
    ),
    storeHealthy: registry.gauge('berth_store_healthy', 'Whether the state store is intact and writable (1) or damaged, full or failing (0).'),
    storeFaults: registry.counter('berth_store_faults_total', 'Store failures seen, by fault (corrupt, full, readonly, io, error).'),
    storeBackupTimestamp: registry.gauge('berth_store_backup_last_success_timestamp_seconds', 'When the last rolling backup of the state store was written.'),
    storeBackupErrors: registry.counter('berth_store_backup_errors_total', 'Rolling backups of the state store that failed.'),
    consecutiveFailures: registry.gauge('berth_reconcile_consecutive_failures', 'Reconcile passes failed in a row; 0 once a pass does not fail.'),
    setLastApplied(revision) {
      lastAppliedRevision.reset();
      lastAppliedRevision.set(1, { revision });
    },
  };
  return metrics;
}
