import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { converged, eventually, killDaemons, startDaemon, status, type DaemonProcess, type StatusBody } from './support/daemon.js';
import { createE2eApp, type E2eApp, terminatingPods } from './support/harness.js';
import { isPodOwner } from '../../src/apply/labels.js';

/**
 * Issue 12, "done when": after undo, restart and scale, with and without a daemon, every view
 * agrees with the containers that run, and one folder is one revision id everywhere. The truth
 * is read from Docker (the running containers of the Deployment's pods); each view is then held
 * to it. Views are checked with expect.soft so one run names every disagreement, not the first.
 *
 * What "agree" means here, for a Deployment pinned by `rollout undo` (the folder unchanged):
 * - get/describe/get rs/API: the template that runs (the pinned one), its replica count, every
 *   running pod counted as updated and ready, the ReplicaSet with replicas > 0 is the one whose
 *   pods run, and annotation berth.dev/source-revision = the folder's revision id.
 * - rollout status: "successfully rolled out", because what runs is the template the views call
 *   current (and it notes the pin).
 * - diff -f DIR: no resource changes and no drift (the folder is what was applied, the host runs
 *   what applying it converges to), and the pin reported as a divergence (report.divergences,
 *   reason "pinned"), not as a change of any field.
 * - apply --dry-run -f DIR -o json: the folder's revision id, web `unchanged`, no planned
 *   actions (`planned`, what the text form prints as `would …` lines; the pin holds for the
 *   revision it was made under). A positive control (the source changed) proves the JSON lists
 *   planned actions at all.
 * After `scale --replicas 3` (source: 2) the count is a `replicas` override that lasts until a
 * pass applies a CHANGED manifest of web (plan/overrides.ts, docs/cli.md "berth scale"), as
 * `kubectl apply` after `kubectl scale` leaves replicas alone while the manifest does not
 * change them. Applying the same folder keeps it, so diff -f shows no change and no drift but
 * lists the scale as a divergence (reason "scaled") next to the pin; apply --dry-run plans
 * nothing and says web `unchanged`; get deploy shows spec.replicas 3.
 * Every view, the live diff and dry runs write nothing: the pin is still there after them.
 * The API (/api/v1/resources, /api/v1/status) is served by the daemon, so it is checked in the
 * daemon mode; its status must name the folder's id as source and applied revision, and list
 * the same divergences as diff -f (the pin, and the scale).
 * Under a daemon, `scale --wait` returns once the daemon's pods are ready (the daemon converges,
 * the command watches what runs, as `rollout status` does).
 */
const SOURCE_REPLICAS = 2;
const V1 = 'berth-examples/web:1.0';
const V2 = 'berth-examples/web:2.0';
const KEY = 'Deployment/default/web';

const web = (image: string, cause: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {kubernetes.io/change-cause: "${cause}"}
spec:
  replicas: ${SOURCE_REPLICAS}
  progressDeadlineSeconds: 60
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

/**
 * What Docker runs for the Deployment, the only truth the views are held to: running app
 * containers' images (sorted), the single image every running pod runs ('' when none or mixed),
 * the running pods (by their namespace owner, isPodOwner), the ReplicaSets they belong to (pod
 * name minus its random suffix) and how many pods still run out their grace period (Terminating).
 */
interface Truth { images: string[]; image: string; pods: string[]; replicaSets: string[]; leaving: number }

async function readTruth(t: E2eApp): Promise<Truth> {
  // A pod whose termination began is no longer the Deployment's (issue 18): it runs out its
  // grace period in the background, as Kubernetes' podReplacementPolicy TerminationStarted.
  const leaving = await terminatingPods(t.berth);
  const mine = (await t.containers()).filter((c) => c.Labels['berth.controller'] === KEY && c.State === 'running' && !leaving.has(c.Labels['berth.name']!));
  const images = mine.filter((c) => c.Labels['berth.role'] === 'container').map((c) => c.Image).sort();
  const pods = [...new Set(mine.filter((c) => isPodOwner(c.Labels)).map((c) => c.Labels['berth.name']!))].sort();
  const distinct = [...new Set(images)];
  return { images, image: distinct.length === 1 ? distinct[0]! : '', pods, replicaSets: [...new Set(pods.map((p) => p.replace(/-[^-]+$/, '')))].sort(), leaving: leaving.size };
}

/** Steady: every pod runs exactly one app container, all of one image, `replicas` of them. */
const steady = (tr: Truth, replicas: number, image?: string) => tr.pods.length === replicas && tr.images.length === replicas && tr.image !== '' && (image === undefined || tr.image === image);

type Containers = { spec: { containers: Array<{ image: string }> } };
interface DeploymentJson {
  metadata: { annotations?: Record<string, string> };
  spec: { replicas: number; template: Containers };
  status: { replicas: number; updatedReplicas: number; readyReplicas: number; availableReplicas: number; conditions: Array<{ type: string; status: string; reason?: string }> };
}
interface ReplicaSetJson {
  metadata: { name: string; ownerReferences?: Array<{ name: string }> };
  spec: { replicas: number; template?: Containers };
  status: { replicas: number };
}
type PodJson = Containers & { metadata: { name: string; deletionTimestamp?: string; ownerReferences?: Array<{ kind: string; name: string }> } };
interface DiffJson {
  from: { id: string };
  to: { id: string };
  changes: Array<{ key: string; action: string; fields: Array<{ path: string; before?: unknown; after?: unknown }>; effects: Array<{ kind: string; message: string }> }>;
  drift?: unknown[];
  divergences?: Array<{ deployment: string; reason: string }>;
}
/** `planned`: the first plan's actions (a dry run's `would …` lines); `actions`: executed, none in a dry run. */
interface ApplyJson {
  revision: { id: string };
  changes: Array<{ key: string; change: string }>;
  planned: Array<{ action: string; key: string; text: string }>;
  actions: Array<{ action: string; key: string }>;
}

const imageOf = (o: { spec?: { template?: Containers } }) => o.spec?.template?.spec.containers[0]?.image;

/** `pinned`: by `rollout undo` (the folder still holds v2); `folderId`: as the daemon's folder source computes it. */
interface Expect {
  pinned: boolean;
  folderId: string;
  daemon?: DaemonProcess;
}

/** Holds every view to `truth`: soft assertions labelled `view: what` list all of a scenario's disagreements. */
async function checkViews(t: E2eApp, truth: Truth, x: Expect): Promise<void> {
  const n = truth.pods.length;
  const scaled = n !== SOURCE_REPLICAS;
  const soft = (what: string, actual: unknown) => expect.soft(actual, what);

  // The truth itself must be steady, or nothing below means anything.
  expect(truth.image, `truth: one image runs (${truth.images.join(', ')})`).not.toBe('');
  expect(truth.images, 'truth: one app container per pod').toHaveLength(n);

  // get deploy -o json
  const getDeploy = await t.berth('get', 'deploy', 'web', '-o', 'json');
  soft('get deploy: exit code', getDeploy.code).toBe(0);
  const d = JSON.parse(getDeploy.stdout) as DeploymentJson;
  soft('get deploy: spec.template image', imageOf(d)).toBe(truth.image);
  soft('get deploy: spec.replicas', d.spec.replicas).toBe(n);
  soft('get deploy: status.replicas', d.status.replicas).toBe(n);
  soft('get deploy: status.updatedReplicas', d.status.updatedReplicas).toBe(n);
  soft('get deploy: status.readyReplicas', d.status.readyReplicas).toBe(n);
  soft('get deploy: status.availableReplicas', d.status.availableReplicas).toBe(n);
  soft('get deploy: annotation berth.dev/source-revision', d.metadata.annotations?.['berth.dev/source-revision']).toBe(x.folderId);
  soft('get deploy: Pinned condition', d.status.conditions.some((c) => c.type === 'Pinned' && c.status === 'True')).toBe(x.pinned);

  // describe deploy
  const describe = await t.berth('describe', 'deploy', 'web');
  soft('describe: exit code', describe.code).toBe(0);
  soft('describe: Image line', /^\s+Image:\s+(\S+)\s*$/m.exec(describe.stdout)?.[1]).toBe(truth.image);
  soft('describe: Replicas line', /^Replicas:\s+(.*)$/m.exec(describe.stdout)?.[1]?.trim()).toBe(`${n} desired | ${n} updated | ${n} total | ${n} available | 0 unavailable`);
  soft('describe: NewReplicaSet line', /^NewReplicaSet:\s+(.*)$/m.exec(describe.stdout)?.[1]?.trim()).toBe(`${truth.replicaSets[0]} (${n}/${n} replicas created)`);
  soft('describe: OldReplicaSets line', /^OldReplicaSets:\s+(.*)$/m.exec(describe.stdout)?.[1]?.trim()).toBe('<none>');

  // get rs -o json: the ReplicaSet wanting and having pods is the one whose pods run, with their image.
  const getRs = await t.berth('get', 'rs', '-o', 'json');
  soft('get rs: exit code', getRs.code).toBe(0);
  const sets = (JSON.parse(getRs.stdout) as { items: ReplicaSetJson[] }).items.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === 'web');
  checkReplicaSets('get rs', sets, truth);

  // rollout status: rolled out, since what runs is what the views call current.
  const rollout = await t.berth('rollout', 'status', 'deploy/web', '--no-watch');
  soft('rollout status: exit code', rollout.code).toBe(0);
  soft('rollout status: verdict', rollout.stdout).toContain('deployment "web" successfully rolled out');
  soft('rollout status: verdict agrees with the view', rollout.stdout.includes('successfully rolled out')).toBe(imageOf(d) === truth.image && d.status.updatedReplicas === n);
  soft('rollout status: pin noted', /pinned to revision \d+ by rollout undo/.test(rollout.stdout)).toBe(x.pinned);

  // diff -f DIR
  const diff = await t.berth('diff', '-f', t.dir, '-o', 'json');
  const report = JSON.parse(diff.stdout) as DiffJson;
  soft('diff -f: from.id (last applied)', report.from.id).toBe(x.folderId);
  soft('diff -f: to.id', report.to.id).toBe(x.folderId);
  soft('diff -f: drift', report.drift).toBeUndefined();
  soft('diff -f: divergences', (report.divergences ?? []).map((v) => `${v.deployment} ${v.reason}`)).toEqual(divergencesOf(truth, x));
  // The scale holds while the folder is what was applied: neither a change nor drift.
  soft('diff -f: changes', report.changes.map((c) => `${c.key} ${c.action} ${c.fields.map((f) => f.path).join(',')}`)).toEqual([]);
  soft('diff -f: exit code', diff.code).toBe(0);
  const diffText = await t.berth('diff', '-f', t.dir);
  soft('diff -f (text): pin noted', /^note: Deployment\/default\/web pinned to revision \d+ by rollout undo/m.test(diffText.stdout)).toBe(x.pinned);
  soft('diff -f (text): scale noted', diffText.stdout.includes(`note: ${KEY} scaled to ${n} by berth scale`)).toBe(scaled);

  // apply --dry-run -f DIR -o json
  const dry = await t.berth('apply', '--dry-run', '-f', t.dir, '-o', 'json');
  soft('apply --dry-run: exit code', dry.code).toBe(0);
  const planned = JSON.parse(dry.stdout) as ApplyJson;
  soft('apply --dry-run: revision.id', planned.revision.id).toBe(x.folderId);
  soft('apply --dry-run: change of web', planned.changes.find((c) => c.key === KEY)?.change).toBe('unchanged');
  soft('apply --dry-run: planned actions', planned.planned.map((a) => `${a.action} ${a.key}`)).toEqual([]);
  soft('apply --dry-run: executed actions', planned.actions).toEqual([]);
  // The text form prints the plan's actions ("  would …"): the same plan, so the same (none).
  const dryText = await t.berth('apply', '--dry-run', '-f', t.dir);
  const would = dryText.stdout.split('\n').filter((l) => l.startsWith('  would '));
  soft('apply --dry-run (text): planned actions', would).toEqual([]);
  soft('apply --dry-run (text): pin noted', /pinned to revision \d+/.test(dryText.stderr)).toBe(x.pinned);

  // Views, the live diff and dry runs never write: the pin is still there after all of them.
  const after = JSON.parse((await t.berth('get', 'deploy', 'web', '-o', 'json')).stdout) as DeploymentJson;
  soft('after diff and dry runs: Pinned condition', after.status.conditions.some((c) => c.type === 'Pinned' && c.status === 'True')).toBe(x.pinned);
  soft('after diff and dry runs: template image', imageOf(after)).toBe(truth.image);

  if (x.daemon) await checkApi(x.daemon, truth, x);
}

/** The divergences every view reports: the pin, and a scale away from the manifest's count. */
const divergencesOf = (truth: Truth, x: Expect) => [...(x.pinned ? [`${KEY} pinned`] : []), ...(truth.pods.length !== SOURCE_REPLICAS ? [`${KEY} scaled`] : [])];

function checkReplicaSets(view: string, sets: ReplicaSetJson[], truth: Truth): void {
  const n = truth.pods.length;
  const soft = (what: string, actual: unknown) => expect.soft(actual, `${view}: ${what}`);
  soft('ReplicaSets with pods', sets.filter((rs) => rs.status.replicas > 0).map((rs) => rs.metadata.name).sort()).toEqual(truth.replicaSets);
  soft('ReplicaSets wanting pods', sets.filter((rs) => rs.spec.replicas > 0).map((rs) => rs.metadata.name).sort()).toEqual(truth.replicaSets);
  const current = sets.find((rs) => rs.metadata.name === truth.replicaSets[0]);
  soft('current ReplicaSet image', current && imageOf(current)).toBe(truth.image);
  soft('current ReplicaSet replicas (spec/status)', current && [current.spec.replicas, current.status.replicas]).toEqual([n, n]);
}

async function checkApi(daemon: DaemonProcess, truth: Truth, x: Expect): Promise<void> {
  const n = truth.pods.length;
  const soft = (what: string, actual: unknown) => expect.soft(actual, `API: ${what}`);
  const deploys = (await daemon.api('/api/v1/resources?kind=Deployment')).body as { items: DeploymentJson[] };
  const d = deploys.items[0]!;
  soft('Deployment template image', imageOf(d)).toBe(truth.image);
  soft('Deployment spec.replicas', d.spec.replicas).toBe(n);
  soft('Deployment status (replicas/updated/ready/available)', [d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas]).toEqual([n, n, n, n]);
  soft('Deployment annotation berth.dev/source-revision', d.metadata.annotations?.['berth.dev/source-revision']).toBe(x.folderId);
  const sets = ((await daemon.api('/api/v1/resources?kind=ReplicaSet')).body as { items: ReplicaSetJson[] }).items.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === 'web');
  checkReplicaSets('API ReplicaSet', sets, truth);
  // The app runs nothing but web's pods; the API lists those running out their grace period too (deletionTimestamp set), as Kubernetes' does.
  const pods = ((await daemon.api('/api/v1/resources?kind=Pod')).body as { items: PodJson[] }).items.filter((p) => p.metadata.deletionTimestamp === undefined);
  soft('Pods (names)', pods.map((p) => p.metadata.name).sort()).toEqual(truth.pods);
  soft('Pods (images)', pods.map((p) => p.spec.containers[0]!.image).sort()).toEqual(truth.images);
  const s = (await daemon.api('/api/v1/status')).body as StatusBody;
  soft('status source.revision', s.source.revision).toBe(x.folderId);
  soft('status sync.appliedRevision', s.sync.appliedRevision).toBe(x.folderId);
  // The same divergences diff -f reports.
  soft('status sync.divergences', s.sync.divergences.map((v) => `${v.deployment} ${v.reason}`)).toEqual(divergencesOf(truth, x));
  // One rule (docs/decisions.md "OutOfSync"): any divergence, a pin or a scale alike, is OutOfSync.
  soft('status sync.state', s.sync.state).toBe(divergencesOf(truth, x).length ? 'OutOfSync' : 'Synced');
}

/** The same folder, one id: `diff --from-dir/--to-dir` as well (apply -f and diff -f are in checkViews). */
async function checkOfflineDiffId(t: E2eApp, folderId: string): Promise<void> {
  const offline = await t.berth('diff', '--from-dir', t.dir, '--to-dir', t.dir, '-o', 'json');
  expect.soft(offline.code, 'diff --from-dir/--to-dir: exit code').toBe(0);
  const r = JSON.parse(offline.stdout) as DiffJson;
  expect.soft([r.from.id, r.to.id], 'diff --from-dir/--to-dir: ids').toEqual([folderId, folderId]);
}

describe('every view agrees with what runs: no daemon (real Docker)', () => {
  let t: E2eApp;
  let folderId: string;
  let v1Pods: string[] = [];

  beforeAll(async () => {
    t = await createE2eApp('agree-cli');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('apply v1 then v2: apply -f names the folder\'s revision id; the dry run plans the change', async () => {
    await t.write({ 'web.yaml': web(V1, 'v1') });
    const one = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(one.code, one.stderr).toBe(0);
    await t.write({ 'web.yaml': web(V2, 'v2') });
    folderId = (await readPath(t.dir)).id;
    // Positive control for "no planned actions" below: with the source changed, the dry run
    // plans the rollout's first step.
    const control = JSON.parse((await t.berth('apply', '--dry-run', '-f', t.dir, '-o', 'json')).stdout) as ApplyJson;
    expect.soft(control.planned.filter((a) => a.key === KEY).map((a) => a.action), 'apply --dry-run -o json (source changed): planned actions').toContain('create-pod');
    expect.soft(control.actions, 'apply --dry-run -o json (source changed): nothing executed').toEqual([]);
    const controlText = await t.berth('apply', '--dry-run', '-f', t.dir);
    expect.soft(controlText.stdout, 'apply --dry-run (source changed): planned actions').toMatch(/^ {2}would create pod default\/web-/m);
    // JSON and text are the same plan: one `would` line per planned action, in order.
    const wouldLines = controlText.stdout.split('\n').filter((l) => l.startsWith('  would ')).map((l) => l.slice('  would '.length));
    expect.soft(wouldLines.map((l) => l.replace(/web-[a-z0-9]+-[a-z0-9]+/g, 'web-…')), 'apply --dry-run: JSON planned = text would lines').toEqual(
      control.planned.map((a) => a.text.replace(/web-[a-z0-9]+-[a-z0-9]+/g, 'web-…')),
    );
    const two = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s', '-o', 'json');
    expect(two.code, two.stderr).toBe(0);
    expect.soft((JSON.parse(two.stdout) as ApplyJson).revision.id, 'apply -f: revision.id').toBe(folderId);
    expect(steady(await readTruth(t), SOURCE_REPLICAS, V2)).toBe(true);
  });

  it('after rollout undo: v1 runs and every view says so', async () => {
    const undo = await t.berth('rollout', 'undo', 'deploy/web', '--wait', '--timeout', '90s');
    expect(undo.code, undo.stderr).toBe(0);
    const truth = await readTruth(t);
    expect(steady(truth, SOURCE_REPLICAS, V1), JSON.stringify(truth)).toBe(true);
    v1Pods = truth.pods;
    await checkViews(t, truth, { pinned: true, folderId });
    await checkOfflineDiffId(t, folderId);
  });

  it('after rollout undo, diff -f of the v1 folder: the manifest changed, but no pods are replaced (what runs is v1)', async () => {
    // apply -f of the v1 folder lifts the pin and runs v1's template, which already runs: the
    // live diff says so rather than describing a rolling update apply never does.
    const v1Dir = join(dirname(t.dir), 'v1');
    await mkdir(v1Dir, { recursive: true });
    await writeFile(join(v1Dir, 'web.yaml'), web(V1, 'v1'));
    const dry = JSON.parse((await t.berth('apply', '--dry-run', '-f', v1Dir, '-o', 'json')).stdout) as ApplyJson;
    expect.soft(dry.planned.filter((a) => a.key === KEY).map((a) => a.action), 'apply --dry-run of v1: no pod action').toEqual([]);
    const diff = await t.berth('diff', '-f', v1Dir, '-o', 'json');
    const report = JSON.parse(diff.stdout) as DiffJson;
    const web1 = report.changes.find((c) => c.key === KEY);
    // Honest about the manifest: its image did change against what was last applied (v2).
    expect.soft(web1?.fields.map((f) => f.path), 'diff -f of v1: the manifest fields that changed').toContain('spec.template.spec.containers[web].image');
    expect.soft(web1?.effects.map((e) => e.kind), 'diff -f of v1: no rollout').toEqual(['resource.update']);
    expect.soft(web1?.effects[0]?.message).toMatch(/no pods are replaced/);
    expect.soft(report.drift, 'diff -f of v1: no drift').toBeUndefined();
    expect.soft(diff.code, 'diff -f of v1: differences (the manifest changed)').toBe(1);
    const text = await t.berth('diff', '-f', v1Dir);
    expect.soft(text.stdout, 'diff -f of v1 (text): no rolling update').not.toMatch(/rolling update/);
    // Nothing written: v1 still runs pinned, and the views still agree.
    await checkViews(t, await readTruth(t), { pinned: true, folderId });
  });

  it('after rollout restart (following the undo): new pods of what ran (v1), pin kept, views agree', async () => {
    const restart = await t.berth('rollout', 'restart', 'deploy/web', '--wait', '--timeout', '90s');
    expect(restart.code, restart.stderr).toBe(0);
    const truth = await readTruth(t);
    expect.soft(truth.pods.filter((p) => v1Pods.includes(p)), 'restart: every pod replaced').toEqual([]);
    expect.soft(truth.image, 'restart after undo restarts what ran').toBe(V1);
    await checkViews(t, truth, { pinned: true, folderId });
  });

  it('after scale --replicas 3: three pods of v1, views agree, the same folder keeps the scale (a divergence, no change)', async () => {
    const scale = await t.berth('scale', 'deploy/web', '--replicas', '3', '--wait', '--timeout', '90s');
    expect(scale.code, scale.stderr).toBe(0);
    const truth = await readTruth(t);
    expect(steady(truth, 3), JSON.stringify(truth)).toBe(true);
    expect.soft(truth.image, 'scale keeps the pinned template').toBe(V1);
    await checkViews(t, truth, { pinned: true, folderId });
  });
});

describe('every view agrees with what runs: a daemon following the folder (real Docker)', () => {
  let t: E2eApp;
  let daemon: DaemonProcess;
  let folderId: string;
  let v1Pods: string[] = [];

  /** Until the daemon is idle and Docker runs `replicas` pods of one image (`image` if given). */
  const settled = (what: string, replicas: number, image?: string, timeoutMs = 90_000) =>
    eventually(what, async () => {
      const s = await status(daemon);
      if (s.loop.running || s.loop.pending.length > 0) return undefined;
      const truth = await readTruth(t);
      // ... and no pod still terminating: the API's views are compared at rest, not while old pods leave.
      return truth.leaving === 0 && steady(truth, replicas, image) ? truth : undefined;
    }, timeoutMs, 300);

  beforeAll(async () => {
    t = await createE2eApp('agree-daemon');
    await t.write({ 'web.yaml': web(V1, 'v1') });
    daemon = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    await converged(daemon, (await readPath(t.dir)).id);
    await settled('v1 running', SOURCE_REPLICAS, V1);
    await t.write({ 'web.yaml': web(V2, 'v2') });
    folderId = (await readPath(t.dir)).id;
    await converged(daemon, folderId);
    await settled('v2 running', SOURCE_REPLICAS, V2);
  });
  afterAll(async () => {
    await killDaemons();
    await t?.cleanup();
  });

  it('after rollout undo (forwarded to the daemon): v1 runs and every view, the API included, says so', async () => {
    const undo = await t.berth('rollout', 'undo', 'deploy/web');
    expect(undo.code, undo.stderr).toBe(0);
    const truth = await settled('v1 running after undo', SOURCE_REPLICAS, V1);
    v1Pods = truth.pods;
    await checkViews(t, truth, { pinned: true, folderId, daemon });
    await checkOfflineDiffId(t, folderId);
  });

  it('after rollout restart (following the undo): new pods of what ran (v1), pin kept, views agree', async () => {
    const restart = await t.berth('rollout', 'restart', 'deploy/web');
    expect(restart.code, restart.stderr).toBe(0);
    const truth = await eventually('every pod replaced', async () => {
      const tr = await settled('restart settled', SOURCE_REPLICAS);
      return tr.pods.every((p) => !v1Pods.includes(p)) ? tr : undefined;
    }, 90_000);
    expect.soft(truth.image, 'restart after undo restarts what ran').toBe(V1);
    await checkViews(t, truth, { pinned: true, folderId, daemon });
  });

  it('after scale --replicas 3 (through the daemon): three pods of v1, views agree, the same folder keeps the scale (a divergence, no change)', async () => {
    // --wait under a daemon: the daemon converges, the command follows until the pods are ready.
    const scale = await t.berth('scale', 'deploy/web', '--replicas', '3', '--wait', '--timeout', '90s');
    expect(scale.code, scale.stderr).toBe(0);
    expect.soft(scale.stdout, 'scale --wait under a daemon: waited for the rollout').toContain('deployment "web" successfully rolled out');
    const truth = await settled('three pods after scale', 3);
    expect.soft(truth.image, 'scale keeps the pinned template').toBe(V1);
    await checkViews(t, truth, { pinned: true, folderId, daemon });
  });
});
