import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { DaemonProcess } from './support/daemon.js';
import { eventually, killDaemons, startDaemon } from './support/daemon.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Events as kubectl shows them (issue 17), on the real engine: a NodePort Service in front of a
 * Deployment that is scaled and rolled; `describe svc` showed every endpoints update twice (the
 * proxy and the host fast path each recorded it). Then a daemon probes a pod that never gets
 * ready: its Unhealthy events are one row counted `(xN over T)`, and `--for`, `--types` and
 * `--field-selector` choose rows as kubectl's do.
 */
let t: E2eApp;
let image: string;
let d: DaemonProcess | undefined;

const web = (replicas: number, greeting: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: IMAGE
        command: [sh, -c, "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
        env: [{name: GREETING, value: "${greeting}"}]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
const flaky = `apiVersion: v1
kind: Pod
metadata: {name: flaky}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: IMAGE
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: ["false"]}, periodSeconds: 1}
`;

async function applyWait(files: Record<string, string>): Promise<void> {
  await t.write(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.replaceAll('IMAGE', image)])));
  const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '120s');
  expect(r.code, r.stderr + r.stdout).toBe(0);
}

/** The rows of the Events section of a describe: [type, reason, age, from, message]. */
function eventRows(described: string): string[][] {
  const at = described.indexOf('\nEvents:\n');
  if (at < 0) return [];
  return described
    .slice(at)
    .split('\n')
    .filter((l) => /^ {2}(Normal|Warning) /.test(l))
    .map((l) => l.trim().split(/\s{2,}/));
}

/** The rows of a `get events`/`events` table, by column name. */
function tableRows(out: string): Array<Record<string, string>> {
  const [header, ...lines] = out.trimEnd().split('\n');
  const starts = [...header!.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines.map((l) => Object.fromEntries(starts.map((s, i) => [s.name, l.slice(s.at, starts[i + 1]?.at ?? l.length).trim()])));
}

beforeAll(async () => {
  t = await createE2eApp('kcevents');
  image = await ensureBusyboxImage(t.docker);
}, 120_000);

afterAll(async () => {
  await killDaemons();
  if (t) await t.cleanup();
});

describe('events as kubectl shows them', () => {
  it('describe svc shows each endpoints update once, after a scale and a rollout', async () => {
    await applyWait({ 'web.yaml': web(2, 'hello') });
    await applyWait({ 'web.yaml': web(3, 'hello') });
    await applyWait({ 'web.yaml': web(3, 'bonjour') });
    const r = await t.berth('describe', 'svc', 'web');
    expect(r.code, r.stderr).toBe(0);
    const rows = eventRows(r.stdout);
    const updates = rows.filter((row) => row[1] === 'EndpointsUpdated');
    // Each update once (the proxy and the host fast path took it together), worded by what it serves.
    const said = rows.map((row) => `${row[0]} ${row[1]} ${row.slice(4).join(' ')}`);
    expect(new Set(said).size, r.stdout).toBe(said.length);
    for (const row of updates) expect(row[4], r.stdout).toMatch(/^update endpoints of service default\/web: (\d+|none) ready$/);
    // The rollout replaced three pods one by one, the same states over and over: counted rows, not a row per pod.
    expect(updates.some((row) => /\(x\d+ over \S+\)/.test(row[2]!)), r.stdout).toBe(true);
    // Created (proxy, host fast path) and a few counted states: kubectl-like brevity, where it printed ~55 lines.
    expect(rows.length, r.stdout).toBeLessThanOrEqual(8);
  }, 300_000);

  it('--for deployment/web lists the Deployment events only, in events and get events', async () => {
    for (const args of [['events', '--for', 'deployment/web'], ['get', 'events', '--for', 'deploy/web'], ['get', 'ev', '--field-selector', 'involvedObject.kind=Deployment,involvedObject.name=web']]) {
      const r = await t.berth(...args);
      expect(r.code, r.stderr).toBe(0);
      const rows = tableRows(r.stdout);
      expect(Object.keys(rows[0] ?? {}), r.stdout).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      expect(rows.length, r.stdout).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.OBJECT))).toEqual(new Set(['deployment/web']));
      expect(rows.map((row) => row.REASON)).toContain('SuccessfulCreate');
    }
    const none = await t.berth('events', '--for', 'pod/nothing-here');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No events found in default namespace.');
  });

  it('repeated Unhealthy is one row (xN over T) in get events, events and describe; --types and --field-selector choose', async () => {
    await t.write({ 'web.yaml': web(3, 'bonjour').replaceAll('IMAGE', image), 'flaky.yaml': flaky.replaceAll('IMAGE', image) });
    d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir]);
    const counted = /^\S+ \(x(\d+) over \S+\)$/;
    const rowsOf = async (...args: string[]) => {
      const r = await t.berth(...args);
      expect(r.code, r.stderr).toBe(0);
      return tableRows(r.stdout);
    };
    await eventually('flaky Unhealthy counted three times', async () => {
      const rows = (await rowsOf('get', 'events', '--for', 'pod/flaky')).filter((row) => row.REASON === 'Unhealthy');
      return rows.length === 1 && Number(counted.exec(rows[0]!['LAST SEEN']!)?.[1] ?? 0) >= 3;
    }, 120_000);

    const warnings = await rowsOf('events', '--types', 'Warning');
    expect(warnings.length).toBeGreaterThan(0);
    expect(new Set(warnings.map((row) => row.TYPE))).toEqual(new Set(['Warning']));
    const unhealthy = warnings.filter((row) => row.OBJECT === 'pod/flaky' && row.REASON === 'Unhealthy');
    expect(unhealthy).toHaveLength(1);
    expect(unhealthy[0]!['LAST SEEN']).toMatch(counted);
    expect(unhealthy[0]!.MESSAGE).toMatch(/^Readiness probe failed: /);

    const selected = await rowsOf('get', 'events', '--field-selector', 'involvedObject.name=flaky,type=Warning');
    expect(selected.map((row) => `${row.OBJECT} ${row.REASON}`)).toEqual(['pod/flaky Unhealthy']);

    const described = await t.berth('describe', 'pod', 'flaky');
    const rows = eventRows(described.stdout);
    expect(rows.filter((row) => row[1] === 'Unhealthy'), described.stdout).toHaveLength(1);
    expect(rows.find((row) => row[1] === 'Unhealthy')![2]).toMatch(/\(x\d+ over \S+\)/);
    // A bare Pod is its own controller: its creation reads once (Started), not twice.
    expect(rows.map((row) => row[1])).not.toContain('SuccessfulCreate');
    expect(rows.filter((row) => row[1] === 'Started')).toHaveLength(1);
  }, 300_000);

  it('flags that cannot mean anything are usage errors', async () => {
    for (const [args, want] of [
      [['get', 'events', '--field-selector', 'spec.nodeName=h'], /"spec.nodeName" is not a known field selector for events/],
      [['events', '--types', 'Error'], /valid --types are Normal or Warning/],
      [['events', '--for', 'web'], /resource\/name form/],
      [['get', 'pods', '--for', 'pod/flaky'], /--for selects events/],
    ] as const) {
      const r = await t.berth(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(want);
    }
  });
});
