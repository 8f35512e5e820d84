import type { LabelSelector } from '../../model/types.js';
import type { View, ViewOf } from '../../runtime/views/index.js';
import { annotationLines, DescribeWriter, labelLines } from './describe.js';
import { KIND_NOTES } from './kind-notes.js';
import { labelSelectorText } from './table.js';

// `kubectl describe` of the kinds stored and shown (ServiceAccount, RBAC) and of the
// PodDisruptionBudget, each with a Note of what it means on this host.

type AccessView = ViewOf<'ServiceAccount' | 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding' | 'PodDisruptionBudget'>;

export function isAccessView(view: View): view is AccessView {
  return KIND_NOTES[view.kind] !== undefined;
}

export function describeAccess(w: DescribeWriter, view: AccessView): void {
  w.kv(0, 'Name', view.name);
  if (view.namespace) w.kv(0, 'Namespace', view.namespace);
  w.list(0, 'Labels', labelLines(view.object.metadata.labels));
  w.list(0, 'Annotations', annotationLines(view.object.metadata.annotations));
  switch (view.kind) {
    case 'ServiceAccount':
      w.kv(0, 'Image pull secrets', '<none>');
      w.kv(0, 'Mountable secrets', view.object.secrets?.length ? view.object.secrets.map((s) => s.name ?? '').join(', ') : '<none>');
      w.kv(0, 'Tokens', '<none>');
      break;
    case 'Role':
    case 'ClusterRole': {
      w.line(0, 'PolicyRule:');
      // kubectl: one row per resource and API group (`pods`, `deployments.apps`), non-resource rules with an empty first cell.
      const rows = view.object.rules.flatMap((r) => {
        const rest = [list(r.nonResourceURLs), list(r.resourceNames), list(r.verbs)];
        const resources = (r.resources ?? []).flatMap((res) => (r.apiGroups ?? ['']).map((g) => (g === '' ? res : `${res}.${g}`)));
        return resources.length ? resources.map((res) => [res, ...rest]) : [['', ...rest]];
      });
      w.table(1, [['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], ['---------', '-----------------', '--------------', '-----'], ...rows]);
      break;
    }
    case 'RoleBinding':
    case 'ClusterRoleBinding': {
      w.line(0, 'Role:');
      w.kv(1, 'Kind', view.object.roleRef.kind);
      w.kv(1, 'Name', view.object.roleRef.name);
      w.line(0, 'Subjects:');
      const rows = (view.object.subjects ?? []).map((s) => [s.kind, s.name, s.namespace ?? '']);
      w.table(1, [['Kind', 'Name', 'Namespace'], ['----', '----', '---------'], ...rows]);
      break;
    }
    case 'PodDisruptionBudget': {
      const { spec, status } = view.object;
      if (spec.minAvailable !== undefined) w.kv(0, 'Min available', String(spec.minAvailable));
      if (spec.maxUnavailable !== undefined) w.kv(0, 'Max unavailable', String(spec.maxUnavailable));
      const selector = spec['selector'] as LabelSelector | undefined;
      w.kv(0, 'Selector', selector === undefined ? '<unset>' : labelSelectorText(selector));
      w.line(0, 'Status:');
      w.kv(2, 'Allowed disruptions', status.disruptionsAllowed);
      w.kv(2, 'Current', status.currentHealthy);
      w.kv(2, 'Desired', status.desiredHealthy);
      w.kv(2, 'Total', status.expectedPods);
      break;
    }
  }
  w.kv(0, 'Note', KIND_NOTES[view.kind] ?? '');
}

function list(values: readonly string[] | undefined): string {
  return `[${(values ?? []).join(' ')}]`;
}
