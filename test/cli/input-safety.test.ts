import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

/**
 * SPEC §8 at the CLI: what a manifest folder holds cannot make berth print a host file, and
 * nothing from a manifest reaches the terminal as a control sequence.
 */
const MARKER = 'HOST-FILE-MARKER-cli-91c2';
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-input-safety-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(map: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(map)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('a symlink in a manifest folder pointing at a host file', () => {
  beforeEach(async () => {
    // A plain scalar: read as a document, the old reader printed it back as "document is a string (…)".
    await files({ 'host/secret.yaml': `${MARKER}\n`, 'host/dir/cm.yaml': `${MARKER}: [\n`, 'app/cm.yaml': CONFIGMAP, 'base/cm.yaml': CONFIGMAP });
    await symlink(join(root, 'host', 'secret.yaml'), join(root, 'app', 'leak.yaml'));
    await symlink('../host/dir', join(root, 'app', 'more'));
  });

  it.each([['text'], ['json'], ['github']])('validate -o %s reports the links by name and never prints the file', async (format) => {
    const r = await runCli(['validate', 'app', '-o', format], { cwd: root });
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).not.toContain(MARKER);
    expect(out).not.toContain(join(root, 'host'));
    expect(out).toContain(format === 'text' ? 'this symlink points outside the manifest folder' : 'symlink-outside-root');
    expect(out).toMatch(/leak\.yaml/);
    expect(out).toMatch(/app\/more/);
  });

  it('validate text names the file and what to do', async () => {
    const r = await runCli(['validate', 'app'], { cwd: root });
    expect(r.stdout.split('\n').filter((l) => l.includes('symlink'))).toEqual([
      'app/leak.yaml: error: this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, or point it at a file inside the folder',
      'app/more: error: this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, or point it at a file inside the folder',
    ]);
  });

  it('an offline diff between folders refuses the side with the link and never prints the file', async () => {
    const r = await runCli(['diff', '--from', 'base', '--to', 'app'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toContain(MARKER);
    expect(r.stderr).toContain('leak.yaml: error: this symlink points outside the manifest folder');
  });

  it('a file named on the command line is the user’s choice and is read through its link', async () => {
    await symlink(join(root, 'host', 'secret.yaml'), join(root, 'mine.yaml'));
    const r = await runCli(['validate', 'mine.yaml', '-o', 'json'], { cwd: root });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).problems.map((p: { code: string }) => p.code)).toEqual(['not-an-object']);
  });
});
