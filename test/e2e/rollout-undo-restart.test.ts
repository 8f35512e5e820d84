import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, livePodNames } from './support/harness.js';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: berth-examples/web:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

interface ReplicaSetList {
  items: Array<{ metadata: { name: string }; spec: { replicas: number } }>;
}
interface DeploymentJson {
  spec: { template: { metadata: { annotations?: Record<string, string> } } };
}

/**
 * The newcomer's repro, CLI alone: `rollout undo` after `rollout restart` reported "rolled back"
 * and changed nothing, because the pass stamped the restart on the template undo brought back.
 */
describe('rollout undo after rollout restart (real Docker)', () => {
  let t: E2eApp;
  beforeAll(async () => {
    t = await createE2eApp('undo-restart');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const activeReplicaSets = async () => {
    const r = await t.berth('get', 'rs', '-o', 'json');
    return (JSON.parse(r.stdout) as ReplicaSetList).items.filter((i) => i.spec.replicas > 0).map((i) => i.metadata.name);
  };
  const stampOf = async () => {
    const r = await t.berth('get', 'deploy', 'web', '-o', 'json');
    return (JSON.parse(r.stdout) as DeploymentJson).spec.template.metadata.annotations?.[RESTARTED_AT];
  };

  it('undo replaces the restarted pods with the pre-restart template, as a new revision; undo --to-revision of the restart brings its stamp back', async () => {
    await t.write({ 'web.yaml': manifest });
    const applied = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(applied.code, applied.stderr).toBe(0);
    const original = { pods: await livePodNames(t), rs: await activeReplicaSets() };
    expect(original.pods).toHaveLength(2);

    const restart = await t.berth('rollout', 'restart', 'deploy/web', '--wait', '--timeout', '60s');
    expect(restart.code, restart.stderr).toBe(0);
    const restarted = { pods: await livePodNames(t), rs: await activeReplicaSets(), stamp: await stampOf() };
    expect(restarted.pods.filter((p) => original.pods.includes(p))).toEqual([]);
    expect(restarted.rs).not.toEqual(original.rs);
    expect(restarted.stamp).toBeDefined();

    const undo = await t.berth('rollout', 'undo', 'deploy/web', '--wait', '--timeout', '60s');
    expect({ code: undo.code, stdout: undo.stdout.trim() }, undo.stderr).toEqual({ code: 0, stdout: 'deployment.apps/web rolled back' });
    const undone = await livePodNames(t);
    expect(undone).toHaveLength(2);
    expect(undone.filter((p) => restarted.pods.includes(p))).toEqual([]);
    // The pre-restart ReplicaSet runs again, its template without the stamp.
    expect(await activeReplicaSets()).toEqual(original.rs);
    expect(await stampOf()).toBeUndefined();
    // kubectl's numbering: revision 1 becomes 3; nothing is pinned, the source's template runs.
    const history = await t.berth('rollout', 'history', 'deploy/web');
    expect(history.stdout.trim().split('\n').slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['2', '3']);
    expect(history.stdout).not.toContain('pinned');

    // Undo to the restart revision: its own stamp, not none and not a fresh one.
    const back = await t.berth('rollout', 'undo', 'deploy/web', '--to-revision', '2', '--wait', '--timeout', '60s');
    expect(back.code, back.stderr).toBe(0);
    expect(await activeReplicaSets()).toEqual(restarted.rs);
    expect(await stampOf()).toBe(restarted.stamp);
    expect((await livePodNames(t)).filter((p) => undone.includes(p))).toEqual([]);
  });
});
