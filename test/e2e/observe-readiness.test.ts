import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 12 C1/E2 against the real engine: the live diff decides readiness by the same rule as
 * the pass (F5), and the views say which revision an object came from and when nothing drives
 * the app. One Deployment is left mid-rollout: its new pod runs but its readiness probe fails.
 */
const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  progressDeadlineSeconds: 600
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

interface DeploymentJson {
  metadata: { annotations?: Record<string, string> };
  status: { conditions: Array<{ type: string; status: string; reason?: string }> };
}
interface PodJson {
  metadata: { name: string; annotations?: Record<string, string> };
  status: { conditions: Array<{ type: string; status: string }>; containerStatuses: Array<{ ready: boolean; state: { running?: unknown } }> };
}

const NOTE = 'note: nothing drives app';

describe('one observation, one readiness rule, views that say where objects came from (real Docker)', () => {
  let t: E2eApp;
  let v2: string;
  beforeAll(async () => {
    t = await createE2eApp('observe');
    await t.write({ 'web.yaml': deployment('berth-examples/web:1.0') });
    const v1 = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '60s');
    expect(v1.code, v1.stderr).toBe(0);
    // The new template never gets ready: the rollout stops with the old pod serving and the new one running, unready.
    await t.write({ 'web.yaml': deployment('berth-examples/web:broken') });
    v2 = (await readPath(t.dir)).id;
    await t.berth('apply', '-f', t.dir, '--timeout', '8s');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('the new pod runs but is not ready, in get as in the pass', async () => {
    const pods = (JSON.parse((await t.berth('get', 'pods', '-o', 'json')).stdout) as { items: PodJson[] }).items;
    expect(pods).toHaveLength(2);
    const fresh = pods.filter((p) => p.metadata.annotations?.['berth.dev/source-revision'] === v2);
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.status.containerStatuses[0]).toMatchObject({ ready: false, state: { running: expect.anything() } });
    expect(fresh[0]!.status.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False' }));
  });

  it('diff -f counts the probed, unready pod as not ready: no drift, the old pod is not due to go', async () => {
    // Before issue 12 the live diff called every running pod ready and showed deleting the old
    // pod as drift, a step the pass never takes while the new one fails its probe.
    const diff = await t.berth('diff', '-f', t.dir, '-o', 'json');
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    expect((JSON.parse(diff.stdout) as { drift?: unknown[] }).drift).toBeUndefined();
  });

  it('get -o json: the Deployment carries the revision it was applied from; with no daemon, Progressing is Unknown/NoController and stderr says so', async () => {
    const get = await t.berth('get', 'deploy', 'web', '-o', 'json');
    expect(get.code, get.stderr).toBe(0);
    const deploy = JSON.parse(get.stdout) as DeploymentJson;
    expect(deploy.metadata.annotations?.['berth.dev/source-revision']).toBe(v2);
    expect(deploy.status.conditions).toContainEqual(expect.objectContaining({ type: 'Progressing', status: 'Unknown', reason: 'NoController' }));
    expect(get.stderr).toContain(`${NOTE} ${t.app} right now: no berth daemon runs for it, so nothing heals between commands; run \`berth daemon\` (docs/daemon.md)`);
    const yaml = await t.berth('get', 'deploy', 'web', '-o', 'yaml');
    expect(yaml.stdout).toContain(`berth.dev/source-revision: ${v2}`);
  });

  it('describe says the same; objects that are not workloads get no note', async () => {
    const describe = await t.berth('describe', 'deploy', 'web');
    expect(describe.code, describe.stderr).toBe(0);
    expect(describe.stdout).toMatch(/Progressing\s+Unknown\s+NoController/);
    expect(describe.stdout).toContain(`berth.dev/source-revision: ${v2}`);
    expect(describe.stderr).toContain(NOTE);
    expect((await t.berth('get', 'ns')).stderr).not.toContain(NOTE);
  });
});
