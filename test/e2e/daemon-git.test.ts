import { createHmac } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/runtime/store/index.js';
import { systemClock } from '../../src/runtime/clock.js';
import { makeRepo, startGitServer, type GitServer, type TestRepo } from '../support/git-server.js';
import { runCli } from '../support/cli.js';
import { converged, eventually, killDaemons, sleep, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';
import { processAlive } from '../../src/cli/process-alive.js';

/**
 * The daemon against a real Git server on loopback and the real Docker engine: webhooks,
 * API sync, atomic revisions, self-healing, the API's views, lease exclusivity and SIGTERM.
 * One daemon serves the file's tests in order, as one would run on a host.
 */
const SECRET = 'webhook-secret-for-tests';
const TOKEN = 'api-token-for-tests';
const SECRET_VALUE = 'hunter2-very-secret';

const web = (o: { image: string; replicas?: number; deadline?: number }) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${o.replicas ?? 2}${o.deadline ? `\n  progressDeadlineSeconds: ${o.deadline}` : ''}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: ${o.image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
        env:
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: creds, key: token}}
`;
const secret = `apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: ${SECRET_VALUE}}
`;

let server: GitServer;
let repo: TestRepo;
let t: E2eApp;
let daemon: DaemonProcess;
let tokenFile: string;
const shas: string[] = [];

const sign = (body: string, key = SECRET) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
const pushBody = (after: string) => JSON.stringify({ ref: 'refs/heads/main', after, repository: { full_name: 'org/deploy' } });
/** node:http, which (unlike fetch) sends the Host and Origin headers given, as a browser would send a page's. */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
const images = async () => (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Image).sort();

beforeAll(async () => {
  t = await createE2eApp('daemon-git');
  server = await startGitServer();
  repo = await makeRepo(server.root, 'deploy.git', { files: { 'apps/web.yaml': web({ image: 'berth-examples/web:1.0' }), 'apps/secret.yaml': secret } });
  shas.push(await repo.revParse('main'));
  const secretFile = join(t.dir, '..', 'webhook-secret');
  tokenFile = join(t.dir, '..', 'api-token');
  await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 });
  await writeFile(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  daemon = await startDaemon([
    '--repo', server.url('deploy.git'), '--branch', 'main', '--path', 'apps', '--interval', '1h',
    '--webhook-secret-file', secretFile, '--token-file', tokenFile, '--app', t.app, '--state-dir', t.stateDir,
    '--api-host', 'berth.example.test',
  ], { token: TOKEN });
});

afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
  await server?.close();
});

describe('berth daemon with a Git source', () => {
  it('applies the branch at start and reports it converged', async () => {
    const s = await converged(daemon, shas[0]!);
    expect(s.source.revision).toBe(shas[0]);
    expect(podNames(await t.containers(), 'Deployment/default/web')).toHaveLength(2);
    expect(await images()).toEqual(['berth-examples/web:1.0', 'berth-examples/web:1.0']);
    const ready = await daemon.api('/readyz');
    expect(ready).toMatchObject({ status: 200, body: { ready: true } });
  });

  it('a webhook with a good signature syncs at once (the poll interval is an hour)', async () => {
    shas.push(await repo.commitFiles({ 'apps/web.yaml': web({ image: 'berth-examples/web:2.0' }) }));
    const body = pushBody(shas[1]!);
    const started = Date.now();
    const res = await daemon.api('/webhook', { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(body) } });
    expect(res).toMatchObject({ status: 202, body: { triggered: true } });
    await converged(daemon, shas[1]!);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await images()).toEqual(['berth-examples/web:2.0', 'berth-examples/web:2.0']);
    const first = daemon.logs.find((l) => l.msg === 'first docker change of the pass' && l.revision === shas[1]);
    expect(first).toBeDefined();
  });

  it('a bad signature is 401 and syncs nothing; pings are answered; an API sync needs the token', async () => {
    shas.push(await repo.commitFiles({ 'apps/web.yaml': web({ image: 'berth-examples/web:2.0', replicas: 3 }) }));
    const body = pushBody(shas[2]!);
    expect((await daemon.api('/webhook', { method: 'POST', body, headers: { 'x-github-event': 'push', 'x-hub-signature-256': sign(body, 'wrong') } })).status).toBe(401);
    expect((await daemon.api('/webhook', { method: 'POST', body, headers: { 'x-github-event': 'push' } })).status).toBe(401);
    const gitlab = await daemon.api('/webhook', { method: 'POST', body, headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' } });
    expect(gitlab.status).toBe(401);
    const ping = '{"zen":"hi"}';
    expect((await daemon.api('/webhook', { method: 'POST', body: ping, headers: { 'x-github-event': 'ping', 'x-hub-signature-256': sign(ping) } })).status).toBe(200);
    await sleep(4_000);
    const s = await status(daemon);
    expect([s.source.revision, s.sync.appliedRevision]).toEqual([shas[1], shas[1]]);
    expect(podNames(await t.containers(), 'Deployment/default/web')).toHaveLength(2);
    expect((await daemon.anonymous('/api/v1/sync', { method: 'POST' })).status).toBe(401);
    expect((await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(202);
    await converged(daemon, shas[2]!);
    expect(podNames(await t.containers(), 'Deployment/default/web')).toHaveLength(3);
    const metrics = (await daemon.api('/metrics')).text;
    expect(metrics).toMatch(/berth_webhook_requests_total\{forge="github",outcome="unauthorized"\} 1/);
    expect(metrics).toMatch(/berth_webhook_requests_total\{forge="unknown",outcome="unauthorized"\} 1/);
    expect(metrics).toMatch(/berth_webhook_requests_total\{forge="gitlab",outcome="unauthorized"\} 1/);
  });

  it('the API answers only its own names, needs the token for reads and refuses cross-origin writes', async () => {
    // A DNS-rebinding page: the browser sends the page's own name as Host.
    for (const path of ['/api/v1/status', '/api/v1/events', '/api/v1/resources', '/api/v1/diff', '/metrics', '/healthz']) {
      const res = await rawRequest(daemon.port, 'GET', path, { host: `rebind.attacker.example:${daemon.port}`, authorization: `Bearer ${TOKEN}` });
      expect([path, res.status]).toEqual([path, 421]);
      expect(res.text).not.toContain(shas[0]);
    }
    expect((await rawRequest(daemon.port, 'GET', '/api/v1/status', { host: 'berth.example.test', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    for (const path of ['/api/v1/status', '/api/v1/events', '/api/v1/resources', '/api/v1/revisions', '/api/v1/diff', '/metrics']) {
      const res = await daemon.anonymous(path);
      expect([path, res.status]).toEqual([path, 401]);
    }
    expect((await daemon.anonymous('/healthz')).status).toBe(200);
    const write = await rawRequest(daemon.port, 'POST', '/api/v1/sync', { host: `127.0.0.1:${daemon.port}`, origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` });
    expect(write.status).toBe(403);
    expect(daemon.logs.some((l) => l.level === 'warn' && typeof l.host === 'string' && l.host.startsWith('rebind.attacker.example'))).toBe(true);
  });

  it('a bad commit applies nothing and the status names file and line; the fixed commit applies', async () => {
    const before = (await t.containers()).map((c) => c.Id).sort();
    const broken = web({ image: 'berth-examples/web:1.0' }).replace('replicas: 2', 'replicas: two').replace('  selector:', '  selectr: {}\n  selector:');
    shas.push(await repo.commitFiles({ 'apps/web.yaml': broken }));
    expect((await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(202);
    const s = await eventually('the bad revision reported', async () => {
      const st = await status(daemon);
      return st.sync.failedRevision === shas[3] && st.sync.state === 'Failed' ? st : undefined;
    });
    const problems = s.sync.lastError!.problems.filter((p) => p.severity === 'error');
    expect(problems.map((p) => [p.file, p.line])).toEqual([
      ['web.yaml', 6],
      ['web.yaml', 7],
    ]);
    expect(s.sync.appliedRevision).toBe(shas[2]);
    await sleep(2_000);
    expect((await t.containers()).map((c) => c.Id).sort()).toEqual(before);
    // Healing goes on against what was applied while the source is broken.
    const victim = (await t.containers()).find((c) => c.Labels['berth.role'] === 'container')!;
    await t.docker.getContainer(victim.Id).remove({ force: true });
    await eventually('the removed container back while the source is invalid', async () => (await images()).length === 3, 15_000);
    expect((await status(daemon)).sync.state).toBe('Failed');
    shas.push(await repo.commitFiles({ 'apps/web.yaml': web({ image: 'berth-examples/web:1.0', replicas: 2 }) }));
    await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    const fixed = await converged(daemon, shas[4]!);
    expect(fixed.sync.lastError).toBeNull();
    // The refused commit is history (the events keep it), not a standing failure.
    expect(fixed.sync.failedRevision).toBeNull();
    expect(await images()).toEqual(['berth-examples/web:1.0', 'berth-examples/web:1.0']);
  });

  it('a container removed by hand is back within 15 s with no push', async () => {
    const running = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running');
    const victim = running[0]!;
    const removedAt = Date.now();
    await t.docker.getContainer(victim.Id).remove({ force: true });
    // A single-container pod's only container is the pod (no sandbox keeps it): its ReplicaSet
    // makes a pod in its place, under a new name, as Kubernetes does for a deleted pod. A pod
    // with a sandbox gets the container back under its own name; either way as many run again.
    await eventually(
      'the container recreated',
      async () => (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running' && c.Id !== victim.Id).length === running.length,
      15_000,
      200,
    );
    expect(Date.now() - removedAt).toBeLessThan(15_000);
    // The pass that recreated it counts the drift when it ends, which may be just after the
    // container shows up: wait for the count rather than read it at once.
    await eventually('the drift counted', async () => /berth_drift_detections_total [1-9]/.test((await daemon.api('/metrics')).text), 15_000, 200);
  });

  it('a container killed by hand is started again by the pass its die event sets off', async () => {
    // dockerd 20.10 sends `die` before its container list shows the container exited: the pass
    // the event sets off inspects the pod the event names, or it finds it running and heals nothing.
    const victim = (await t.containers()).find((c) => c.Labels['berth.role'] === 'container' && c.State === 'running')!;
    const killedAt = Date.now();
    await t.docker.getContainer(victim.Id).kill();
    const first = await eventually('the pass the die event set off', async () => daemon.logs.find((l) => l.msg === 'reconcile pass done' && l.receivedAt >= killedAt && (l.reasons as string[]).includes('docker-event')), 30_000, 100);
    expect(first.actions, JSON.stringify(first)).toBeGreaterThan(0);
    await eventually('the container running again', async () => ((await t.docker.getContainer(victim.Id).inspect()).State.Running ? true : undefined), 30_000, 200);
  });

  it('serves resources with health, revisions, events, the diff and metrics, never a secret value', async () => {
    const resources = (await daemon.api('/api/v1/resources')).body as { kind: string; items: Array<{ kind: string; metadata: { name: string; deletionTimestamp?: string }; health: { status: string }; data?: Record<string, string> }> };
    expect(resources.kind).toBe('List');
    const deployment = resources.items.find((i) => i.kind === 'Deployment')!;
    expect(deployment).toMatchObject({ metadata: { name: 'web' }, health: { status: expect.stringMatching(/Healthy|Progressing/) } });
    expect(resources.items.find((i) => i.kind === 'Secret')!.data).toEqual({ token: '(redacted)' });
    // A pod of the rollout before may still run out its grace period: listed, as kubectl lists it, with its deletionTimestamp.
    expect(resources.items.filter((i) => i.kind === 'Pod' && i.metadata.deletionTimestamp === undefined)).toHaveLength(2);
    const revisions = (await daemon.api('/api/v1/revisions')).body as { deployments: Array<{ deployment: string; revisions: Array<{ revision: number; sourceRevision: string }> }> };
    expect(revisions.deployments[0]!.deployment).toBe('Deployment/default/web');
    // web:1.0 → 2.0 → (replicas only) → back to 1.0: two templates, the first renumbered as Kubernetes does.
    expect(revisions.deployments[0]!.revisions.map((r) => r.revision)).toEqual([2, 3]);
    expect(revisions.deployments[0]!.revisions.map((r) => r.sourceRevision)).toContain(shas[1]);
    const events = (await daemon.api('/api/v1/events?limit=1000')).body as { items: Array<{ reason: string }> };
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['SuccessfulCreate', 'InvalidRevision']));
    const diff = (await daemon.api('/api/v1/diff')).body as { valid: boolean; revision: { id: string } };
    expect(diff).toMatchObject({ valid: true, revision: { id: shas[4] } });
    const metrics = (await daemon.api('/metrics')).text;
    expect(metrics).toContain(`berth_last_applied_revision_info{revision="${shas[4]}"} 1`);
    expect(metrics).toMatch(/berth_syncs_total\{result="invalid"\} [1-9]/);
    expect(metrics).toMatch(/berth_managed_pods 2/);
    expect(metrics).toMatch(/berth_reconcile_duration_seconds_count\{result="synced"\} [1-9]/);
    const everything = [JSON.stringify(resources), JSON.stringify(events), JSON.stringify(diff), JSON.stringify((await daemon.api('/api/v1/status')).body), metrics, JSON.stringify(daemon.logs), daemon.text()].join('\n');
    for (const leak of [SECRET_VALUE, Buffer.from(SECRET_VALUE).toString('base64'), SECRET, TOKEN]) expect(everything).not.toContain(leak);
  });

  it('a commit whose image never gets ready is rolled back, and status says so until a good commit', async () => {
    const good = web({ image: 'berth-examples/web:1.0', replicas: 2 });
    shas.push(await repo.commitFiles({ 'apps/web.yaml': web({ image: 'berth-examples/web:broken', replicas: 2, deadline: 5 }) }));
    await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    const s = await eventually('the rollback reported', async () => {
      const st = await status(daemon);
      return st.sync.state === 'Degraded' && st.sync.divergences.length > 0 ? st : undefined;
    }, 60_000);
    expect(s.sync).toMatchObject({ appliedRevision: shas[5], failedRevision: shas[5], divergences: [{ deployment: 'Deployment/default/web', reason: 'rolled-back' }] });
    expect(s.sync.lastError!.message).toMatch(/^Deployment\/default\/web: template [0-9a-f]+ failed its rollout; running revision \d+ until the source changes$/);
    // The broken pod the rollback deleted may still run out its grace period (it terminates in the background).
    await eventually('only the good pods running', async () => (await images()).join() === 'berth-examples/web:1.0,berth-examples/web:1.0');
    const resources = (await daemon.api('/api/v1/resources?kind=Deployment')).body as { items: Array<{ spec: { template: { spec: { containers: Array<{ image: string }> } } }; health: { status: string } }> };
    expect(resources.items[0]).toMatchObject({ health: { status: 'Degraded' }, spec: { template: { spec: { containers: [{ image: 'berth-examples/web:1.0' }] } } } });
    // Running the last good template is what this revision converges to: no drift to repair.
    const diff = (await daemon.api('/api/v1/diff')).body as { report: { drift?: unknown[] } };
    expect(diff.report.drift).toBeUndefined();
    expect(daemon.logs.some((l) => l.level === 'warn' && l.reason === 'RolloutRolledBack')).toBe(true);

    shas.push(await repo.commitFiles({ 'apps/web.yaml': good }));
    await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    const fixed = await converged(daemon, shas[6]!);
    expect(fixed.sync).toMatchObject({ state: 'Synced', failedRevision: null, lastError: null, divergences: [] });
  });

  it('every log line is JSON with a component and a revision', () => {
    expect(daemon.logs.length).toBeGreaterThan(10);
    const bad = daemon.logs.filter((l) => typeof l.component !== 'string' || typeof l.revision !== 'string');
    expect(bad).toEqual([]);
  });

  it('a second daemon fails with LEASE_HELD (exit 3); a CLI apply is made by the daemon and held until the next commit', async () => {
    const second = await startDaemon(['--repo', server.url('deploy.git'), '--path', 'apps', '--app', t.app, '--state-dir', t.stateDir], { waitHealthy: false });
    expect((await second.exited).code).toBe(3);
    expect(second.text()).toMatch(/being changed by another berth daemon/);
    await writeFile(join(t.dir, 'web.yaml'), web({ image: 'berth-examples/web:2.0', replicas: 1 }));
    await writeFile(join(t.dir, 'secret.yaml'), secret);
    const apply = await runCli(['apply', '-f', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    expect({ code: apply.code, stdout: apply.stdout }, apply.stderr).toMatchObject({ code: 0, stdout: expect.stringContaining('deployment.apps/web configured') });
    expect(apply.stderr).not.toMatch(/LEASE_HELD|being changed by another/);
    expect(apply.stderr).toContain(`it follows ${server.url('deploy.git')}@main/apps and`);
    expect(apply.stderr).toContain(`keeps this change until the source changes (now at revision ${shas[6]!.slice(0, 12)})`);
    await eventually('one pod of 2.0', async () => ((await images()).join() === 'berth-examples/web:2.0' ? true : undefined), 60_000);
    // The replaced pod's termination ends with a pass of its own (reason docker-event): let it
    // come and go first, or it can follow the sync's pass and take its place as the last pass.
    await eventually('the replaced pod removed and the daemon idle', async () => {
      const st = (await daemon.api('/api/v1/status')).body as { loop: { running: boolean } };
      return podNames(await t.containers(), 'Deployment/default/web').length === 1 && !st.loop.running ? true : undefined;
    }, 60_000);
    // An API sync fetches the unchanged branch and passes: the local apply holds.
    await daemon.api('/api/v1/sync', { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    const held = await eventually('a pass after the sync', async () => {
      const st = (await daemon.api('/api/v1/status')).body as { sync: { state: string; localHold: { change: string; sourceRevision: string } | null }; lastPass?: { reasons: string[] }; loop: { running: boolean } };
      return st.lastPass?.reasons.includes('api') && !st.loop.running ? st : undefined;
    });
    expect(held.sync).toMatchObject({ state: 'OutOfSync', localHold: { change: 'apply', sourceRevision: shas[6] } });
    expect(await images()).toEqual(['berth-examples/web:2.0']);
  });

  it('SIGTERM stops it cleanly: exit 0, lease released, pods left running', async () => {
    // The pods that run: an old one still terminating (the apply above replaced it) is handed to a finisher and goes.
    const running = async () => {
      const cs = await t.containers();
      const live = new Set(cs.filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Labels['berth.name']));
      return podNames(cs.filter((c) => live.has(c.Labels['berth.name'])), 'Deployment/default/web');
    };
    const pods = await running();
    expect(pods).toHaveLength(1);
    daemon.kill('SIGTERM');
    const started = Date.now();
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(daemon.logs.some((l) => l.msg === 'daemon stopped')).toBe(true);
    const store = openStore({ isProcessAlive: processAlive, dir: t.stateDir, clock: systemClock });
    try {
      expect(store.getLease(t.app)).toBeUndefined();
    } finally {
      store.close();
    }
    expect(await running()).toEqual(pods);
  });
});
