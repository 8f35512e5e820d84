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
  errors: unknown[];
}

/** A prober on a fake clock with a scripted runner, recording every callback. */
export function harness(options: { policy?: HostPolicy } = {}): Harness {
  const clock = new FakeClock();
  const runner = new ScriptedRunner(clock);
  const changes: Harness['changes'] = [];
  const failures: Harness['failures'] = [];
  const errors: unknown[] = [];
  const prober = createProber({
    runner,
    clock,
    ...(options.policy ? { policy: options.policy } : {}),
    onChange: (s) => changes.push(s),
    onLivenessFailure: (podKey, container, message) => failures.push({ podKey, container, message, at: clock.now() }),
    onError: (err) => errors.push(err),
  });
  return { clock, runner, prober, t0: clock.now(), changes, failures, errors };
}
