import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp, execIn } from './support/harness.js';

/**
 * Readiness probe failures on the real engine, where a person looks (issue 14): a daemon
 * probes three pods every second and records each failed attempt as the kubelet does.
 *   notready: busybox httpd, readiness httpGet /missing → 404 on every attempt
 *   closed:   readiness tcpSocket on a port nothing listens on
 *   later:    readiness exec `cat /tmp/ready`, failing until the test creates the file
 * The Unhealthy events must show in `describe pod`, `get events` and the daemon's events API,
 * as one row per message with a count, however many seconds go by.
 */
let t: E2eApp;
let d: DaemonProcess;

const pod = (name: string, image: string, probe: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: ${image}
    command: [sh, -c, "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports: [{containerPort: 8080}]
    readinessProbe:
      periodSeconds: 1
${probe}`;

beforeAll(async () => {
  t = await createE2eApp('rdevents');
  const image = await ensureBusyboxImage(t.docker);
  await t.write({
    'notready.yaml': pod('notready', image, '      httpGet: {path: /missing, port: 8080}\n'),
    'closed.yaml': pod('closed', image, '      tcpSocket: {port: 9999}\n'),
    'later.yaml': pod('later', image, '      exec: {command: [cat, /tmp/ready]}\n'),
  });
  d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
}, 180_000);

afterAll(async () => {
  await killDaemons();
  if (t) await t.cleanup();
});

interface ApiEvent {
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
}

async function eventsOf(pod: string): Promise<ApiEvent[]> {
  const r = await d.api(`/api/v1/events?object=Pod/default/${pod}`);
  return r.status === 200 ? (r.body as { items: ApiEvent[] }).items : [];
}

const unhealthy = (events: ApiEvent[]) => events.filter((e) => e.reason === 'Unhealthy');
/**
 * The Unhealthy row whose message matches. Not simply the first: an attempt made before the
 * server listened fails differently (connection refused) and is a row of its own.
 */
const failure = (events: ApiEvent[], pattern: RegExp) => unhealthy(events).find((e) => pattern.test(e.message));
const NOT_FOUND = /^Readiness probe failed: HTTP probe failed with statuscode: 404 \(container web\)$/;
const CLOSED = /^Readiness probe failed: .*9999.* \(container web\)$/;
const NO_FILE = /^Readiness probe failed: exec \["cat","\/tmp\/ready"\] exited with code 1: cat: can.t open .\/tmp\/ready.: No such file or directory \(container web\)$/;

describe('readiness probe failures as events', () => {
  it('an httpGet readiness failure shows in describe pod with a count, the container not Ready', async () => {
    await eventually('five failed readiness attempts of notready', async () => (failure(await eventsOf('notready'), NOT_FOUND)?.count ?? 0) >= 5, 120_000);
    const described = await t.berth('describe', 'pod', 'notready');
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Warning\s+Unhealthy\s+\S+ \(x\d+ over \S+\)\s+berth\s+Readiness probe failed: HTTP probe failed with statuscode: 404 \(container web\)/);
    expect(described.stdout).toMatch(/^\s+Ready:\s+False$/m);
    expect(described.stdout).toMatch(/^\s+Ready\s+False$/m);
    expect(described.stdout).toMatch(/^\s+ContainersReady\s+False$/m);
  });

  it('get events lists it once, with LAST SEEN "(xN over T)", and -o json with its count', async () => {
    const table = await t.berth('get', 'events');
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.split('\n').filter((l) => l.includes('pod/notready') && l.includes('statuscode: 404'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^\S+ \(x\d+ over \S+\)\s+Warning\s+Unhealthy\s+pod\/notready\s+Readiness probe failed: HTTP probe failed with statuscode: 404 \(container web\)$/);
    const json = await t.berth('get', 'events', '-o', 'json');
    expect(json.code, json.stderr).toBe(0);
    const items = (JSON.parse(json.stdout) as { items: Array<{ involvedObject: { name: string }; reason: string; count: number; message: string }> }).items;
    const mine = items.filter((e) => e.involvedObject.name === 'notready' && e.reason === 'Unhealthy' && NOT_FOUND.test(e.message));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.count).toBeGreaterThanOrEqual(5);
  });

  it('a tcpSocket readiness failure is reported the same way', async () => {
    const event = await eventually('failed tcp readiness attempts of closed', async () => {
      const found = failure(await eventsOf('closed'), CLOSED);
      return (found?.count ?? 0) >= 2 && found;
    }, 60_000);
    expect(event.type).toBe('Warning');
  });

  it('stays bounded: ten more failures add no row, only to the count', async () => {
    const rowsBefore = unhealthy(await eventsOf('notready'));
    const before = failure(rowsBefore, NOT_FOUND)!.count;
    await eventually('ten more failed attempts', async () => (failure(await eventsOf('notready'), NOT_FOUND)?.count ?? 0) >= before + 10, 120_000);
    // Ten more failures, not one more row: the same rows (one per distinct message), counted.
    const rowsAfter = unhealthy(await eventsOf('notready'));
    expect(rowsAfter.map((e) => e.message)).toEqual(rowsBefore.map((e) => e.message));
    expect(rowsAfter.length).toBeLessThanOrEqual(2);
    const all = (await d.api('/api/v1/events?limit=10000')).body as { items: ApiEvent[] };
    // Every pod that fails its probe has its rows; none more than the distinct messages it saw.
    const probeRows = all.items.filter((e) => e.reason === 'Unhealthy');
    expect([...new Set(probeRows.map((e) => e.object))].sort()).toEqual(['Pod/default/closed', 'Pod/default/later', 'Pod/default/notready']);
    expect(probeRows.length).toBeLessThanOrEqual(6);
  });

  it('a pod that becomes Ready stops adding failures: the event stays as history, describe shows Ready', async () => {
    await eventually('failed exec readiness attempts of later', async () => (failure(await eventsOf('later'), NO_FILE)?.count ?? 0) >= 2, 60_000);
    const container = (await t.containers()).find((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.name'] === 'later');
    expect(container).toBeDefined();
    expect((await execIn(t.docker, container!.Id, ['touch', '/tmp/ready'])).code).toBe(0);
    await eventually('later Ready', async () => {
      const r = await t.berth('get', 'pod', 'later', '-o', 'json');
      const p = JSON.parse(r.stdout) as { status: { conditions: Array<{ type: string; status: string }> } };
      return p.status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
    }, 60_000);
    const settled = failure(await eventsOf('later'), NO_FILE)!.count;
    // notready fails every second meanwhile: five more of its failures prove probes ran on.
    const notready = failure(await eventsOf('notready'), NOT_FOUND)!.count;
    await eventually('five more notready failures', async () => (failure(await eventsOf('notready'), NOT_FOUND)?.count ?? 0) >= notready + 5, 60_000);
    expect(failure(await eventsOf('later'), NO_FILE)!.count).toBe(settled);
    const described = await t.berth('describe', 'pod', 'later');
    expect(described.stdout).toMatch(/^\s+Ready:\s+True$/m);
    expect(described.stdout).toMatch(/^\s+Ready\s+True$/m);
  });
});
