import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 17, a newcomer's trial on the real engine: one file applied into an app that a directory
 * made. It is validated against the app (a Pod may use a ConfigMap applied before, the namespace
 * is not new), it leaves `rollout undo`'s pin on an object it does not change, and a manifest
 * saved from `get -o yaml` applies `unchanged`.
 */
let t: E2eApp;
let image: string;
let extra: string;

const deployment = (version: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: trial}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
        - name: main
          image: ${image}
          command: ["sleep", "100000"]
          env: [{name: VERSION, value: "${version}"}]
`;
const settings = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: trial}
data: {mode: "on"}
`;
const pod = (name: string, envFrom = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: trial}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: main
      image: ${image}
      command: ["sleep", "100000"]${envFrom}
`;

/** A file outside the applied directory (the harness's `write` replaces the directory). */
async function file(name: string, content: string): Promise<string> {
  const path = join(extra, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** The VERSION the Deployment's template runs, as `get` shows the live object. */
async function version(): Promise<string> {
  const r = await t.berth('get', 'deploy', 'web', '-n', 'trial', '-o', 'jsonpath={.spec.template.spec.containers[0].env[0].value}');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  t = await createE2eApp('habits');
  extra = join(dirname(t.dir), 'extra');
  image = await ensureBusyboxImage(t.docker);
  await t.write({ 'web.yaml': deployment('v1'), 'settings.yaml': settings });
  const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await t?.cleanup();
});

describe('apply -f of one file into an app a directory made', () => {
  it('a manifest saved from get -o yaml applies unchanged, and diff shows nothing', async () => {
    const got = await t.berth('get', 'deploy', 'web', '-n', 'trial', '-o', 'yaml');
    expect(got.code, got.stderr).toBe(0);
    // What makes it a round trip: the server's fields are in it.
    expect(got.stdout).toContain('berth.dev/source-revision');
    expect(got.stdout).toContain('status:');
    const saved = await file('web-roundtrip.yaml', got.stdout);
    const diff = await t.berth('diff', '-f', saved, '-o', 'json');
    expect(diff.code, diff.stderr).toBe(0);
    expect((JSON.parse(diff.stdout) as { changes: unknown[] }).changes).toEqual([]);
    const r = await t.berth('apply', '-f', saved);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'deployment.apps/web unchanged\n', stderr: '' });
  }, 120_000);

  it('rollout undo pins web; an apply -f of an unrelated Pod keeps the pin', async () => {
    await t.write({ 'web.yaml': deployment('v2'), 'settings.yaml': settings });
    const v2 = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
    expect(v2.code, v2.stderr).toBe(0);
    expect(await version()).toBe('v2');
    const undo = await t.berth('rollout', 'undo', 'deploy/web', '-n', 'trial', '--wait', '--timeout', '90s');
    expect(undo.code, undo.stderr).toBe(0);
    expect(await version()).toBe('v1');

    const m4 = await t.berth('apply', '-f', await file('m4.yaml', pod('m4')), '--wait', '--timeout', '90s');
    expect(m4.code, m4.stderr).toBe(0);
    expect(m4.stdout).toMatch(/^pod\/m4 created/);
    expect(m4.stdout).not.toMatch(/deployment/);
    expect(await version()).toBe('v1');
    const events = await t.berth('events', '-n', 'trial');
    expect(events.code, events.stderr).toBe(0);
    expect(events.stdout).not.toContain('PinLifted');
    const status = await t.berth('rollout', 'status', 'deploy/web', '-n', 'trial', '--timeout', '30s');
    expect(status.stdout).toMatch(/pinned to revision \d+ by rollout undo/);

    // The source changing web itself is what lifts the pin.
    await t.write({ 'web.yaml': deployment('v3'), 'settings.yaml': settings });
    const v3 = await t.berth('apply', '-f', join(t.dir, 'web.yaml'), '--wait', '--timeout', '90s');
    expect(v3.code, v3.stderr).toBe(0);
    expect(await version()).toBe('v3');
  }, 360_000);

  it('a Pod using the ConfigMap an earlier apply made applies, with no namespace warning', async () => {
    const m3 = await file('m3.yaml', pod('m3', '\n      envFrom: [{configMapRef: {name: settings}}]'));
    // diff -f sees it as apply does: valid, one object to create (exit 1: differences).
    const diff = await t.berth('diff', '-f', m3);
    expect({ code: diff.code, stderr: diff.stderr }).toEqual({ code: 1, stderr: '' });
    const r = await t.berth('apply', '-f', m3, '--wait', '--timeout', '90s');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pod\/m3 created/);
    expect(r.stderr).not.toMatch(/namespace|not defined|error/);
    const listed = await t.berth('get', 'pods', '-n', 'trial', '-o', 'name');
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['pod/m3', 'pod/m4']));
  }, 120_000);
});
