import { checkDns1123Subdomain } from '../../model/names.js';
import type { Kind } from '../../model/types.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkRbacName } from './rbac-names.js';
import { checkLabelSelector } from './selectors.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';
import { clip, quote } from '../../model/excerpt.js';

// The kinds stored and shown (RBAC) and the PodDisruptionBudget, checked as the API server
// validates them (pkg/apis/rbac/validation, pkg/apis/policy/validation): their shape means
// nothing on this host, but a manifest Kubernetes would reject is rejected here too.

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function checkAccessObject(kind: Kind, object: Rec, r: Reporter): void {
  switch (kind) {
    case 'Role':
    case 'ClusterRole':
      arr(object.rules).forEach((rule, i) => checkPolicyRule(rec(rule), ['rules', i], kind === 'Role', r));
      arr(rec(object.aggregationRule)?.clusterRoleSelectors).forEach((s, i) => checkLabelSelector(s, ['aggregationRule', 'clusterRoleSelectors', i], r));
      return;
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      checkRoleRef(rec(object.roleRef), kind, r);
      arr(object.subjects).forEach((s, i) => checkSubject(rec(s), ['subjects', i], kind === 'RoleBinding', r));
      return;
    case 'PodDisruptionBudget':
      checkBudget(rec(object.spec), r);
      return;
    default:
      return;
  }
}

function checkPolicyRule(rule: Rec | undefined, path: Path, namespaced: boolean, r: Reporter): void {
  if (!rule) return;
  if (Array.isArray(rule.verbs) && rule.verbs.length === 0) r.report('invalid-value', [...path, 'verbs'], 'verbs must contain at least one value');
  const nonResource = arr(rule.nonResourceURLs).length > 0;
  if (nonResource) {
    if (namespaced) r.report('invalid-value', [...path, 'nonResourceURLs'], 'namespaced rules (a Role) cannot apply to non-resource URLs; use a ClusterRole');
    else if (arr(rule.apiGroups).length > 0 || arr(rule.resources).length > 0)
      r.report('invalid-value', [...path, 'nonResourceURLs'], 'a rule cannot apply to both regular resources and non-resource URLs; split it in two');
    return;
  }
  if (arr(rule.apiGroups).length === 0) r.report('invalid-value', [...path, 'apiGroups'], 'resource rules must supply at least one api group ("" is the core group)', has(rule, 'apiGroups') ? {} : { locate: path, at: 'key' });
  if (arr(rule.resources).length === 0) r.report('invalid-value', [...path, 'resources'], 'resource rules must supply at least one resource', has(rule, 'resources') ? {} : { locate: path, at: 'key' });
}

function checkRoleRef(ref: Rec | undefined, kind: 'RoleBinding' | 'ClusterRoleBinding', r: Reporter): void {
  if (!ref) return;
  const group = str(ref.apiGroup);
  if (group !== undefined && group !== RBAC_GROUP) r.report('invalid-value', ['roleRef', 'apiGroup'], `roleRef.apiGroup must be ${RBAC_GROUP}, not ${quote(group)}`);
  const refKind = str(ref.kind);
  const allowed = kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (refKind !== undefined && !allowed.includes(refKind)) r.report('invalid-value', ['roleRef', 'kind'], `a ${kind} refers to a ${allowed.join(' or ')}, not ${quote(refKind)}`);
  const name = str(ref.name);
  const err = name === '' ? 'must not be empty' : name !== undefined ? checkRbacName(name) : undefined;
  if (err) r.report('invalid-value', ['roleRef', 'name'], `roleRef.name ${err}`);
}

function checkSubject(s: Rec | undefined, path: Path, namespaced: boolean, r: Reporter): void {
  if (!s) return;
  const kind = str(s.kind);
  const name = str(s.name);
  const group = str(s.apiGroup) ?? '';
  if (name === '') r.report('invalid-value', [...path, 'name'], 'a subject needs a name');
  switch (kind) {
    case 'ServiceAccount': {
      const err = name ? checkDns1123Subdomain(name) : undefined;
      if (err) r.report('invalid-name', [...path, 'name'], `ServiceAccount name ${quote(name)} is invalid: ${err}`);
      if (group !== '') r.report('invalid-value', [...path, 'apiGroup'], `a ServiceAccount subject has apiGroup "", not ${quote(group)}`);
      if (!namespaced && !str(s.namespace)) r.report('invalid-value', [...path, 'namespace'], 'a ServiceAccount subject of a ClusterRoleBinding needs a namespace', { locate: path, at: 'key' });
      return;
    }
    case 'User':
    case 'Group':
      // v1 defaults an empty apiGroup of User and Group subjects to the RBAC group.
      if (group !== '' && group !== RBAC_GROUP) r.report('invalid-value', [...path, 'apiGroup'], `a ${kind} subject has apiGroup ${RBAC_GROUP}, not ${quote(group)}`);
      return;
    default:
      if (kind !== undefined) r.report('invalid-value', [...path, 'kind'], `subject kind ${quote(kind)} is not one of ServiceAccount, User, Group`);
  }
}

function checkBudget(spec: Rec | undefined, r: Reporter): void {
  if (!spec) return;
  if (has(spec, 'minAvailable') && has(spec, 'maxUnavailable'))
    r.report('invalid-value', ['spec', 'maxUnavailable'], 'minAvailable and maxUnavailable cannot be both set; choose one');
  for (const field of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[field];
    if (typeof v === 'number' && (v < 0 || !Number.isInteger(v))) r.report('invalid-value', ['spec', field], `${field} must be a non-negative integer or a percentage, not ${v}`);
    if (typeof v === 'string') {
      const m = /^(\d+)%$/.exec(v);
      if (!m) r.report('invalid-value', ['spec', field], `${field} ${quote(clip(v))} must be an integer or a percentage such as "50%"`);
      else if (Number(m[1]) > 100) r.report('invalid-value', ['spec', field], `${field} must not be more than 100%`);
    }
  }
  if (has(spec, 'selector')) checkLabelSelector(spec.selector, ['spec', 'selector'], r);
}
