import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, terminatingPods } from './support/harness.js';
import { sampleReady } from './support/ready-sampler.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * A repository shaped as real ones are: a ServiceAccount the Deployment names, RBAC for it,
 * and a PodDisruptionBudget. maxUnavailable 2 alone would take the Deployment down to 1 ready
 * pod during a rollout; the budget (minAvailable 3) must hold it at 3 from start to finish.
 */
const access = `apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
automountServiceAccountToken: false
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: config-reader}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-config-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: config-reader}
subjects:
- {kind: ServiceAccount, name: web}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "example.com:health-reader"}
rules:
- nonResourceURLs: [/healthz]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: web-health-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "example.com:health-reader"}
subjects:
- {kind: ServiceAccount, name: web, namespace: default}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 3
  selector: {matchLabels: {app: web}}
`;

const extraBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-health-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "example.com:health-reader"}
subjects:
- {kind: Group, name: ops}
`;

const deployment = (image: string, serviceAccount = 'web') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 2}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: ${serviceAccount}
      terminationGracePeriodSeconds: 5
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

async function images(t: E2eApp): Promise<string[]> {
  return (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Image).sort();
}

/** The rows of a `get` table, cells split on runs of spaces, without the header. */
function rows(stdout: string): string[][] {
  return stdout.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/));
}

describe('ServiceAccounts, RBAC and PodDisruptionBudgets (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('benign');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('applies them beside the Deployment, which runs', async () => {
    await t.write({ 'access.yaml': access, 'web.yaml': deployment('berth-examples/web:1.0') });
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serviceaccount/web created');
    expect(r.stdout).toContain('poddisruptionbudget.policy/web created');
    expect(r.stdout).toContain('clusterrolebinding.rbac.authorization.k8s.io/web-health-reader created');
    expect(await images(t)).toEqual(Array(3).fill('berth-examples/web:1.0'));
  });

  it('get shows each kind, with its note', async () => {
    const sa = await t.berth('get', 'sa');
    expect(sa.code).toBe(0);
    expect(rows(sa.stdout).map((r) => r[0])).toEqual(['default', 'web']);
    expect(sa.stderr).toContain('berth mounts no token');
    expect(rows((await t.berth('get', 'role')).stdout).map((r) => r[0])).toEqual(['config-reader']);
    expect(rows((await t.berth('get', 'rolebinding')).stdout).map((r) => r.slice(0, 2))).toEqual([['web-config-reader', 'Role/config-reader']]);
    // RBAC names are path segments: a colon is usual in them.
    expect(rows((await t.berth('get', 'clusterrole', '-A')).stdout).map((r) => r[0])).toEqual(['example.com:health-reader']);
    expect((await t.berth('describe', 'clusterrole', 'example.com:health-reader')).stdout).toMatch(/\[\/healthz\]\s+\[\]\s+\[get\]/);
    expect(rows((await t.berth('get', 'clusterrolebinding', '-o', 'wide')).stdout).map((r) => [r[0], r[1], r.at(-1)])).toEqual([['web-health-reader', 'ClusterRole/example.com:health-reader', 'default/web']]);
    const pdb = await t.berth('get', 'pdb');
    expect(pdb.stdout.split('\n')[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    // Three ready pods, three required: no disruption allowed.
    expect(rows(pdb.stdout).map((r) => r.slice(0, 4))).toEqual([['web', '3', 'N/A', '0']]);
    const json = JSON.parse((await t.berth('get', 'pdb', 'web', '-o', 'json')).stdout) as { status: Record<string, number> };
    expect(json.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 3, disruptionsAllowed: 0, expectedPods: 3 });
    const described = await t.berth('describe', 'pdb', 'web');
    expect(described.stdout).toMatch(/Allowed disruptions:\s+0\n/);
    expect((await t.berth('describe', 'sa', 'default')).stdout).toMatch(/Note:\s+ServiceAccounts are stored/);
  });

  it('a rollout never takes the selected pods below minAvailable, though maxUnavailable would', async () => {
    await t.write({ 'access.yaml': access, 'web.yaml': deployment('berth-examples/web:2.0') });
    const sampler = sampleReady(t);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
    const samples = await sampler.stop();
    expect(r.code).toBe(0);
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    // The last replaced pod may still run out its grace period in the background (issue 18): its
    // container runs, Terminating, until it stops. The pods that are not leaving are all v2.
    const leaving = await terminatingPods(t.berth);
    const live = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running' && !leaving.has(c.Labels['berth.name'] ?? ''));
    expect(live.map((c) => c.Image).sort()).toEqual(Array(3).fill('berth-examples/web:2.0'));
  });

  it('so does rollout restart', async () => {
    const before = (await t.containers()).filter((c) => isPodOwner(c.Labels)).map((c) => c.Id);
    const sampler = sampleReady(t);
    const r = await t.berth('rollout', 'restart', 'deploy/web', '--wait', '--timeout', '120s');
    const samples = await sampler.stop();
    expect(r.code).toBe(0);
    expect(samples.length).toBeGreaterThan(3);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    // The old pods may still run out their grace periods (Terminating, no longer the Deployment's).
    const leaving = await terminatingPods(t.berth);
    const after = (await t.containers()).filter((c) => isPodOwner(c.Labels) && c.State === 'running' && !leaving.has(c.Labels['berth.name']!)).map((c) => c.Id);
    expect(after).toHaveLength(3);
    expect(after.some((id) => before.includes(id))).toBe(false);
  });

  it('deletes a cluster-scoped one named in a file, and one by name', async () => {
    await t.write({ 'access.yaml': access, 'web.yaml': deployment('berth-examples/web:2.0'), 'extra.yaml': extraBinding });
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    const byFile = await t.berth('delete', '-f', `${t.dir}/extra.yaml`);
    expect(byFile.code).toBe(0);
    expect(byFile.stdout).toContain('clusterrolebinding.rbac.authorization.k8s.io "ops-health-reader" deleted');
    const byName = await t.berth('delete', 'rolebinding', 'web-config-reader');
    expect(byName.code).toBe(0);
    expect(rows((await t.berth('get', 'clusterrolebinding')).stdout).map((r) => r[0])).toEqual(['web-health-reader']);
    expect(rows((await t.berth('get', 'rolebinding')).stdout)).toEqual([]);
    await t.write({ 'access.yaml': access, 'web.yaml': deployment('berth-examples/web:2.0') });
  });

  it('refuses a revision whose pods name a ServiceAccount it no longer defines', async () => {
    await t.write({ 'web.yaml': deployment('berth-examples/web:2.0') });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    // apply's exit status for an invalid revision; nothing of it is applied.
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[spec.template.spec.serviceAccountName]');
    expect(rows((await t.berth('get', 'pdb')).stdout).map((x) => x[0])).toEqual(['web']);
  });

  it('prunes them like any other object', async () => {
    await t.write({ 'web.yaml': deployment('berth-examples/web:2.0', 'default') });
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all', '--wait', '--timeout', '120s');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('poddisruptionbudget.policy/web pruned');
    expect(rows((await t.berth('get', 'pdb')).stdout)).toEqual([]);
    expect(rows((await t.berth('get', 'sa')).stdout).map((x) => x[0])).toEqual(['default']);
  });
});
