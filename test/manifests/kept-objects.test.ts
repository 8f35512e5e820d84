import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { applyDefaults } from '../../src/model/defaults.js';
import type { AnyObject } from '../../src/model/types.js';
import { files, yaml } from './support.js';

// An additive `apply -f` (plan/additive.ts) is checked against the app it joins: the objects
// applied before (inventory objects: defaulted, namespaced) are ValidateOptions.kept.
const obj = (o: Record<string, unknown>): AnyObject => applyDefaults(o as unknown as AnyObject);
const ns = obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'trial-ns' } });
const settings = obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'trial-ns' }, data: { mode: 'on' } });
const web = obj({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'trial-ns' }, spec: { containers: [{ name: 'c', image: 'img:1' }] } });
// A kept object whose own check warns (no ServiceAccount "ghost" in the namespace): said when it was applied.
const noisy = obj({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'noisy', namespace: 'other' }, spec: { serviceAccountName: 'ghost', containers: [{ name: 'c', image: 'img:1', envFrom: [{ configMapRef: { name: 'nowhere' } }] }] } });

const podUsingSettings = yaml`
  apiVersion: v1
  kind: Pod
  metadata:
    name: m3
    namespace: trial-ns
  spec:
    containers:
      - name: c
        image: img:1
        envFrom:
          - configMapRef:
              name: settings
`;

const codes = (kept: AnyObject[], content = podUsingSettings) => validateRevision(files({ 'm3.yaml': content }), kept.length ? { kept } : {}).problems.map((p) => `${p.severity} ${p.code}`);

describe('validation of an apply against the objects the app keeps', () => {
  it.each([
    { name: 'alone (apply --prune --all, validate): the ConfigMap is missing, the namespace new', kept: [], problems: ['warning undeclared-namespace', 'error missing-reference'] },
    { name: 'the Namespace and ConfigMap applied before: nothing to say', kept: [ns, settings], problems: [] },
    { name: 'a namespace the app already uses, declared by no Namespace: berth made it then, not new', kept: [settings], problems: [] },
    { name: 'problems of kept objects are not said again, as if in the file', kept: [ns, settings, noisy], problems: [] },
    { name: 'an unrelated kept object resolves nothing: the reference is still missing', kept: [ns, web], problems: ['error missing-reference'] },
  ])('$name', ({ kept, problems }) => {
    expect(codes(kept)).toEqual(problems);
  });

  it('the file replaces a kept object of the same key: its keys are checked, not the kept one', () => {
    const cm = yaml`
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: trial-ns
      data:
        other: x
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: m3
        namespace: trial-ns
      spec:
        containers:
          - name: c
            image: img:1
            env:
              - name: MODE
                valueFrom:
                  configMapKeyRef:
                    name: settings
                    key: mode
    `;
    const result = validateRevision(files({ 'm3.yaml': cm }), { kept: [ns, settings] });
    expect(result.problems.map((p) => p.code)).toEqual(['missing-reference-key']);
    // Kept objects are checked against, never returned: the pass adds them (plan/additive.ts).
    expect(validateRevision(files({ 'm3.yaml': podUsingSettings }), { kept: [ns, settings] }).resources.map((r) => r.key)).toEqual(['Pod/trial-ns/m3']);
  });
});
