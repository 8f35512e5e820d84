import type { DockerClient } from '../../apply/docker.js';
import type { Clock } from '../../model/clock.js';

const READY_PING_TIMEOUT_MS = 3_000;

export interface ReadinessCheckDeps {
  docker: DockerClient;
  clock: Clock;
  /** Reads the store once; throws when it cannot (the caller records the fault). */
  storeAnswers: () => boolean;
  firstFetch: () => boolean;
  lease: () => boolean;
  lastPassOk: () => boolean;
}

/**
 * `/readyz`: the first fetch happened, the store answers, Docker answers, the lease is held and
 * the last pass did not fail. Its own module so the daemon's wiring stays one readable file.
 */
export async function readinessCheck(deps: ReadinessCheckDeps): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const storeOk = deps.storeAnswers();
  // A wedged dockerd must not wedge the probe: answer "not ready" after a few seconds.
  const timeout = new AbortController();
  const dockerOk = await Promise.race([
    deps.docker.api.ping().then(
      () => true,
      () => false,
    ),
    deps.clock.sleep(READY_PING_TIMEOUT_MS, timeout.signal).then(
      () => false,
      () => false,
    ),
  ]);
  timeout.abort();
  // firstFetch: a revision was read from the source at least once. A daemon whose source
  // never answered (a wrong URL, a missing path) is not doing its job, even while it heals.
  // lastPass: a daemon whose passes fail is not keeping the host equal to the source.
  const checks = { store: storeOk, docker: dockerOk, firstFetch: deps.firstFetch(), lease: deps.lease(), lastPass: deps.lastPassOk() };
  return { ready: Object.values(checks).every(Boolean), checks };
}
