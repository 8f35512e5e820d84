import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { converged, eventually, killDaemons, startDaemon, status, type DaemonProcess } from './support/daemon.js';
import { createE2eApp, podNames, type E2eApp } from './support/harness.js';

/**
 * `berth daemon --watch overlays/a` in a Git work tree (issue 15): the overlay's base lies outside
 * the watched folder, and editing it alone (`../../base`) is a new revision the daemon applies.
 */
const base = (color: string) => `resources:
  - deploy.yaml
configMapGenerator:
  - name: web-config
    literals: [COLOR=${color}]
`;
const FILES: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'base/kustomization.yaml': base('blue'),
  'base/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: berth-examples/web:1.0
          envFrom:
            - configMapRef: {name: web-config}
`,
  'overlays/a/kustomization.yaml': 'namePrefix: a-\nresources:\n  - ../../base\n',
};

let t: E2eApp;
let daemon: DaemonProcess;
const overlay = () => join(t.dir, 'overlays/a');

async function colors(): Promise<string[]> {
  const running = (await t.containers()).filter((c) => c.Labels['berth.role'] === 'container' && c.Labels['berth.controller'] === 'Deployment/default/a-web' && c.State === 'running');
  return (await Promise.all(running.map(async (c) => ((await t.docker.getContainer(c.Id).inspect()).Config.Env ?? []).find((e) => e.startsWith('COLOR=')) ?? ''))).sort();
}

beforeAll(async () => {
  t = await createE2eApp('daemon-watch-kustomize');
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(dirname(join(t.dir, path)), { recursive: true });
    await writeFile(join(t.dir, path), content);
  }
  daemon = await startDaemon(['--watch', overlay(), '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
});

afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
});

describe('berth daemon --watch on a kustomize overlay', () => {
  it('applies the overlay, then follows an edit of its base outside the watched folder', async () => {
    const first = (await readPath(overlay())).id;
    await converged(daemon, first);
    expect(podNames(await t.containers(), 'Deployment/default/a-web')).toHaveLength(1);
    expect(await colors()).toEqual(['COLOR=blue']);

    await writeFile(join(t.dir, 'base/kustomization.yaml'), base('green'));
    const second = await eventually('a new revision from the base edit', async () => {
      const id = (await readPath(overlay())).id;
      return id !== first && (await status(daemon)).source.revision === id ? id : undefined;
    });
    await converged(daemon, second);
    await eventually('the rolled pod running', async () => (await colors()).join() === 'COLOR=green');
  });
});
