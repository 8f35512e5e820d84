import type { ObservedPod } from '../../plan/observed.js';
import { podPhase } from '../../plan/observed.js';
import { containerStatus, podStatusWords } from '../../plan/container-status.js';
import { isFreshRecord } from '../../plan/readiness.js';
import type { Container, PodTemplateSpec } from '../../model/types.js';
import type { PodStatusRecord } from '../store/index.js';
import type { ViewContext } from './context.js';
import { sourceRevisionOfPod, templateOfPod } from './context.js';
import { statefulSetPodSpec } from './statefulsets.js';
import { itemMeta, ownerReference, parseOwner, rfc3339, sourceRevisionAnnotation, uidOf, uidOfContainer } from './meta.js';
import type { Condition, PodItem, ViewOf } from './types.js';
import { own } from '../../model/own.js';

type PodView = ViewOf<'Pod'>;

/** Every observed pod of the app as a Kubernetes Pod, sorted by namespace and name. */
export function podViews(ctx: ViewContext): PodView[] {
  return ctx.state.host.pods.map((p) => podView(ctx, p));
}

export function podView(ctx: ViewContext, pod: ObservedPod): PodView {
  const { state } = ctx;
  const template = templateOfPod(ctx, pod);
  const stored = state.podStatuses.get(pod.key);
  const record = freshRecord(stored, pod);
  const specs = new Map<string, Container>((template ? [...(template.spec.initContainers ?? []), ...template.spec.containers] : []).map((c) => [c.name, c]));
  const inits = pod.expectedInitContainers.map((name, i) => {
    const c = pod.initContainers.find((x) => x.name === name);
    // Init containers have no readiness probes (Kubernetes refuses them): ready while they run.
    const ready = c !== undefined && c.state === 'running' && !c.restarting;
    // Missing with nothing made after it: the pod's start has not reached it yet (not a removal).
    const notReachedYet = pod.containers.length === 0 && !pod.initContainers.some((x) => pod.expectedInitContainers.indexOf(x.name) > i);
    return containerStatus({ pod, name, observed: c, image: specs.get(name)?.image ?? c?.image ?? '', ready, record: undefined, fresh: false, initialized: false, now: state.now, notReachedYet });
  });
  const initialized = inits.every((c) => c.state.terminated?.exitCode === 0);
  const containers = pod.expectedContainers.map((name) => {
    const c = pod.containers.find((x) => x.name === name);
    // READY per container as the one readiness rule decided it (runtime/observe.ts, plan/readiness.ts).
    const ready = c !== undefined && (own(pod.containersReady, name) ?? false);
    return containerStatus({ pod, name, observed: c, image: specs.get(name)?.image ?? c?.image ?? '', ready, record: own(stored?.containers, name), fresh: record !== undefined, initialized, now: state.now, notReachedYet: !initialized });
  });
  // The one readiness rule decided this in runtime/observe.ts (plan/readiness.ts), as for the pass.
  const ready = pod.ready;
  const started = pod.sandbox?.startedAt ?? pod.createdAt;
  const readyAt = ready ? (record?.updatedAt ?? latestStart(pod) ?? started) : (record?.updatedAt ?? started);
  const condition = (type: string, ok: boolean, at: number): Condition => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: rfc3339(at) });
  const ip = pod.sandbox?.ip;
  const hostIP = state.host.networks.find((n) => n.namespace === pod.namespace)?.gateway;
  const owner = parseOwner(pod.owner);
  // berth began deleting it (plan/terminating.ts): kubectl's deletionTimestamp.
  const terminatingSince = stored?.terminatingSince;
  const object: PodItem = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: itemMeta({
      app: state.app,
      kind: 'Pod',
      namespace: pod.namespace,
      name: pod.name,
      createdAt: pod.createdAt,
      uid: pod.sandbox ? uidOfContainer(pod.sandbox.id) : uidOf(state.app, `Pod/${pod.key}`),
      labels: pod.labels,
      annotations: { ...(template?.metadata.annotations ?? {}), ...sourceRevisionAnnotation(sourceRevisionOfPod(ctx, pod)) },
      // A bare pod's owner label names the pod itself: it has no controller.
      ...(owner && !(owner.kind === 'Pod' && owner.name === pod.name) ? { owner: ownerReference(state.app, owner.kind, owner.namespace, owner.name, ctx.entries.get(`${owner.kind}/${owner.namespace}/${owner.name}`)?.createdAt) } : {}),
    }),
    spec: statefulSetPodSpec(ctx.workloads.get(pod.controller), pod.name, podSpec(pod, template, state.node?.name)),
    status: {
      phase: podPhase(pod),
      conditions: [
        condition('Initialized', initialized, started),
        condition('Ready', ready, readyAt),
        condition('ContainersReady', ready, readyAt),
        condition('PodScheduled', pod.sandbox !== undefined, pod.createdAt),
      ],
      ...(hostIP ? { hostIP, hostIPs: [{ ip: hostIP }] } : {}),
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      ...(pod.sandbox?.startedAt ? { startTime: rfc3339(pod.sandbox.startedAt) } : {}),
      ...(inits.length ? { initContainerStatuses: inits } : {}),
      containerStatuses: containers,
      ...(template ? { qosClass: qosClass(template) } : {}),
    },
  };
  if (terminatingSince !== undefined) object.metadata.deletionTimestamp = rfc3339(terminatingSince);
  const phase = object.status.phase;
  const words = podStatusWords({ phase, ready, ...(pod.sandbox ? { sandbox: pod.sandbox } : {}), terminating: terminatingSince !== undefined }, inits, containers);
  return {
    kind: 'Pod',
    key: `Pod/${pod.key}`,
    namespace: pod.namespace,
    name: pod.name,
    labels: pod.labels,
    createdAt: pod.createdAt,
    object,
    statusReason: words.reason,
    restarts: { count: words.restarts, ...(words.lastRestartAt !== undefined ? { lastAt: words.lastRestartAt } : {}) },
    ready,
    controller: pod.controller,
    owner: pod.owner,
  };
}

/**
 * A recorded status describes this incarnation of the pod only if it was written after the
 * pod was created: a re-created bare pod must not inherit its predecessor's readiness.
 */
function freshRecord(record: PodStatusRecord | undefined, pod: ObservedPod): PodStatusRecord | undefined {
  return record && isFreshRecord(record, pod) ? record : undefined;
}

function latestStart(pod: ObservedPod): number | undefined {
  const starts = pod.containers.map((c) => c.startedAt).filter((t): t is number => t !== undefined);
  return starts.length ? Math.max(...starts) : undefined;
}

function podSpec(pod: ObservedPod, template: PodTemplateSpec | undefined, node: string | undefined): PodItem['spec'] {
  const nodeName = node ? { nodeName: node } : {};
  if (template) return { ...template.spec, ...nodeName };
  // The template is unknown: what Docker tells about the containers is all there is.
  return {
    containers: pod.containers.map((c) => ({ name: c.name, image: c.image })),
    ...(pod.initContainers.length ? { initContainers: pod.initContainers.map((c) => ({ name: c.name, image: c.image })) } : {}),
    restartPolicy: pod.restartPolicy,
    ...nodeName,
  };
}

/** Kubernetes' QoS class from requests and limits (requests default to limits). */
export function qosClass(template: PodTemplateSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(template.spec.initContainers ?? []), ...template.spec.containers];
  const any = all.some((c) => Object.keys(c.resources?.limits ?? {}).length || Object.keys(c.resources?.requests ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) => {
    const limits = c.resources?.limits ?? {};
    const requests = { ...limits, ...(c.resources?.requests ?? {}) };
    return ['cpu', 'memory'].every((r) => limits[r] !== undefined && requests[r] === limits[r]);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
