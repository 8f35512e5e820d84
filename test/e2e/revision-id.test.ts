import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { runCli } from '../support/cli.js';
import { converged, eventually, killDaemons, startDaemon, status } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';

/**
 * Issue 12: the same folder is one revision in every entry point, through the real commands
 * and a real daemon. `apply -f DIR` and `diff -f DIR` used to hash the paths with the argument
 * in front, so a folder applied by hand and then watched by the daemon (or pinned under one
 * and diffed under the other) was two revisions.
 */
const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: "1"}\n`;

let t: E2eApp;
let cwd: string;
/** `berth …` run from the folder's parent, naming the folder relative to it, as a user would. */
const berth = (...args: string[]) => runCli([...args, '--app', t.app, '--state-dir', t.stateDir], { cwd });

beforeAll(async () => {
  t = await createE2eApp('revision-id');
  cwd = dirname(t.dir);
  await t.write({ 'settings.yaml': CM('settings'), 'more/extra.yaml': CM('extra') });
});
afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
});

describe('one revision id for a folder in every entry point (real Docker)', () => {
  it('apply --dry-run, diff -f, diff --from/--to, apply and the daemon agree', async () => {
    const id = (await readPath(t.dir)).id;

    const dryRun = await berth('apply', '--dry-run', '-f', 'manifests/', '-o', 'json');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect((JSON.parse(dryRun.stdout) as { revision: { id: string } }).revision.id).toBe(id);

    const live = await berth('diff', '-f', './manifests', '-o', 'json');
    expect(live.stderr).toBe('');
    expect((JSON.parse(live.stdout) as { to: { id: string } }).to.id).toBe(id);

    const offline = await berth('diff', '--from-dir', 'manifests', '--to-dir', t.dir, '-o', 'json');
    expect(offline.code, offline.stderr).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ from: { id }, to: { id } });

    const applied = await berth('apply', '-f', 'manifests', '-o', 'json');
    expect(applied.code, applied.stderr).toBe(0);
    expect((JSON.parse(applied.stdout) as { revision: { id: string } }).revision.id).toBe(id);

    // The daemon watching the folder finds it already applied under the same id.
    const d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    // The CLI's apply already recorded the revision as applied and synced: wait for the daemon's own first fetch too.
    await converged(d, id);
    const s = await eventually('the daemon read the folder', async () => ((await status(d)).source.revision === id ? status(d) : undefined));
    expect({ source: s.source.revision, applied: s.sync.appliedRevision }).toEqual({ source: id, applied: id });
    expect((await status(d)).sync.appliedRevision).toBe(id);
    // Each object says it came from that revision (its inventory entry), as the API's status does.
    const got = await berth('get', 'cm', '-o', 'json');
    const items = (JSON.parse(got.stdout) as { items: Array<{ metadata: { annotations?: Record<string, string> } }> }).items;
    expect(items.map((i) => i.metadata.annotations?.['berth.dev/source-revision'])).toEqual([id, id]);

    // diff -f while the daemon runs: last applied and the folder are one revision, nothing changes.
    const after = await berth('diff', '-f', 'manifests', '-o', 'json');
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({ from: { id }, to: { id } });

    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});
