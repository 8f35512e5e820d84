import type { DaemonSet, LabelSelector } from '../../model/types.js';
import type { ViewOf } from '../../runtime/views/index.js';
import { writePodTemplate } from './describe-containers.js';
import type { DescribeWriter } from './describe.js';
import { annotationLines, labelLines } from './describe.js';
import { labelSelectorText } from './table.js';

/** `kubectl describe daemonset`, plus why this host (the one node) runs no daemon pod when it does not. */
export function describeDaemonSet(w: DescribeWriter, view: ViewOf<'DaemonSet'>, input: { pods: readonly ViewOf<'Pod'>[] }): void {
  const d = view.object;
  const spec = d.spec as unknown as DaemonSet['spec'];
  const st = d.status;
  w.kv(0, 'Name', view.name);
  w.kv(0, 'Namespace', view.namespace);
  w.kv(0, 'Selector', labelSelectorText(spec.selector as LabelSelector));
  const nodeSelector = Object.entries(spec.template.spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  w.kv(0, 'Node-Selector', nodeSelector || '<none>');
  w.list(0, 'Labels', labelLines(d.metadata.labels));
  w.list(0, 'Annotations', annotationLines(d.metadata.annotations));
  w.kv(0, 'Desired Number of Nodes Scheduled', st.desiredNumberScheduled);
  w.kv(0, 'Current Number of Nodes Scheduled', st.currentNumberScheduled);
  w.kv(0, 'Number of Nodes Scheduled with Up-to-date Pods', st.updatedNumberScheduled);
  w.kv(0, 'Number of Nodes Scheduled with Available Pods', st.numberAvailable);
  w.kv(0, 'Number of Nodes Misscheduled', st.numberMisscheduled);
  // Not in kubectl's output: with one node, "0 desired" needs its reason next to it.
  if (view.unschedulable.length) w.list(0, 'Not Scheduled On This Host', view.unschedulable);
  const pods = input.pods.filter((p) => p.namespace === view.namespace && p.controller === view.key);
  const phase = (p: string) => pods.filter((x) => x.object.status.phase === p).length;
  w.kv(0, 'Pods Status', `${phase('Running')} Running / ${phase('Pending')} Waiting / ${phase('Succeeded')} Succeeded / ${phase('Failed')} Failed`);
  w.kv(0, 'UpdateStrategy', spec.updateStrategy.type);
  if (spec.updateStrategy.type === 'RollingUpdate') w.kv(0, 'RollingUpdateStrategy', `${spec.updateStrategy.rollingUpdate.maxUnavailable} max unavailable, ${spec.updateStrategy.rollingUpdate.maxSurge} max surge`);
  writePodTemplate(w, spec.template);
}
