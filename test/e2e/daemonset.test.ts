import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { Harness } from './cli-support.js';
import { cells, docker, harness } from './cli-support.js';

/**
 * DaemonSets on the real engine: this host is the one node, so a DaemonSet runs exactly one pod
 * here, replaces it in the order its update strategy says, runs none when its nodeSelector does
 * not match the host, and brings a deleted pod back.
 */
let image: string;
let h: Harness | undefined;

beforeAll(async () => {
  image = await ensureBusyboxImage(docker);
});

afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const AGE = /^\d+s$/;
// The readiness probe's timeout is generous: \`docker exec\` on an engine other tests load can take seconds.
const POD = /^agent-[a-z0-9]{5}$/;

function daemonSet(opts: { version: string; strategy?: string; nodeSelector?: string }): string {
  return `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
${opts.strategy ? `  updateStrategy: ${opts.strategy}\n` : ''}  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
${opts.nodeSelector ? `      nodeSelector: ${opts.nodeSelector}\n` : ''}      containers:
        - name: agent
          image: ${image}
          command: ["sh", "-c", "echo agent ${opts.version}; touch /tmp/ready; exec sleep 100000"]
          env: [{name: VERSION, value: "${opts.version}"}]
          readinessProbe: {exec: {command: [cat, /tmp/ready]}, periodSeconds: 1, timeoutSeconds: 10}
`;
}

async function apply(hh: Harness, text: string, ...flags: string[]): Promise<{ actions: Array<{ action: string; text: string; ok: boolean }> }> {
  const file = await hh.write('ds.yaml', text);
  const r = await hh.berth(['apply', '-f', file, '--wait', '--timeout', '120s', '-o', 'json', ...flags]);
  expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
  return JSON.parse(r.stdout) as { actions: Array<{ action: string; text: string; ok: boolean }> };
}

/** The pods `get pods` lists, without those still terminating (issue 18: they go in the background). */
async function podNames(hh: Harness): Promise<string[]> {
  const r = await hh.berth(['get', 'pods', '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const items = (JSON.parse(r.stdout) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string } }> }).items;
  return items.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name);
}

/** The pod actions of an apply, in the order they ran: `create`/`delete`. */
const podSteps = (result: { actions: Array<{ action: string }> }) => result.actions.filter((a) => a.action === 'create-pod' || a.action === 'delete-pod').map((a) => (a.action === 'create-pod' ? 'create' : 'delete'));

describe('DaemonSet on one host', () => {
  it('runs exactly one pod, named <ds>-<5 chars> with the controller-revision-hash label; get ds shows it; a deleted pod comes back', async () => {
    const hh = (h = await harness('e2e-ds-one'));
    await apply(hh, daemonSet({ version: 'v1' }));
    const [name, ...others] = await podNames(hh);
    expect(others).toEqual([]);
    expect(name).toMatch(POD);

    const json = JSON.parse((await hh.berth(['get', 'pod', name!, '-o', 'json'])).stdout) as { metadata: { labels: Record<string, string> } };
    expect(json.metadata.labels).toMatchObject({ app: 'agent', 'controller-revision-hash': expect.stringMatching(/^[a-z0-9]+$/) });

    expect(cells((await hh.berth(['get', 'ds'])).stdout)).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      ['agent', '1', '1', '1', '1', '1', '<none>', expect.stringMatching(AGE)],
    ]);

    const deleted = await hh.berth(['delete', 'pod', name!]);
    expect(deleted.code, deleted.stderr).toBe(0);
    // The next pass (here an apply of the same revision) makes the node's pod again.
    await apply(hh, daemonSet({ version: 'v1' }));
    const after = await podNames(hh);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatch(POD);
    expect(after[0]).not.toBe(name);

    const describedPod = await hh.berth(['describe', 'pod', after[0]!]);
    expect(describedPod.stdout).toMatch(/Controlled By:\s+DaemonSet\/agent/);

    // Deleting the DaemonSet deletes its pod and forgets its history.
    const gone = await hh.berth(['delete', 'ds', 'agent']);
    expect(gone.code, gone.stderr).toBe(0);
    expect(await podNames(hh)).toEqual([]);
    const history = await hh.berth(['rollout', 'history', 'ds/agent']);
    expect(history.code).not.toBe(0);
    expect(history.stderr).toContain('daemonsets.apps "agent" not found');
  });

  it.each([
    { name: 'default RollingUpdate (maxSurge 0, maxUnavailable 1): the old pod stops before the new one starts', strategy: undefined, order: ['delete', 'create'] },
    { name: 'RollingUpdate maxSurge 1: the new pod starts and becomes ready before the old one stops', strategy: '{type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}', order: ['create', 'delete'] },
  ])('an update replaces the pod: $name', async ({ strategy, order }) => {
    const hh = (h = await harness('e2e-ds-roll'));
    await apply(hh, daemonSet({ version: 'v1', ...(strategy ? { strategy } : {}) }));
    const [before] = await podNames(hh);
    const update = await apply(hh, daemonSet({ version: 'v2', ...(strategy ? { strategy } : {}) }));
    expect(podSteps(update)).toEqual(order);
    const after = await podNames(hh);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    const logs = await hh.berth(['logs', after[0]!]);
    expect(logs.stdout).toContain('agent v2');

    const history = await hh.berth(['rollout', 'history', 'ds/agent']);
    expect(history.code, history.stderr).toBe(0);
    expect(cells(history.stdout).slice(2).map((r) => [r[0], r[3]])).toEqual([
      ['1', 'complete'],
      ['2', 'complete'],
    ]);
    const status = await hh.berth(['rollout', 'status', 'ds/agent', '--timeout', '30s']);
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
  });

  it('a nodeSelector the host does not match runs no pod (DESIRED 0, describe says why); a node label that matches runs it', async () => {
    const hh = (h = await harness('e2e-ds-sel'));
    await apply(hh, daemonSet({ version: 'v1', nodeSelector: '{role: storage}' }));
    expect(await podNames(hh)).toEqual([]);
    expect(cells((await hh.berth(['get', 'daemonsets'])).stdout)).toEqual([
      ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
      ['agent', '0', '0', '0', '0', '0', 'role=storage', expect.stringMatching(AGE)],
    ]);
    const described = await hh.berth(['describe', 'ds', 'agent']);
    expect(described.stdout).toMatch(/Desired Number of Nodes Scheduled:\s+0/);
    expect(described.stdout).toContain('nodeSelector role=storage does not match the node');

    await apply(hh, daemonSet({ version: 'v1', nodeSelector: '{role: storage}' }), '--node-label', 'role=storage');
    const names = await podNames(hh);
    expect(names).toHaveLength(1);
    expect(cells((await hh.berth(['get', 'ds'])).stdout)[1]!.slice(0, 7)).toEqual(['agent', '1', '1', '1', '1', '1', 'role=storage']);

    // Without the label again, the host no longer runs it: the pod goes.
    await apply(hh, daemonSet({ version: 'v1', nodeSelector: '{role: storage}' }));
    expect(await podNames(hh)).toEqual([]);

    // The node is the Docker engine's host (runtime/node-facts.ts): its name, lowercased, is the
    // kubernetes.io/hostname label placement matches and the NODE column `get pods -o wide` shows.
    const node = ((await docker.info()) as { Name: string }).Name.toLowerCase();
    await apply(hh, daemonSet({ version: 'v1', nodeSelector: `{kubernetes.io/hostname: "${node}"}` }));
    const [placed, ...more] = await podNames(hh);
    expect(more).toEqual([]);
    expect(placed).toMatch(POD);
    const [header, row] = cells((await hh.berth(['get', 'pods', '-o', 'wide'])).stdout);
    expect(row![header!.indexOf('NODE')]).toBe(node);
  });

  it('rollout undo goes back to the previous revision and rollout restart replaces the pod, as for Deployments', async () => {
    const hh = (h = await harness('e2e-ds-undo'));
    await apply(hh, daemonSet({ version: 'v1' }));
    await apply(hh, daemonSet({ version: 'v2' }));
    const undo = await hh.berth(['rollout', 'undo', 'ds/agent', '--wait', '--timeout', '60s']);
    expect(undo.code, undo.stderr).toBe(0);
    const [undone] = await podNames(hh);
    expect((await hh.berth(['logs', undone!])).stdout).toContain('agent v1');
    const history = cells((await hh.berth(['rollout', 'history', 'ds/agent'])).stdout).slice(2);
    // Revision 1's template rolled out again is renumbered 3, as Kubernetes renumbers it.
    expect(history.map((r) => [r[0], r[3]?.replace(' (pinned)', '')])).toEqual([
      ['2', 'complete'],
      ['3', 'complete'],
    ]);

    const restart = await hh.berth(['rollout', 'restart', 'ds/agent', '--wait', '--timeout', '60s']);
    expect(restart.code, restart.stderr).toBe(0);
    const restarted = await podNames(hh);
    expect(restarted).toHaveLength(1);
    expect(restarted[0]).not.toBe(undone);
    expect((await hh.berth(['logs', restarted[0]!])).stdout).toContain('agent v1');

    const pause = await hh.berth(['rollout', 'pause', 'ds/agent']);
    expect(pause.code).not.toBe(0);
    expect(pause.stderr).toContain('pausing is not supported');
  });
});
