import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRUNE_NEEDS_SCOPE } from '../../src/cli/prune-flags.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 17 on the real engine: `apply -f one-file.yaml` is additive (the app's other objects
 * keep running and are not named); `--prune` must say what it may delete (`--all`, `-l`,
 * `--prune-allowlist`), and alone exits 2 deleting nothing.
 */
let t: E2eApp;
let image: string;

const pod = (name: string, app: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: ${app}}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - {name: main, image: ${image}, command: ["sleep", "100000"]}
`;
const configMap = (name: string, app: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, labels: {app: ${app}}}
data: {key: ${name}}
`;
const files = () => ({ 'a.yaml': pod('a', 'web'), 'b.yaml': pod('b', 'web'), 'c.yaml': configMap('c', 'cfg') });

/** The app's objects as `get -o name` lists them, and the running pod containers by pod name. */
async function state(): Promise<{ objects: string[]; running: string[] }> {
  const got = await t.berth('get', 'pods,configmaps', '-o', 'name');
  expect(got.code, got.stderr).toBe(0);
  const containers = await t.containers();
  const running = containers.filter((c) => c.Labels['berth.role'] === 'container' && c.State === 'running').map((c) => c.Labels['berth.name'] ?? '');
  return { objects: got.stdout.split('\n').filter(Boolean).sort(), running: [...new Set(running)].sort() };
}

const ALL = { objects: ['configmap/c', 'pod/a', 'pod/b'], running: ['a', 'b'] };

beforeAll(async () => {
  t = await createE2eApp('additive');
  image = await ensureBusyboxImage(t.docker);
  await t.write(files());
  const r = await t.berth('apply', '-f', t.dir, '--wait', '--timeout', '90s');
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await t?.cleanup();
});

describe('apply -f is additive; --prune needs --all, -l or --prune-allowlist', () => {
  it('apply -f one file: only its object is named, the others keep running untouched', async () => {
    const before = (await t.containers()).map((c) => c.Id).sort();
    const r = await t.berth('apply', '-f', join(t.dir, 'a.yaml'));
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'pod/a unchanged\n', stderr: '' });
    expect(await state()).toEqual(ALL);
    expect((await t.containers()).map((c) => c.Id).sort()).toEqual(before);
  });

  it('apply -f one file --prune: exit 2 with kubectl’s words, nothing deleted', async () => {
    const r = await t.berth('apply', '-f', join(t.dir, 'a.yaml'), '--prune');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: ${PRUNE_NEEDS_SCOPE}\n`);
    expect(r.stderr).toContain('hint: apply -f is additive and never deletes');
    expect(await state()).toEqual(ALL);
  });

  it('--prune -l app=web: only what the selector holds goes (dry run first, which deletes nothing)', async () => {
    const dry = await t.berth('apply', '-f', join(t.dir, 'a.yaml'), '--prune', '-l', 'app=web', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.split('\n').filter((l) => /^(pod|configmap)\//.test(l))).toEqual(['pod/a unchanged (dry run)', 'pod/b pruned (dry run)']);
    expect(await state()).toEqual(ALL);

    const r = await t.berth('apply', '-f', join(t.dir, 'a.yaml'), '--prune', '-l', 'app=web');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pod\/b pruned$/m);
    expect(r.stdout).not.toMatch(/configmap\/c/);
    expect(await state()).toEqual({ objects: ['configmap/c', 'pod/a'], running: ['a'] });
  });

  it('--prune --prune-allowlist core/v1/ConfigMap: only ConfigMaps go', async () => {
    expect((await t.berth('apply', '-f', join(t.dir, 'b.yaml'), '--wait', '--timeout', '60s')).code).toBe(0);
    const r = await t.berth('apply', '-f', join(t.dir, 'a.yaml'), '--prune', '--prune-allowlist', 'core/v1/ConfigMap');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^configmap\/c pruned$/m);
    expect(await state()).toEqual({ objects: ['pod/a', 'pod/b'], running: ['a', 'b'] });
  });

  it('--prune --all on the directory minus one object deletes just that one', async () => {
    expect((await t.berth('apply', '-f', t.dir)).code).toBe(0);
    expect(await state()).toEqual(ALL);
    const { 'b.yaml': _dropped, ...rest } = files();
    await t.write(rest);
    const r = await t.berth('apply', '-f', t.dir, '--prune', '--all');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^(pod|configmap)\//.test(l)).sort()).toEqual(['configmap/c unchanged', 'pod/a unchanged', 'pod/b pruned']);
    expect(await state()).toEqual({ objects: ['configmap/c', 'pod/a'], running: ['a'] });
  });
});
