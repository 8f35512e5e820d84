import type { Kind } from '../../model/types.js';

/**
 * What a kind that has no Docker counterpart means on this host, in one line: `get` prints it
 * on stderr (stdout stays parseable) and `describe` as a Note. docs/manifests.md says the same.
 */
export const KIND_NOTES: Partial<Record<Kind, string>> = {
  ServiceAccount: 'ServiceAccounts are stored and checked (a pod must name one of its namespace); berth mounts no token, as there is no Kubernetes API on this host',
  Role: 'Roles are stored and shown; berth serves no Kubernetes API, so there is nothing for them to guard',
  ClusterRole: 'ClusterRoles are stored and shown; berth serves no Kubernetes API, so there is nothing for them to guard',
  RoleBinding: 'RoleBindings are stored and shown; berth serves no Kubernetes API, so they grant nothing',
  ClusterRoleBinding: 'ClusterRoleBindings are stored and shown; berth serves no Kubernetes API, so they grant nothing',
  PodDisruptionBudget: 'PodDisruptionBudgets are honoured by the disruptions berth makes: a Deployment, ReplicaSet or StatefulSet rollout takes a selected ready pod down only while every budget selecting it allows one more disruption (DaemonSets, one pod per host, do not spend them)',
  Issuer: 'Issuers with spec.acme register an account and order certificates (HTTP-01 through the edge) when a berth daemon drives the app; berth apply alone stores them',
  ClusterIssuer: 'ClusterIssuers with spec.acme register an account and order certificates (HTTP-01 through the edge) when a berth daemon drives the app; berth apply alone stores them',
  Certificate: 'Certificates are issued and renewed into their Secret by a berth daemon (ACME, HTTP-01 through the edge); without one they read Ready=False, NoController',
};

/** The notes of the kinds listed, once each, in the order asked for. */
export function kindNotes(kinds: readonly Kind[]): string[] {
  return [...new Set(kinds)].flatMap((k) => (KIND_NOTES[k] ? [`note: ${KIND_NOTES[k]}`] : []));
}
