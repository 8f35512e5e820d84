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
      'app/leak.yaml: error: this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, point it at a file inside the folder, or list it in .berthignore',
      'app/more: error: this symlink points outside the manifest folder, and berth does not follow links out of it; replace the link with the file, point it at a file inside the folder, or list it in .berthignore',
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

/** Any byte a terminal acts on, other than the newline and tab of berth's own layout. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const HOSTILE = '\\e]0;pwned\\a\\e[2J\\x9b31m\\r';

describe('terminal control bytes from input are escaped at the print boundary', () => {
  const badPod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: "web${HOSTILE}"\nspec:\n  containers:\n    - {name: c, image: "nginx${HOSTILE}"}\n`;

  it.each([['text'], ['github']])('validate -o %s prints no raw control byte', async (format) => {
    await files({ 'app/pod.yaml': badPod, 'app/doc.yaml': `"${HOSTILE}"\n` });
    const r = await runCli(['validate', 'app', '-o', format], { cwd: root });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toContain('\\u001b]0;pwned');
  });

  it('berth’s own colours still work around escaped data', async () => {
    await files({ 'app/doc.yaml': `"${HOSTILE}"\n` });
    const r = await runCli(['validate', 'app'], { cwd: root, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.stdout.startsWith('\u001b[1mapp/doc.yaml:1:1\u001b[0m: \u001b[31merror\u001b[0m: document is a string ("\\u001b]0;pwned\\u0007')).toBe(true);
    expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
  });

  it('a file name with escape sequences is escaped too', async () => {
    await files({ [`app/x\u001b]0;t\u0007.yaml`]: 'just text\n' });
    const r = await runCli(['validate', 'app'], { cwd: root });
    expect(r.stdout).toContain('app/x\\u001b]0;t\\u0007.yaml:1:1: error');
    expect(r.stdout).not.toMatch(CONTROL);
  });

  it('JSON output escapes C1 controls and stays the same JSON', async () => {
    await files({ 'app/doc.yaml': '"a\\x9bb"\n' });
    const r = await runCli(['validate', 'app', '-o', 'json'], { cwd: root });
    expect(r.stdout).not.toMatch(CONTROL);
    expect(JSON.parse(r.stdout).problems[0].message).toBe('document is a string ("a\\u009bb"), not a Kubernetes object with apiVersion and kind');
  });

  it('an offline diff prints values from manifests escaped, in colour or not', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: "${v}"}\n`;
    await files({ 'a/cm.yaml': cm('one'), 'b/cm.yaml': cm(`two${HOSTILE}`) });
    for (const env of [{}, { NO_COLOR: undefined, FORCE_COLOR: '1' }]) {
      const r = await runCli(['diff', '--from', 'a', '--to', 'b'], { cwd: root, env });
      expect(r.code).toBe(1);
      expect(r.stdout.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
      expect(r.stdout).toContain('\\u001b]0;pwned');
    }
    const md = await runCli(['diff', '--from', 'a', '--to', 'b', '-o', 'markdown'], { cwd: root });
    expect(md.stdout).not.toMatch(CONTROL);
  });
});
