import type { DockerClient } from '../../apply/docker.js';
import type { SwarmActionResult } from '../../apply/swarm/execute.js';
import type { Clock } from '../../model/clock.js';
import type { Wait } from '../../plan/actions.js';
import type { DesiredState } from '../../plan/desired.js';
import type { SwarmAction } from '../../plan/swarm/plan.js';
import type { Logger } from '../log.js';

export interface SwarmDeps {
  docker: DockerClient;
  clock: Clock;
  log: Logger;
  /** The data-plane image every node can pull (runtime/compose.ts: pushed to the Swarm's registry). */
  proxyImage(): Promise<string>;
}

export interface SwarmRequest {
  app: string;
  desired: DesiredState;
  dryRun?: boolean;
  /** Keep watching until every service has settled (`apply --wait`, the daemon's passes). */
  waitForReady: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
  onAction?: (result: SwarmActionResult) => void;
  onWaiting?: (waits: Wait[]) => void;
}

/** What a pass did on a Swarm: the report's planned and done actions, and what it still waits for. */
export interface SwarmOutcome {
  planned: Array<{ action: SwarmAction['type']; key: string; text: string }>;
  results: SwarmActionResult[];
  /** Services still rolling or short of tasks when the pass stopped. */
  waits: Wait[];
  timedOut: boolean;
  /** Workloads whose update Swarm rolled back or paused, or that missed their deadline. */
  rolloutsFailed: string[];
  /** Each workload service as Swarm last reported it: what rollout records are kept from. */
  statuses: SwarmWorkloadStatus[];
}

export interface SwarmWorkloadStatus {
  key: string;
  kind: string;
  running: number;
  desired: number;
  /** Swarm's UpdateStatus.State; absent before a service's first update. */
  updateState?: string;
}
