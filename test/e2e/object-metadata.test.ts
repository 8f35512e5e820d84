import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { docker, harness } from './cli-support.js';

/**
 * Object metadata across an update, as Kubernetes keeps it: a template change leaves the
 * Deployment's creationTimestamp alone and bumps its generation (observedGeneration follows
 * once the rollout ran); the old ReplicaSet keeps its own timestamp and the new one is newer;
 * a ConfigMap reported `configured` keeps its timestamp.
 */
let h: Harness;
let image: string;

const manifests = (greeting: string, version: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: ${image}
          command: ["sh", "-c", "exec sleep 100000"]
          env: [{name: VERSION, value: "${version}"}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {greeting: ${greeting}}
`;

interface Meta { name: string; uid: string; creationTimestamp: string; generation?: number; ownerReferences?: Array<{ uid: string }> }
interface Obj { metadata: Meta; status?: { observedGeneration?: number } }

const yaml = async (...args: string[]): Promise<Obj> => {
  const r = await h.berth(['get', ...args, '-o', 'yaml']);
  expect(r.code, r.stderr).toBe(0);
  return load(r.stdout) as Obj;
};
const replicaSets = async (): Promise<Meta[]> => ((await yaml('rs')) as unknown as { items: Obj[] }).items.map((i) => i.metadata);

/** RFC 3339 has whole seconds: let one pass so "newer" is visible, without asserting on durations. */
async function nextSecond(after: string): Promise<void> {
  while (Date.now() < Date.parse(after) + 1000) await new Promise((r) => setTimeout(r, 100));
}

beforeAll(async () => {
  image = await ensureBusyboxImage(docker);
  h = await harness('e2e-meta');
});

afterAll(async () => {
  await h?.cleanup();
});

describe('object metadata across updates', () => {
  it('keeps creationTimestamp and uid, counts generation, dates ReplicaSets by their own creation', async () => {
    const file = await h.write('app.yaml', manifests('hello', '1'));
    const first = await h.berth(['apply', '-f', file, '--wait', '--timeout', '120s']);
    expect(first.code, first.stderr).toBe(0);
    const dep1 = await yaml('deploy', 'web');
    const cm1 = await yaml('cm', 'cfg');
    const [rs1] = await replicaSets();
    expect([dep1.metadata.generation, dep1.status?.observedGeneration]).toEqual([1, 1]);
    await nextSecond(rs1!.creationTimestamp);

    await h.write('app.yaml', manifests('bonjour', '2'));
    const second = await h.berth(['apply', '-f', file, '--wait', '--timeout', '120s']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/configmap\/cfg configured/);
    const dep2 = await yaml('deploy', 'web');
    const cm2 = await yaml('cm', 'cfg');
    expect(dep2.metadata).toMatchObject({ creationTimestamp: dep1.metadata.creationTimestamp, uid: dep1.metadata.uid, generation: 2 });
    expect(dep2.status?.observedGeneration).toBe(2);
    expect(cm2.metadata.creationTimestamp).toBe(cm1.metadata.creationTimestamp);

    const rs = await replicaSets();
    expect(rs).toHaveLength(2);
    const old = rs.find((r) => r.name === rs1!.name);
    const fresh = rs.find((r) => r.name !== rs1!.name);
    expect(old?.creationTimestamp).toBe(rs1!.creationTimestamp);
    expect(Date.parse(fresh!.creationTimestamp)).toBeGreaterThan(Date.parse(rs1!.creationTimestamp));
    expect(rs.map((r) => r.ownerReferences?.[0]?.uid)).toEqual([dep1.metadata.uid, dep1.metadata.uid]);

    // rollout undo back to the first template reuses its ReplicaSet, whose timestamp stays.
    const undo = await h.berth(['rollout', 'undo', 'deploy/web', '--wait', '--timeout', '120s']);
    expect(undo.code, undo.stderr).toBe(0);
    const afterUndo = await replicaSets();
    expect(afterUndo.find((r) => r.name === rs1!.name)?.creationTimestamp).toBe(rs1!.creationTimestamp);
    expect(afterUndo.find((r) => r.name === fresh!.name)?.creationTimestamp).toBe(fresh!.creationTimestamp);
    expect((await yaml('deploy', 'web')).metadata.creationTimestamp).toBe(dep1.metadata.creationTimestamp);

    // Delete and re-create: a new object, with a new uid and creationTimestamp.
    await nextSecond(cm1.metadata.creationTimestamp);
    const deleted = await h.berth(['delete', 'configmap', 'cfg']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const again = await h.berth(['apply', '-f', file]);
    expect(again.code, again.stderr).toBe(0);
    const cm3 = await yaml('cm', 'cfg');
    expect(cm3.metadata.uid).not.toBe(cm1.metadata.uid);
    expect(Date.parse(cm3.metadata.creationTimestamp)).toBeGreaterThan(Date.parse(cm1.metadata.creationTimestamp));

    // describe reads the same metadata.
    const described = await h.berth(['describe', 'deploy', 'web']);
    expect(described.stdout).toMatch(new RegExp(`CreationTimestamp:\\s+${new Date(dep1.metadata.creationTimestamp).toUTCString().replace(' GMT', ' \\+0000')}`));
  });
});
