import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-kustomize-cli-'));
  await mkdir(join(dir, 'plain'), { recursive: true });
  await writeFile(join(dir, 'plain/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
  await writeFile(join(dir, 'file.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('apply -k and berth kustomize: what they refuse before building', () => {
  it.each([
    { name: 'apply with neither -f nor -k', argv: ['apply'], code: 2, err: 'must specify one of -f and -k' },
    { name: 'apply with both', argv: ['apply', '-f', 'plain', '-k', 'plain'], code: 2, err: 'only one of -f or -k can be specified' },
    { name: 'apply -k on a folder without a kustomization', argv: ['apply', '-k', 'plain'], code: 2, err: "unable to find one of 'kustomization.yaml', 'kustomization.yml', 'Kustomization' in directory 'plain'" },
    { name: 'apply -k on a file', argv: ['apply', '-k', 'file.yaml'], code: 2, err: 'file.yaml is not a directory' },
    { name: 'apply -k on nothing', argv: ['apply', '-k', 'gone'], code: 2, err: 'cannot read gone: no such file or directory' },
    { name: 'kustomize on a folder without a kustomization', argv: ['kustomize', 'plain'], code: 2, err: "in directory 'plain'" },
    { name: 'kustomize build on a folder without a kustomization', argv: ['kustomize', 'build', 'plain'], code: 2, err: "in directory 'plain'" },
    { name: 'kustomize with two directories', argv: ['kustomize', 'plain', 'other'], code: 2, err: 'kustomize takes one directory, got 2' },
  ])('$name', async ({ argv, code, err }) => {
    const run = await runCli(argv, { cwd: dir });
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(err);
    expect(run.stdout).toBe('');
  });
});
