import { readdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPath } from '../../src/sources/folder.js';
import { converged, eventually, killDaemons, startDaemon, status } from './support/daemon.js';
import { createE2eApp, type E2eApp } from './support/harness.js';

/**
 * SPEC §8, "folder sources never follow a link out of the root", against a real daemon and
 * Docker: a symlink to a host file added to the watched folder makes the revision invalid with a
 * problem naming the link; the host file's content reaches neither the status, the events, the
 * logs, the store nor `apply -f`, and the last good revision keeps running.
 */
const MARKER = 'HOST-FILE-MARKER-e2e-4b7d';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';

let t: E2eApp;
afterAll(async () => {
  await killDaemons();
  await t?.cleanup();
});

async function storeBytes(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push((await readFile(join(e.parentPath, e.name))).toString('latin1'));
  }
  return out.join('\n');
}

describe('daemon --watch with a symlink out of the folder', () => {
  it('refuses the revision by the link’s name and never shows the host file', async () => {
    t = await createE2eApp('watch-links');
    const outside = join(dirname(t.dir), 'host-secret.yaml');
    await t.write({ 'cm.yaml': CM });
    // A plain scalar: read as a document, it used to come back as "document is a string (…)".
    await import('node:fs/promises').then((fs) => fs.writeFile(outside, `${MARKER}\n`));
    const good = (await readPath(t.dir)).id;
    const d = await startDaemon(['--watch', t.dir, '--app', t.app, '--state-dir', t.stateDir, '--resync', '1h']);
    await converged(d, good);

    await symlink(outside, join(t.dir, 'leak.yaml'));
    await symlink(dirname(t.dir), join(t.dir, 'parent'));
    const s = await eventually('the linked revision refused', async () => {
      const st = await status(d);
      return st.sync.lastError?.problems.some((p) => p.file === 'leak.yaml') ? st : undefined;
    }, 30_000, 100);
    expect(s.sync.appliedRevision).toBe(good);
    expect(s.sync.lastError?.problems.map((p) => [p.file, p.severity])).toEqual([
      ['leak.yaml', 'error'],
      ['parent', 'error'],
    ]);
    expect(s.sync.lastError?.problems[0]?.message).toContain('points outside the manifest folder');

    const events = await d.api('/api/v1/events');
    const revisions = await d.api('/api/v1/revisions');
    const seen = [JSON.stringify(await status(d)), events.text, revisions.text, JSON.stringify(d.logs), d.text(), await storeBytes(t.stateDir)].join('\n');
    expect(seen).not.toContain(MARKER);
    expect(seen).not.toContain(outside);

    const applied = await t.berth('apply', '-f', t.dir, '--dry-run');
    expect(applied.code).toBe(2);
    expect(applied.stdout + applied.stderr).not.toContain(MARKER);
    expect(applied.stderr).toContain('leak.yaml: error: this symlink points outside the manifest folder');

    d.kill('SIGTERM');
    expect((await d.exited).code).toBe(0);
  });
});
