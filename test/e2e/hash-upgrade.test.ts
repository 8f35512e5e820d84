import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_NODE } from '../../src/model/node-scheduling.js';
import { createDockerClient } from '../../src/apply/docker.js';
import type { DesiredState, Workload } from '../../src/plan/desired.js';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { TemplatePlan } from '../../src/plan/pod-plan.js';
import { validateRevision } from '../../src/manifests/index.js';
import { systemClock } from '../../src/runtime/clock.js';
import { createControlPlane } from '../../src/runtime/compose.js';
import { reconcile } from '../../src/runtime/pass/reconcile.js';
import { silentLogger } from '../../src/runtime/log.js';
import { createReadiness } from '../../src/runtime/readiness.js';
import { openStore } from '../../src/runtime/store/index.js';
import { readPath, readPaths } from '../../src/sources/folder.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, terminatingPods } from './support/harness.js';
import { sampleReady } from './support/ready-sampler.js';
import { processAlive } from '../../src/cli/process-alive.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * Upgrading a host from unkeyed pod-template hashes (issue 11, finding 9e) on the real engine.
 * The host is first converged the way a berth before the fix did it: every template named by
 * its legacy hash (pods `web-<legacy>-xxxxx`, labels, rollout history). Then today's
 * `berth apply` runs over the same manifests: the Deployment rolls once, health-gated, to
 * pods named under the keyed hash; the ReplicaSet's pod and the finished Job's pod are left
 * exactly as they were (a restart all at once, or a second run of a migration, merely because
 * berth was upgraded, would be a bug).
 */

const PIN = '4711';
const manifests = `apiVersion: v1
kind: Secret
metadata: {name: pin}
stringData: {PIN: "${PIN}"}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: "v1"}
spec:
  replicas: 2
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        env:
        - name: PIN
          valueFrom: {secretKeyRef: {name: pin, key: PIN}}
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: cache}
spec:
  replicas: 1
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: cache
        image: berth-examples/busybox:1.36
        command: [sh, -c, 'exec sleep 100000']
        envFrom: [{secretRef: {name: pin}}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: berth-examples/busybox:1.36
        command: [sh, -c, 'echo migrated']
        envFrom: [{secretRef: {name: pin}}]
`;

/** The same template named as berth named it before the fix: by its unkeyed hash. */
function legacyTemplate(t: TemplatePlan): TemplatePlan {
  const rename = (s: string) => s.split(t.hash).join(t.legacyHash);
  return {
    hash: t.legacyHash,
    legacyHash: t.legacyHash,
    legacyRecordHash: t.legacyHash,
    build: (name) => {
      const p = t.build(name);
      return { ...p, specHash: t.legacyHash, owner: rename(p.owner), labels: Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [k, rename(v)])) };
    },
  };
}

function legacyDesired(d: DesiredState): DesiredState {
  return { ...d, workloads: d.workloads.map((w): Workload => ({ ...w, template: legacyTemplate(w.template) })) };
}

describe('upgrading from unkeyed pod-template hashes (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('hash-upgrade');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('rolls the Deployment once, health-gated, to keyed names; keeps the ReplicaSet pod and the finished Job', async () => {
    await t.write({ 'all.yaml': manifests });
    // 1. The host as a berth before the fix left it.
    const store = openStore({ isProcessAlive: processAlive, dir: t.stateDir, clock: systemClock });
    const docker = createDockerClient({ clock: systemClock });
    const readiness = createReadiness({ docker, clock: systemClock, store, app: t.app, log: silentLogger() });
    let legacyWebHash: string;
    let folderId: string;
    try {
      // Read as `apply -f <dir>` reads it (files named after the argument).
      const revision = await readPaths([t.dir]);
      const { resources, problems } = validateRevision(revision.files);
      expect(problems).toEqual([]);
      // Any key: legacyTemplate names everything by the unkeyed hash, which needs none.
      const desired = legacyDesired(buildDesiredState(resources, { hashKey: Buffer.alloc(32, 9) }));
      legacyWebHash = desired.workloads.find((w) => w.key === 'Deployment/default/web')!.template.hash;
      const outcome = await reconcile(
        { docker, store, clock: systemClock, log: silentLogger(), random: Math.random, plane: createControlPlane({ docker, store, clock: systemClock, log: silentLogger() }, t.app), readiness, hooks: readiness.hooks },
        { app: t.app, sourceRevision: 'before-upgrade', desired, prune: false, waitForReady: true, timeoutMs: 90_000, rollouts: {}, node: UNKNOWN_NODE },
      );
      expect(outcome.results.filter((r) => !r.ok)).toEqual([]);
      expect(outcome.timedOut).toBe(false);
      // The folder applied under its content id, which the upgrade does not change.
      folderId = revision.id;
      store.updateSourceStatus(t.app, { lastAppliedRevision: folderId, syncState: 'Synced' });
    } finally {
      await readiness.stop();
      store.close();
    }
    const before = await t.containers();
    const webBefore = before.filter((c) => c.Labels['berth.controller'] === 'Deployment/default/web' && isPodOwner(c.Labels));
    expect(webBefore.map((c) => c.Labels['berth.name']?.startsWith(`web-${legacyWebHash}-`))).toEqual([true, true]);
    const kept = before.filter((c) => c.Labels['berth.controller'] !== 'Deployment/default/web').map((c) => ({ id: c.Id, name: c.Labels['berth.name'], role: c.Labels['berth.role'] }));
    expect(kept.filter((c) => c.role === 'container').map((c) => c.name?.split('-')[0]).sort()).toEqual(['cache', 'migrate']);

    // 2. Today's berth applies the same manifests, while every 0.5 s we count ready web pods.
    const sampler = sampleReady(t);
    const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    const samples = await sampler.stop();
    expect(r.code).toBe(0);
    // Progress of an ordinary rolling update: the new ReplicaSet grows while the old one serves.
    expect(r.stderr).toMatch(/rolling out web-\S+: \d of 2 updated, \d available, \d old/);
    expect(r.stderr).not.toMatch(/error/i);
    expect(samples.length).toBeGreaterThan(2);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2); // replicas - maxUnavailable

    // Old pods run out their grace period in the background (issue 18): what follows holds once they are gone.
    for (let i = 0; i < 120 && (await terminatingPods(t.berth)).size > 0; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await terminatingPods(t.berth)).toEqual(new Set());
    const after = await t.containers();
    const webAfter = after.filter((c) => c.Labels['berth.controller'] === 'Deployment/default/web' && isPodOwner(c.Labels) && c.State === 'running');
    const keyed = webAfter.map((c) => (JSON.parse(c.Labels['berth.pod-labels'] ?? '{}') as Record<string, string>)['pod-template-hash']);
    expect(webAfter.map((c) => c.Labels['berth.spec-hash'])).toEqual(keyed);
    expect(webAfter).toHaveLength(2);
    expect(new Set(keyed).size).toBe(1);
    expect(keyed[0]).not.toBe(legacyWebHash);
    for (const c of webAfter) expect(c.Labels['berth.name']).toMatch(new RegExp(`^web-${keyed[0]}-[a-z0-9]{5}$`));
    expect(after.some((c) => c.Labels['berth.name']?.includes(legacyWebHash))).toBe(false);
    // Nothing else was touched: same containers, the Job's ran once and stayed exited.
    const same = after.filter((c) => c.Labels['berth.controller'] !== 'Deployment/default/web').map((c) => ({ id: c.Id, name: c.Labels['berth.name'], role: c.Labels['berth.role'] }));
    expect(same).toEqual(expect.arrayContaining(kept));
    expect(same).toHaveLength(kept.length);

    // 3. History: the pre-upgrade revision, then the roll to keyed names as a revision of its own.
    const history = await t.berth('rollout', 'history', 'deploy/web');
    expect(history.code).toBe(0);
    expect(history.stdout.trim().split('\n').slice(2).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['1', 'v1'],
      ['2', 'v1'],
    ]);
    // 4. Nothing berth shows still carries the guessable hash: the store's records were sealed
    //    when the host key was made, and what the roll recorded about the old pods was sealed
    //    after it. The folder keeps its revision id: a content id, unkeyed like a Git SHA, the
    //    same for every reader (issue 12 needs one id per content, also in the offline diff).
    const shown = await Promise.all([
      t.berth('rollout', 'history', 'deploy/web', '--revision', '1'),
      t.berth('get', 'rs', '-o', 'json'),
      t.berth('describe', 'deploy', 'web'),
    ]);
    for (const out of shown) {
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).not.toContain(legacyWebHash);
    }
    const store2 = openStore({ isProcessAlive: processAlive, dir: t.stateDir, clock: systemClock });
    try {
      expect((await readPaths([t.dir])).id).toBe(folderId);
      // …and the id the daemon watching the folder, or `diff --to` it, computes.
      expect((await readPath(t.dir)).id).toBe(folderId);
      expect(store2.getSourceStatus(t.app)?.lastApplied?.revision).toBe(folderId);
      const events = JSON.stringify(store2.listEvents({ app: t.app }));
      expect(events).toMatch(/rolling out revision 1 \(replica set web-/);
      expect(events).not.toContain(legacyWebHash);
    } finally {
      store2.close();
    }
  }, 240_000);
});
