import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblemsGithub, formatProblemsJson, formatProblemsText, formatSummary } from '../../src/cli/output/problems.js';
import { kindInfo } from '../../src/model/kinds.js';
import type { Problem } from '../../src/model/problem.js';
import { runCli } from '../support/cli.js';

const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';
const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.25\n';
/** Two errors (an unknown field, a port out of range) and a warning (an unimplemented field). */
const broken = (name: string) => [
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  `  name: ${name}`,
  'spec:',
  '  nodeSelector: {disk: ssd}',
  '  containers:',
  '    - name: web',
  '      image: nginx:1.25',
  '      imagePolicy: Always',
  '      ports: [{containerPort: 70000}]',
  '',
].join('\n');
const BROKEN = broken('broken');
const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: root\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext: {privileged: true}\n  volumes:\n    - name: h\n      hostPath: {path: /srv/data}\n';
const NETWORK_POLICY = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-validate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(map: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(map)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** `file:line:col: severity: … [path]` lines → their parts, message left out. */
function textLines(stdout: string): string[][] {
  return stdout
    .trimEnd()
    .split('\n')
    .map((l) => {
      const m = /^(.+?):(\d+):(\d+): (error|warning): .+ \[(.+)\]$/.exec(l);
      return m ? m.slice(1) : [l];
    });
}

describe('berth validate', () => {
  it('valid manifests: exit 0 and a summary', async () => {
    await files({ 'app/cm.yaml': CONFIGMAP, 'app/pod.yaml': POD });
    expect(await runCli(['validate', 'app'], { cwd: dir })).toEqual({ code: 0, stdout: '0 errors, 0 warnings; 2 resources valid\n', stderr: '' });
  });

  it('validates the working directory without arguments', async () => {
    await files({ 'cm.yaml': CONFIGMAP });
    expect(await runCli(['validate'], { cwd: dir })).toEqual({ code: 0, stdout: '0 errors, 0 warnings; 1 resource valid\n', stderr: '' });
  });

  it('invalid manifests: exit 1, problems sorted by file and line, paths as given', async () => {
    await files({ 'app/pod.yaml': POD, 'app/z-broken.yaml': broken('z'), 'app/a-broken.yaml': broken('a') });
    const res = await runCli(['validate', './app/'], { cwd: dir });
    expect({ code: res.code, lines: textLines(res.stdout), stderr: res.stderr }).toEqual({
      code: 1,
      lines: [
        ['app/a-broken.yaml', '6', '3', 'warning', 'spec.nodeSelector'],
        ['app/a-broken.yaml', '10', '7', 'error', 'spec.containers[0].imagePolicy'],
        ['app/a-broken.yaml', '11', '31', 'error', 'spec.containers[0].ports[0].containerPort'],
        ['app/z-broken.yaml', '6', '3', 'warning', 'spec.nodeSelector'],
        ['app/z-broken.yaml', '10', '7', 'error', 'spec.containers[0].imagePolicy'],
        ['app/z-broken.yaml', '11', '31', 'error', 'spec.containers[0].ports[0].containerPort'],
        ['4 errors, 2 warnings in 2 files; 1 resource valid'],
      ],
      stderr: '',
    });
  });

  it('-o json: validity, problems, resources and summary', async () => {
    await files({ 'pod.yaml': POD, 'broken.yaml': BROKEN });
    const res = await runCli(['validate', '-o', 'json', '-f', 'pod.yaml', '-f', 'broken.yaml'], { cwd: dir });
    const problem = (line: number, column: number, severity: string, code: string, path: string) => ({ file: 'broken.yaml', line, column, path, severity, code, message: expect.any(String) });
    expect({ code: res.code, json: JSON.parse(res.stdout) }).toEqual({
      code: 1,
      json: {
        valid: false,
        problems: [
          problem(6, 3, 'warning', 'unimplemented-field', 'spec.nodeSelector'),
          problem(10, 7, 'error', 'unknown-field', 'spec.containers[0].imagePolicy'),
          problem(11, 31, 'error', 'invalid-port', 'spec.containers[0].ports[0].containerPort'),
        ],
        resources: [{ key: 'Pod/default/web', file: 'pod.yaml', line: 1 }],
        summary: { errors: 2, warnings: 1, files: 1, resources: 1 },
      },
    });
  });

  it('-o github: workflow annotations, then the summary', async () => {
    await files({ 'broken.yaml': BROKEN });
    const res = await runCli(['validate', 'broken.yaml', '-o', 'github'], { cwd: dir });
    const lines = res.stdout.trimEnd().split('\n');
    expect({ code: res.code, lines: lines.map((l) => /^(::\w+ [^:]+)::/.exec(l)?.[1] ?? l) }).toEqual({
      code: 1,
      lines: [
        '::warning file=broken.yaml,line=6,col=3,title=berth unimplemented-field',
        '::error file=broken.yaml,line=10,col=7,title=berth unknown-field',
        '::error file=broken.yaml,line=11,col=31,title=berth invalid-port',
        '2 errors, 1 warning in 1 file; 0 resources valid',
      ],
    });
  });

  it('reads standard input with -f -', async () => {
    const res = await runCli(['validate', '-f', '-'], { cwd: dir, stdin: BROKEN });
    expect({ code: res.code, files: [...new Set(textLines(res.stdout).slice(0, -1).map((l) => l[0]))] }).toEqual({ code: 1, files: ['-'] });
  });

  it('host policy flags', async () => {
    await files({ 'pod.yaml': PRIVILEGED });
    const refused = await runCli(['validate', 'pod.yaml', '-o', 'json'], { cwd: dir });
    expect((JSON.parse(refused.stdout) as { problems: Problem[] }).problems.map((p) => p.code)).toEqual(['policy-host-network', 'policy-privileged', 'policy-host-path']);
    expect(await runCli(['validate', 'pod.yaml', '--allow-privileged', '--allow-host-network', '--host-path-prefix', '/srv'], { cwd: dir })).toEqual({
      code: 0,
      stdout: '0 errors, 0 warnings; 1 resource valid\n',
      stderr: '',
    });
  });

  it('--skip-unsupported turns unsupported kinds into warnings', async () => {
    await files({ 'netpol.yaml': NETWORK_POLICY, 'pod.yaml': POD });
    expect((await runCli(['validate', '.'], { cwd: dir })).code).toBe(1);
    const res = await runCli(['validate', '.', '--skip-unsupported'], { cwd: dir });
    expect({ code: res.code, lines: textLines(res.stdout) }).toEqual({
      code: 0,
      lines: [['netpol.yaml', '2', '7', 'warning', 'kind'], ['0 errors, 1 warning in 1 file; 1 resource valid']],
    });
  });

  it('--skip-unsupported names as examples only kinds berth does not run', async () => {
    const help = (await runCli(['validate', '--help'], { cwd: dir })).stdout.replace(/\s+/g, ' ');
    const examples = /--skip-unsupported .*?\(([^)]*)\)/.exec(help)![1]!.split(/, /).filter((k) => k !== '...');
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.filter((k) => kindInfo(k) !== undefined)).toEqual([]);
  });

  it.each([
    { name: 'an unreadable path', argv: ['validate', 'missing.yaml'] },
    { name: 'an unknown output format', argv: ['validate', '-o', 'xml'] },
    { name: 'stdin twice', argv: ['validate', '-f', '-', '-f', '-'] },
    { name: 'an unknown flag', argv: ['validate', '--frobnicate'] },
  ])('exit 2 for $name, nothing on stdout', async ({ argv }) => {
    const res = await runCli(argv, { cwd: dir });
    expect({ code: res.code, stdout: res.stdout, stderrEmpty: res.stderr === '' }).toEqual({ code: 2, stdout: '', stderrEmpty: false });
  });
});

describe('problem formatters', () => {
  const problems: Problem[] = [
    { file: 'b.yaml', line: 3, column: 5, path: 'spec.replicas', severity: 'error', code: 'invalid-value', message: 'must be at least 0' },
    { file: 'a.yaml', line: 0, column: 0, path: '', severity: 'error', code: 'binary-file', message: 'not UTF-8' },
    { file: 'a,b:c.yaml', line: 7, column: 1, path: 'kind', severity: 'warning', code: 'unsupported-kind', message: '100% skipped\nnext line' },
  ];

  it('text: sorted, file-level problems without a position, colors only when asked', () => {
    expect(formatProblemsText(problems)).toBe(
      'a,b:c.yaml:7:1: warning: 100% skipped\nnext line [kind]\na.yaml: error: not UTF-8\nb.yaml:3:5: error: must be at least 0 [spec.replicas]\n',
    );
    expect(formatProblemsText(problems.slice(0, 1), { color: true })).toBe(
      '\u001b[1mb.yaml:3:5\u001b[0m: \u001b[31merror\u001b[0m: must be at least 0 \u001b[2m[spec.replicas]\u001b[0m\n',
    );
  });

  it('github: escapes properties and data as the Actions toolkit does', () => {
    expect(formatProblemsGithub(problems)).toBe(
      [
        '::warning file=a%2Cb%3Ac.yaml,line=7,col=1,title=berth unsupported-kind::100%25 skipped%0Anext line [kind]',
        '::error file=a.yaml,title=berth binary-file::not UTF-8',
        '::error file=b.yaml,line=3,col=5,title=berth invalid-value::must be at least 0 [spec.replicas]',
        '',
      ].join('\n'),
    );
  });

  it('json: the problems, sorted', () => {
    expect(JSON.parse(formatProblemsJson(problems))).toEqual([problems[2], problems[1], problems[0]]);
  });

  it.each([
    { s: { errors: 0, warnings: 0, files: 0, resources: 12 }, want: '0 errors, 0 warnings; 12 resources valid\n' },
    { s: { errors: 3, warnings: 1, files: 2, resources: 1 }, want: '3 errors, 1 warning in 2 files; 1 resource valid\n' },
    { s: { errors: 1, warnings: 2, files: 1, resources: 0 }, want: '1 error, 2 warnings in 1 file; 0 resources valid\n' },
  ])('summary $want', ({ s, want }) => {
    expect(formatSummary(s)).toBe(want);
  });
});
