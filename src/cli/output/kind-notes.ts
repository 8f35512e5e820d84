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
  Issuer: 'Issuers are stored, checked and shown; berth does not run ACME orders yet (a later step)',
  ClusterIssuer: 'ClusterIssuers are stored, checked and shown; berth does not run ACME orders yet (a later step)',
  Certificate: 'Certificates are stored, checked and shown; berth does not issue them yet (ACME comes in a later step)',
};

/** The notes of the kinds listed, once each, in the order asked for. */
export function kindNotes(kinds: readonly Kind[]): string[] {
  return [...new Set(kinds)].flatMap((k) => (KIND_NOTES[k] ? [`note: ${KIND_NOTES[k]}`] : []));
}
