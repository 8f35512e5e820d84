import { createProber, type PodProbeStatus, type Prober } from '../../../src/apply/probes/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedRunner } from './fake-runner.js';
import type { HostPolicy } from '../../../src/model/policy.js';

export interface Harness {
  clock: FakeClock;
  runner: ScriptedRunner;
  prober: Prober;
  /** Clock time when the harness was made; containers "start" here unless a test says otherwise. */
  t0: number;
  changes: PodProbeStatus[];
  failures: { podKey: string; container: string; message: string; at: number }[];
  /** Every failed attempt reported through onProbeFailure (the Unhealthy events). */
  probeFailures: { podKey: string; container: string; kind: string; message: string; at: number }[];
  /** Callback names in the order they came (onProbeFailure, onLivenessFailure). */
  order: string[];
  errors: unknown[];
}

/** A prober on a fake clock with a scripted runner, recording every callback. */
export function harness(options: { policy?: HostPolicy } = {}): Harness {
  const clock = new FakeClock();
  const runner = new ScriptedRunner(clock);
  const changes: Harness['changes'] = [];
  const failures: Harness['failures'] = [];
  const errors: unknown[] = [];
  const probeFailures: Harness['probeFailures'] = [];
  const order: string[] = [];
  const prober = createProber({
    runner,
    clock,
    ...(options.policy ? { policy: options.policy } : {}),
    onChange: (s) => changes.push(s),
    onLivenessFailure: (podKey, container, message) => {
      order.push('onLivenessFailure');
      failures.push({ podKey, container, message, at: clock.now() });
    },
    onProbeFailure: (podKey, container, kind, message) => {
      order.push(`onProbeFailure ${kind}`);
      probeFailures.push({ podKey, container, kind, message, at: clock.now() });
    },
    onError: (err) => errors.push(err),
  });
  return { clock, runner, prober, t0: clock.now(), changes, failures, probeFailures, order, errors };
}
