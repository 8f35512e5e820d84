import type { DockerClient } from '../apply/docker.js';
import type { ContainerDetail } from '../apply/observe.js';
import type { Clock } from '../model/clock.js';
import type { ObservedPod } from '../plan/observed.js';
import type { Store } from './store/index.js';
import type { LiveState } from './views/index.js';
import { readLiveState, templateOfPod, viewContext } from './views/index.js';

/**
 * A pod a command (`logs`, `exec`, `port-forward`) or the web UI's logs and exec work on, with
 * the annotations of the template it runs: `kubectl.kubernetes.io/default-container` lives there.
 */
export interface PodTarget {
  pod: ObservedPod;
  annotations: Readonly<Record<string, string>>;
}

/** The app's live state, and how to read a pod's template annotations from it. */
export async function livePods(deps: { docker: DockerClient; store: Store; clock: Clock }, app: string, detail?: ContainerDetail): Promise<{ state: LiveState; annotationsOf: (pod: ObservedPod) => Record<string, string> }> {
  // `detail`: the containers worth an inspect (views/detail.ts); every one when absent.
  const state = await readLiveState(deps, { app, ...(detail ? { detail } : {}) });
  const ctx = viewContext(state);
  return { state, annotationsOf: (pod) => templateOfPod(ctx, pod)?.metadata.annotations ?? {} };
}
