import type { Clock } from '../../model/clock.js';
import type { ReadinessSource } from '../observe.js';
import type { Readiness } from '../readiness.js';
import type { Terminations } from '../terminations.js';

/** Readiness as the prober knows it, counting the pods each observation sees (the managed-pods gauge). */
export function countingReadiness(r: Readiness, deps: { clock: Clock; terminations: Pick<Terminations, 'has'>; count: (pods: number) => void }): ReadinessSource {
  return {
    opinion: (pod) => r.opinion(pod),
    track: (host) => {
      // What the app runs: a pod terminating (here, or marked in the store) is counted as gone, as its controller counts it.
      deps.count(host.pods.filter((p) => !p.terminating && !deps.terminations.has(p.key)).length);
      r.track?.(host);
    },
    changed: (ms, signal) => (r.changed ? r.changed(ms, signal) : deps.clock.sleep(ms, signal).catch(() => undefined)),
  };
}
