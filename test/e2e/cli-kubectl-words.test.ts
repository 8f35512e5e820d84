import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './cli-support.js';
import { harness } from './cli-support.js';
import { processAlive } from '../../src/cli/process-alive.js';
import { systemClock } from '../../src/runtime/clock.js';
import { openStore } from '../../src/runtime/store/index.js';

/**
 * Issue 17 against the real engine, with the store as the whole fixture (nothing runs on
 * Docker): a missing object is kubectl's NotFound without "from server", exit 1, the same for
 * every verb; an empty `get` names the other app of the state dir that has objects there.
 */
let h: Harness;
let other: string;

beforeAll(async () => {
  h = await harness('words');
  other = `${h.app}-qs`;
  // Another app of the same state dir, as `berth apply --app <other>` leaves its inventory.
  const store = openStore({ isProcessAlive: processAlive, dir: h.stateDir, clock: systemClock });
  try {
    for (const name of ['a', 'b', 'c']) {
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'kc' }, data: {} };
      store.upsertInventory(other, { key: `ConfigMap/kc/${name}`, kind: 'ConfigMap', namespace: 'kc', name, specHash: name, object: object as never }, { sourceRevision: 'a'.repeat(40) });
    }
  } finally {
    store.close();
  }
});

afterAll(async () => {
  await h?.cleanup();
});

describe('NotFound: the same words and exit 1 for every verb', () => {
  it.each([
    [['get', 'deploy', 'nope'], 'Error (NotFound): deployments.apps "nope" not found\n'],
    [['describe', 'deploy', 'nope'], 'Error (NotFound): deployments.apps "nope" not found\n'],
    [['delete', 'deploy', 'nope'], 'Error (NotFound): deployments.apps "nope" not found\n'],
    [['logs', 'nope'], 'Error (NotFound): pods "nope" not found\n'],
    [['exec', 'nope', '--', 'true'], 'Error (NotFound): pods "nope" not found\n'],
  ])('%j', async (argv, stderr) => {
    expect(await h.berth(argv)).toEqual({ code: 1, stdout: '', stderr });
  });

  it.each([[['get', 'deploy', 'nope', '--ignore-not-found']], [['delete', 'deploy', 'nope', '--ignore-not-found']]])('%j exits 0 silently', async (argv) => {
    expect(await h.berth(argv)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('forgetting --app', () => {
  it('an empty get names the app that has objects in the namespace, exit 0', async () => {
    expect(await h.berth(['get', 'cm', '-n', 'kc'])).toEqual({ code: 0, stdout: '', stderr: `No resources found in kc namespace for app ${h.app}; app ${other} has objects there: 3 ConfigMaps; use --app ${other} or BERTH_APP\n` });
    expect(await h.berth(['get', 'pods', '-n', 'kc'])).toEqual({ code: 0, stdout: '', stderr: `No resources found in kc namespace for app ${h.app}; app ${other} has objects there: 3 ConfigMaps; use --app ${other} or BERTH_APP\n` });
  });

  it('no hint where no other app has anything, nor with the right app', async () => {
    expect(await h.berth(['get', 'cm', '-n', 'elsewhere'])).toEqual({ code: 0, stdout: '', stderr: 'No resources found in elsewhere namespace.\n' });
    expect(await h.berth(['get', 'cm', '-n', 'kc', '-o', 'name', '--app', other])).toEqual({ code: 0, stdout: 'configmap/a\nconfigmap/b\nconfigmap/c\n', stderr: '' });
  });
});

describe('apply --dry-run lines read as kubectl', () => {
  const cm = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {key: ${value}}\n`;
  const lines = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('configmap/'));

  it('created, unchanged and configured (dry run); =server says server dry run; nothing is applied', async () => {
    const file = await h.write('cm.yaml', cm('one'));
    const created = await h.berth(['apply', '-f', file, '--dry-run']);
    expect({ code: created.code, lines: lines(created.stdout) }, created.stderr).toEqual({ code: 0, lines: ['configmap/cfg created (dry run)'] });
    const server = await h.berth(['apply', '-f', file, '--dry-run=server']);
    expect({ code: server.code, lines: lines(server.stdout) }, server.stderr).toEqual({ code: 0, lines: ['configmap/cfg created (server dry run)'] });
    expect((await h.berth(['get', 'cm', 'cfg'])).code).toBe(1);
    const applied = await h.berth(['apply', '-f', file, '--dry-run=none']);
    expect({ code: applied.code, lines: lines(applied.stdout) }, applied.stderr).toEqual({ code: 0, lines: ['configmap/cfg created'] });
    const unchanged = await h.berth(['apply', '-f', file, '--dry-run=client']);
    expect(lines(unchanged.stdout)).toEqual(['configmap/cfg unchanged (dry run)']);
    await h.write('cm.yaml', cm('two'));
    const configured = await h.berth(['apply', '-f', file, '--dry-run']);
    expect(lines(configured.stdout)).toEqual(['configmap/cfg configured (dry run)']);
  });
});
