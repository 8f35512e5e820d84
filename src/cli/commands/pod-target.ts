import type { ObservedPod } from '../../plan/observed.js';
import type { PodTarget } from '../../runtime/pod-target.js';
import type { Selector } from '../../model/selectors.js';
import { matches } from '../../model/selectors.js';
import { BerthError } from '../../model/errors.js';
import type { CliIO } from '../context.js';
import { print } from '../context.js';
import type { Engine } from '../engine.js';
import { resolveKind } from '../resource-args.js';
import type { ScopeFlags } from './get.js';
import { namespaceOf } from './get.js';

export type { PodTarget } from '../../runtime/pod-target.js';

async function liveState(engine: Engine): ReturnType<typeof import('../../runtime/pod-target.js').livePods> {
  return (await import('../../runtime/pod-target.js')).livePods(engine, engine.app);
}

/** `POD` or `KIND/NAME` → the pod it means, with the controller's choice explained on stderr. */
export async function resolvePodTarget(arg: string, flags: ScopeFlags, engine: Engine, io: CliIO, quiet = false): Promise<PodTarget> {
  const slash = arg.indexOf('/');
  const ref = slash > 0 ? { kind: resolveKind(arg.slice(0, slash)), name: arg.slice(slash + 1) } : { kind: 'Pod', name: arg };
  const [{ state, annotationsOf }, { findPod }] = await Promise.all([liveState(engine), import('../../runtime/container-io.js')]);
  // Readiness is already the one rule's (runtime/observe.ts): the pod chosen is the one `get` shows ready.
  const namespace = namespaceOf(flags, io);
  const service = ref.kind === 'Service' ? state.inventory.find((e) => e.key === `Service/${namespace}/${ref.name}`) : undefined;
  if (ref.kind === 'Service' && !service) throw new BerthError('NOT_FOUND', `services "${ref.name}" not found in namespace ${namespace}`, { namespace, service: ref.name });
  const selector = (service?.object as { spec?: { selector?: Record<string, string> } } | undefined)?.spec?.selector;
  const { pod, of } = findPod(state.host.pods, ref, namespace, selector);
  if (of > 1 && !quiet) print(io.stderr, `Found ${of} pods, using pod/${pod.name}`);
  return { pod, annotations: annotationsOf(pod) };
}

/** `POD` or `KIND/NAME` → the pod (see resolvePodTarget). */
export async function resolvePod(arg: string, flags: ScopeFlags, engine: Engine, io: CliIO, quiet = false): Promise<ObservedPod> {
  return (await resolvePodTarget(arg, flags, engine, io, quiet)).pod;
}

/** `-l SELECTOR`: the namespace's pods whose labels match, by name (the API server's list order). */
export async function selectPods(selector: Selector, flags: ScopeFlags, engine: Engine, io: CliIO): Promise<PodTarget[]> {
  const { state, annotationsOf } = await liveState(engine);
  const namespace = namespaceOf(flags, io);
  return state.host.pods
    .filter((p) => p.namespace === namespace && matches(selector, p.labels))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((pod) => ({ pod, annotations: annotationsOf(pod) }));
}
