import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../../src/plan/desired.js';
import { podReplacements } from '../../../src/runtime/live-diff.js';
import { effectiveDeployments } from '../../../src/runtime/views/live.js';
import { TEST_HASH_KEY } from '../../support/builders.js';
import { validate } from '../../manifests/support.js';
import { storeHarness } from '../store/harness.js';

const h = storeHarness();
const APP = 'hashes';

const TEMPLATE = `  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]`;

/**
 * The live diff says whether applying replaces a workload's pods by comparing the template that
 * runs now (effectiveDeployments().hashes) with the one applying would run: after `rollout undo`
 * to what the source now says, nothing is replaced. Every kind with a rollout history
 * (Deployment, DaemonSet, StatefulSet) needs its hash there, or the diff of a StatefulSet
 * always says its pods are replaced.
 */
describe('effectiveDeployments: the template each rollout kind runs', () => {
  it.each([
    ['Deployment', ''],
    ['DaemonSet', ''],
    ['StatefulSet', '  serviceName: web\n'],
  ])('a %s has its running template hash', (kind, extra) => {
    const { store } = h.open();
    const text = `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: web}\nspec:\n${extra}${TEMPLATE}\n`;
    const { resources } = validate({ 'f.yaml': text });
    const r = resources[0]!;
    const key = `${kind}/default/web`;
    store.upsertInventory(APP, { key, kind, namespace: 'default', name: 'web', specHash: 'h', object: r.object }, { sourceRevision: 'r1' });
    expect([...effectiveDeployments(store, APP).hashes.keys()]).toEqual([key]);
  });
});

describe('podReplacements: the live diff replaces pods only when the running template changes', () => {
  it.each([
    ['Deployment', ''],
    ['DaemonSet', ''],
    ['StatefulSet', '  serviceName: web\n'],
  ])('a %s already running the template applying would run replaces nothing; another template replaces its pods', (kind, extra) => {
    const text = `apiVersion: apps/v1\nkind: ${kind}\nmetadata: {name: web}\nspec:\n${extra}${TEMPLATE}\n`;
    const desired = buildDesiredState(validate({ 'f.yaml': text }).resources, { hashKey: TEST_HASH_KEY });
    const w = desired.workloads[0]!;
    expect(podReplacements(desired.workloads, new Map([[w.key, w.template.hash]])).get(w.key)).toBe(false);
    expect(podReplacements(desired.workloads, new Map([[w.key, 'older']])).get(w.key)).toBe(true);
  });
});
