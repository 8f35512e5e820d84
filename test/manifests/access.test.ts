import { describe, expect, it } from 'vitest';
import { at, findings, validate, yaml } from './support.js';

const sa = (name: string, extra = '') => `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n${extra}`;

/** A Deployment `web` whose pod spec has `lines` (two-space indented, inserted at line 11) before its container. */
function deploy(lines: string, name = 'web'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers: [{name: c, image: nginx}]',
    ...lines.split('\n').filter((l) => l !== '').map((l) => `      ${l}`),
  ].join('\n');
}

describe('ServiceAccounts: a pod must name one of its namespace; no token, said once', () => {
  it.each([
    { name: 'a pod naming none uses default, silently', docs: [deploy('')], want: [] },
    { name: 'default exists in every namespace', docs: [deploy('serviceAccountName: default\nautomountServiceAccountToken: false')], want: [] },
    { name: 'a defined ServiceAccount, with automount off on it', docs: [sa('builder', 'automountServiceAccountToken: false\n'), deploy('serviceAccountName: builder')], want: [] },
    { name: 'the pod may turn automount off for itself', docs: [sa('builder'), deploy('serviceAccountName: builder\nautomountServiceAccountToken: false')], want: [] },
    {
      name: 'an undefined ServiceAccount is an error at the name',
      docs: [deploy('serviceAccountName: ghost')],
      want: [at(11, 27, 'missing-service-account', 'spec.template.spec.serviceAccountName')],
    },
    {
      name: 'the deprecated serviceAccount is checked too',
      docs: [deploy('serviceAccount: ghost')],
      want: [at(11, 23, 'missing-service-account', 'spec.template.spec.serviceAccount')],
    },
    {
      name: 'a ServiceAccount of another namespace does not count',
      docs: [`${sa('builder')}  namespace: other\n`, deploy('serviceAccountName: builder')],
      want: [at(5, 14, 'undeclared-namespace', 'metadata.namespace', 'warning'), at(18, 27, 'missing-service-account', 'spec.template.spec.serviceAccountName')],
    },
    {
      name: 'no token: one warning, at the ServiceAccount, however many pods use it',
      docs: [sa('builder'), deploy('serviceAccountName: builder'), deploy('serviceAccountName: builder', 'api')],
      want: [at(4, 9, 'no-service-account-token', 'metadata.name', 'warning')],
    },
    {
      name: 'no token: one warning per revision, however many ServiceAccounts',
      docs: [sa('web'), sa('api'), deploy('serviceAccountName: web'), deploy('serviceAccountName: api', 'api')],
      want: [at(4, 9, 'no-service-account-token', 'metadata.name', 'warning')],
    },
    {
      name: 'no token of default: at the first pod naming it',
      docs: [deploy('serviceAccountName: default'), deploy('serviceAccountName: default', 'api')],
      want: [at(11, 27, 'no-service-account-token', 'spec.template.spec.serviceAccountName', 'warning')],
    },
  ])('$name', ({ docs, want }) => {
    expect(findings({ 'f.yaml': docs.join('\n---\n') })).toEqual(want);
  });

  it('imagePullSecrets of a ServiceAccount is ignored with a warning', () => {
    expect(findings({ 'f.yaml': sa('builder', 'imagePullSecrets: [{name: regcred}]\n') })).toEqual([at(5, 1, 'unimplemented-field', 'imagePullSecrets', 'warning')]);
  });
});

describe('RBAC: shape checked as the API server does', () => {
  const role = (kind: string, rules: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: r\nrules:\n${rules}`;
  const binding = (kind: string, rest: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata:\n  name: b\n${rest}`;
  it.each([
    { name: 'a valid Role', text: role('Role', '- apiGroups: [""]\n  resources: [pods]\n  verbs: [get, list]\n'), want: [] },
    { name: 'a ClusterRole may name non-resource URLs', text: role('ClusterRole', '- nonResourceURLs: ["/healthz"]\n  verbs: [get]\n'), want: [] },
    { name: 'a Role may not', text: role('Role', '- nonResourceURLs: ["/healthz"]\n  verbs: [get]\n'), want: [at(6, 20, 'invalid-value', 'rules[0].nonResourceURLs')] },
    { name: 'not both', text: role('ClusterRole', '- nonResourceURLs: ["/x"]\n  resources: [pods]\n  verbs: [get]\n'), want: [at(6, 20, 'invalid-value', 'rules[0].nonResourceURLs')] },
    { name: 'verbs are required and not empty', text: role('Role', '- apiGroups: [""]\n  resources: [pods]\n  verbs: []\n'), want: [at(8, 10, 'invalid-value', 'rules[0].verbs')] },
    { name: 'a missing verbs field is a schema error', text: role('Role', '- apiGroups: [""]\n  resources: [pods]\n'), want: [at(6, 3, 'missing-field', 'rules[0].verbs')] },
    { name: 'resource rules need api groups and resources', text: role('Role', '- verbs: [get]\n'), want: [at(6, 3, 'invalid-value', 'rules[0].apiGroups'), at(6, 3, 'invalid-value', 'rules[0].resources')] },
    { name: 'an unknown rule field', text: role('Role', '- apiGroups: [""]\n  resources: [pods]\n  verbs: [get]\n  verb: [list]\n'), want: [at(9, 3, 'unknown-field', 'rules[0].verb')] },
    {
      name: 'a valid RoleBinding to a ClusterRole, with every subject kind',
      text: binding('RoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {kind: ServiceAccount, name: builder}\n- {kind: User, name: jane}\n- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}\n'),
      want: [],
    },
    { name: 'roleRef is required', text: binding('RoleBinding', 'subjects: []\n'), want: [at(1, 1, 'missing-field', 'roleRef')] },
    {
      name: 'roleRef group and kind',
      text: binding('RoleBinding', 'roleRef: {apiGroup: rbac, kind: Deployment, name: x}\n'),
      want: [at(5, 21, 'invalid-value', 'roleRef.apiGroup'), at(5, 33, 'invalid-value', 'roleRef.kind')],
    },
    { name: 'a ClusterRoleBinding refers to a ClusterRole', text: binding('ClusterRoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}\n'), want: [at(5, 54, 'invalid-value', 'roleRef.kind')] },
    {
      name: 'its ServiceAccount subjects name their namespace',
      text: binding('ClusterRoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}\nsubjects:\n- {kind: ServiceAccount, name: builder}\n- {kind: ServiceAccount, name: ok, namespace: ci}\n'),
      want: [at(7, 3, 'invalid-value', 'subjects[0].namespace')],
    },
    {
      name: 'subject kinds and groups',
      text: binding('RoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}\nsubjects:\n- {kind: Robot, name: r2}\n- {kind: ServiceAccount, name: s, apiGroup: rbac.authorization.k8s.io}\n- {kind: User, name: u, apiGroup: v1}\n'),
      want: [at(7, 10, 'invalid-value', 'subjects[0].kind'), at(8, 45, 'invalid-value', 'subjects[1].apiGroup'), at(9, 35, 'invalid-value', 'subjects[2].apiGroup')],
    },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it.each([
    { name: 'RBAC names are path segments: colons and capitals are fine', objName: 'system:Metrics_reader', want: [] },
    { name: 'but not a slash', objName: 'a/b', want: [at(4, 9, 'invalid-name', 'metadata.name')] },
    { name: 'nor ..', objName: '..', want: [at(4, 9, 'invalid-name', 'metadata.name')] },
  ])('$name', ({ objName, want }) => {
    expect(findings({ 'f.yaml': `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: "${objName}"\nrules: []\n` })).toEqual(want);
  });

  it('roleRef names are path segments too', () => {
    expect(findings({ 'f.yaml': binding('RoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "a%b"}\n') })).toEqual([at(5, 73, 'invalid-value', 'roleRef.name')]);
    expect(findings({ 'f.yaml': binding('ClusterRoleBinding', 'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:view"}\n') })).toEqual([]);
  });

  it('cluster-scoped kinds have no namespace', () => {
    const r = validate({ 'f.yaml': role('ClusterRole', '- apiGroups: [""]\n  resources: [pods]\n  verbs: [get]\n') });
    expect(r.resources.map((x) => x.key)).toEqual(['ClusterRole//r']);
  });
});

describe('PodDisruptionBudgets', () => {
  const pdb = (spec: string, apiVersion = 'policy/v1') => `apiVersion: ${apiVersion}\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n${spec}`;
  it.each([
    { name: 'minAvailable', text: pdb('  minAvailable: 2\n  selector: {matchLabels: {app: web}}\n'), want: [] },
    { name: 'a percentage maxUnavailable', text: pdb('  maxUnavailable: "25%"\n  selector: {matchLabels: {app: web}}\n'), want: [] },
    { name: 'not both', text: pdb('  minAvailable: 1\n  maxUnavailable: 1\n'), want: [at(7, 19, 'invalid-value', 'spec.maxUnavailable')] },
    { name: 'not negative', text: pdb('  minAvailable: -1\n'), want: [at(6, 17, 'invalid-value', 'spec.minAvailable')] },
    { name: 'a percentage or an integer', text: pdb('  minAvailable: half\n'), want: [at(6, 17, 'invalid-value', 'spec.minAvailable')] },
    { name: 'at most 100%', text: pdb('  maxUnavailable: "101%"\n'), want: [at(6, 19, 'invalid-value', 'spec.maxUnavailable')] },
    { name: 'selector rules', text: pdb('  minAvailable: 1\n  selector: {matchExpressions: [{key: app, operator: In}]}\n'), want: [at(7, 33, 'invalid-selector', 'spec.selector.matchExpressions[0].values')] },
    { name: 'unhealthyPodEvictionPolicy is an enumeration', text: pdb('  minAvailable: 1\n  unhealthyPodEvictionPolicy: Sometimes\n'), want: [at(7, 31, 'invalid-value', 'spec.unhealthyPodEvictionPolicy')] },
    { name: 'policy/v1beta1 is converted with a warning', text: pdb('  minAvailable: 1\n', 'policy/v1beta1'), want: [at(1, 13, 'deprecated-api-version', 'apiVersion', 'warning')] },
  ])('$name', ({ text, want }) => {
    expect(findings({ 'f.yaml': text })).toEqual(want);
  });

  it.each([
    { name: "policy/v1beta1's empty selector selected nothing: dropped", apiVersion: 'policy/v1beta1', selector: '{}', want: undefined },
    { name: "policy/v1's empty selector selects everything: kept", apiVersion: 'policy/v1', selector: '{}', want: {} },
    { name: 'a v1beta1 selector with labels is kept', apiVersion: 'policy/v1beta1', selector: '{matchLabels: {app: web}}', want: { matchLabels: { app: 'web' } } },
  ])('$name', ({ apiVersion, selector, want }) => {
    const r = validate({ 'f.yaml': pdb(`  minAvailable: 1\n  selector: ${selector}\n`, apiVersion) });
    const spec = (r.resources[0]!.object as unknown as { apiVersion: string; spec: { selector?: unknown } });
    expect(spec.apiVersion).toBe('policy/v1');
    expect(spec.spec.selector).toEqual(want);
  });
});

describe('real-world shapes validate clean', () => {
  it('a ServiceAccount beside its Deployment, with RBAC and a budget', () => {
    const text = yaml`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: cartservice
      automountServiceAccountToken: false
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata:
        name: config-reader
      rules:
        - apiGroups: [""]
          resources: ["configmaps"]
          verbs: ["get", "watch", "list"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata:
        name: cartservice-config-reader
      subjects:
        - kind: ServiceAccount
          name: cartservice
      roleRef:
        kind: Role
        name: config-reader
        apiGroup: rbac.authorization.k8s.io
      ---
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata:
        name: cartservice
      spec:
        minAvailable: 1
        selector:
          matchLabels:
            app: cartservice
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: cartservice
      spec:
        selector:
          matchLabels:
            app: cartservice
        template:
          metadata:
            labels:
              app: cartservice
          spec:
            serviceAccountName: cartservice
            terminationGracePeriodSeconds: 5
            containers:
              - name: server
                image: nginx:1.25
    `;
    const r = validate({ 'f.yaml': text });
    expect(r.problems).toEqual([]);
    expect(r.resources.map((x) => x.key)).toEqual([
      'ServiceAccount/default/cartservice',
      'Role/default/config-reader',
      'RoleBinding/default/cartservice-config-reader',
      'PodDisruptionBudget/default/cartservice',
      'Deployment/default/cartservice',
    ]);
  });
});
