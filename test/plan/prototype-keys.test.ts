import { describe, expect, it } from 'vitest';
import { accessModes } from '../../src/cli/output/table.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import { plan } from '../../src/plan/plan.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { diffObjects } from '../../src/report/resource-diff.js';
import { validateRevision } from '../../src/manifests/index.js';
import { applyDefaults } from '../../src/model/defaults.js';
import { own, setOwn } from '../../src/model/own.js';
import type { AnyObject } from '../../src/model/types.js';
import { observedState, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * Issue 11, 9b: keys from manifests looked up in plain objects found Object.prototype's members
 * (`key: constructor` in a secretKeyRef crashed the pass) or replaced the prototype
 * (`__proto__`). Every place fixed is exercised with each of these keys.
 */
const KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty'] as const;
const b64 = (s: string) => Buffer.from(s).toString('base64');

function validated(yaml: string) {
  return validateRevision([{ path: 'app.yaml', content: Buffer.from(yaml) }]);
}

/** A Deployment whose pods read `key` from a Secret and a ConfigMap, as env and as files. */
function app(key: string, opts: { present: boolean; optional: boolean }): string {
  const data = opts.present ? `\n  "${key}": ${b64(`secret-of-${key}`)}` : '\n  other: eA==';
  const cmData = opts.present ? `\n  "${key}": config-of-${key}` : '\n  other: x';
  const optional = opts.optional ? ', optional: true' : '';
  return `apiVersion: v1
kind: Secret
metadata: {name: s}
data:${data}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:${cmData}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          env:
            - {name: FROM_SECRET, valueFrom: {secretKeyRef: {name: s, key: "${key}"${optional}}}}
            - {name: FROM_CONFIG, valueFrom: {configMapKeyRef: {name: c, key: "${key}"${optional}}}}
          volumeMounts: [{name: sv, mountPath: /s}, {name: cv, mountPath: /c}]
      volumes:
        - {name: sv, secret: {secretName: s, items: [{key: "${key}", path: k}]${optional}}}
        - {name: cv, configMap: {name: c, items: [{key: "${key}", path: k}]${optional}}}
`;
}

function podOf(yaml: string) {
  const { resources, problems } = validated(yaml);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  const { actions } = plan(buildDesiredState(resources, { hashKey: TEST_HASH_KEY }), observedState([]), { now: 1, random: sequence(), prune: false });
  const create = actions.find((a) => a.type === 'create-pod');
  if (create?.type !== 'create-pod') throw new Error('no pod planned');
  const c = create.pod.containers[0]!;
  const env = Object.fromEntries(c.env.map((e) => [e.name, 'value' in e ? e.value : e.fieldRef]));
  const files = Object.fromEntries(create.pod.volumes.map((v) => [v.name, v.type === 'files' ? v.files.map((f) => Buffer.from(f.content, 'base64').toString()) : []]));
  return { env, files };
}

describe.each(KEYS)('key %s', (key) => {
  it('a present key is read from the Secret and ConfigMap, as env and as a file', () => {
    expect(podOf(app(key, { present: true, optional: false }))).toEqual({
      env: { FROM_SECRET: `secret-of-${key}`, FROM_CONFIG: `config-of-${key}` },
      files: { sv: [`secret-of-${key}`], cv: [`config-of-${key}`] },
    });
  });

  it('an absent optional key is unset, not Object.prototype’s member (the pass used to crash)', () => {
    expect(podOf(app(key, { present: false, optional: true }))).toEqual({ env: {}, files: { sv: [], cv: [] } });
  });

  it('an absent required key is the normal "key not found" problem', () => {
    const { problems } = validated(app(key, { present: false, optional: false }));
    expect(problems.filter((p) => p.code === 'missing-reference-key').map((p) => p.path)).toEqual([
      'spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.key',
      'spec.template.spec.containers[0].env[1].valueFrom.configMapKeyRef.key',
      'spec.template.spec.volumes[0].secret.items[0].key',
      'spec.template.spec.volumes[1].configMap.items[0].key',
    ]);
  });

  it('stringData becomes an own data key', () => {
    const s = applyDefaults({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: JSON.parse(`{"${key}": "v"}`) } as unknown as AnyObject) as unknown as {
      data: Record<string, string>;
    };
    expect(Object.keys(s.data)).toEqual([key]);
    expect(own(s.data, key)).toBe(b64('v'));
  });

  it('a label added under this key is an add, not a replace of a prototype member', () => {
    const before = { metadata: { labels: { app: 'web' } } };
    const after = { metadata: { labels: JSON.parse(`{"app": "web", "${key}": "x"}`) } };
    expect(diffObjects(before, after)).toEqual([{ path: `metadata.labels.${key}`, op: 'add', after: 'x' }]);
    expect(diffObjects(after, before)).toEqual([{ path: `metadata.labels.${key}`, op: 'remove', before: 'x' }]);
  });

  it('a Secret key added is reported as added, by name only', () => {
    const secret = (data: string) => validated(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {${data}}\n`).resources;
    const report = createDiffReport({ from: { id: 'a', origin: 'a' }, to: { id: 'b', origin: 'b' }, before: secret('a: eA=='), after: secret(`a: eA==, "${key}": eQ==`) });
    expect(report.changes.flatMap((c) => c.fields)).toEqual([{ path: `data.${key}`, op: 'add', redacted: true }]);
  });

  it('an access mode with this name prints as written', () => {
    expect(accessModes([key, 'ReadWriteOnce'])).toBe(`${key},RWO`);
  });

  it('own() and setOwn() never reach the prototype', () => {
    const o: Record<string, string> = {};
    expect(own(o, key)).toBeUndefined();
    setOwn(o, key, 'v');
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect([Object.keys(o), own(o, key)]).toEqual([[key], 'v']);
  });
});
