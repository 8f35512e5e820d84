import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage } from './support/busybox-image.js';
import type { E2eApp } from './support/harness.js';
import { createE2eApp } from './support/harness.js';

/**
 * Issue 17 on the real engine: a context (`berth config`) stands in for --app, -n and
 * --state-dir on every command; a flag or variable still wins over it.
 */
let t: E2eApp;
let configDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createE2eApp('context');
  configDir = await mkdtemp(join(tmpdir(), 'berth-context-config-'));
  env = { BERTH_CONFIG: join(configDir, 'config') };
  const image = await ensureBusyboxImage(t.docker);
  await t.write({
    'pod.yaml': `apiVersion: v1
kind: Namespace
metadata: {name: kc}
---
apiVersion: v1
kind: Pod
metadata: {name: solo, namespace: kc}
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - {name: main, image: ${image}, command: ["sleep", "100000"]}
`,
  });
}, 120_000);

afterAll(async () => {
  await t?.cleanup();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('berth config contexts', () => {
  it('set-context --current --namespace kc (and the app and state dir): get pods lists kc without a flag', async () => {
    expect((await runCli(['config', 'set-context', '--current', '--namespace', 'kc', '--app', t.app, '--state-dir', t.stateDir], { env })).code).toBe(0);
    const applied = await runCli(['apply', '-f', t.dir, '--wait', '--timeout', '90s'], { env });
    expect(applied.code, applied.stderr).toBe(0);
    const pods = await runCli(['get', 'pods', '-o', 'name'], { env });
    expect({ code: pods.code, stdout: pods.stdout }, pods.stderr).toEqual({ code: 0, stdout: 'pod/solo\n' });
    // The flag and the variable win over the context.
    expect((await runCli(['get', 'pods', '-n', 'default'], { env })).stderr).toContain('No resources found in default namespace.\n');
    expect((await runCli(['get', 'pods'], { env: { ...env, BERTH_NAMESPACE: 'default' } })).stderr).toContain('No resources found in default namespace.\n');
  });
});
