import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import type { DiffCommandOptions } from '../../src/cli/commands/diff.js';
import { registerDiff } from '../../src/cli/commands/diff.js';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import { formatProblemsText } from '../../src/cli/output/problems.js';
import { validateRevision } from '../../src/manifests/index.js';
import { readPath } from '../../src/sources/folder.js';
import { makeRepo, makeTempDir, type TestRepo } from '../support/git-server.js';

/**
 * `berth diff --from --to` end to end through the CLI entry point (in process, buffers for
 * stdio): folders, git refs of a real repository with two branches, exit codes, output
 * formats and secret masking. No Docker, no state dir.
 */

const FIXTURES = new URL('../fixtures/diff/', import.meta.url).pathname;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function berth(argv: string[], options: { cwd?: string; env?: Record<string, string>; tty?: boolean } = {}): Promise<Result> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  const code = await run(argv, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interrupted: new AbortController().signal,
  });
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
}

const WEB_V1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.25
          envFrom:
            - configMapRef:
                name: web-config
            - secretRef:
                name: web-secret
`;

const CONFIG = (level: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: ${level}
`;

const SECRET = (token: string) => `apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  API_TOKEN: ${token}
`;

const TOKEN_MAIN = 'main-T0ken-4f9a';
const TOKEN_FEATURE = 'feature-T0ken-77c1';

/**
 * A work clone with `package.json` at the root (not a manifest, so the manifests are read from
 * `deploy/`):
 *
 *   c1 (tag v1) ── c2 (main: README only)
 *     └─ f1 (feature: image, config and secret changed)
 *     └─ b1 (broken: an invalid document)
 */
describe('berth diff --from --to (offline)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let repo: TestRepo;
  const sha: Record<string, string> = {};

  beforeAll(async () => {
    tmp = await makeTempDir('berth-diff-cli-');
    repo = await makeRepo(tmp.path, 'app.git', {
      files: {
        'package.json': '{"name": "app"}\n',
        'deploy/web.yaml': WEB_V1,
        'deploy/config.yaml': `${CONFIG('info')}---\n${SECRET(TOKEN_MAIN)}`,
      },
      message: 'c1',
    });
    sha.c1 = await repo.revParse('main');
    await repo.tag('v1');
    sha.c2 = await repo.commitFiles({ 'README.md': '# app\n' }, { message: 'c2' });
    await repo.git('checkout', '--quiet', '-b', 'feature', sha.c1);
    sha.f1 = await repo.commitFiles(
      {
        'deploy/web.yaml': WEB_V1.replace('nginx:1.25', 'nginx:1.27'),
        'deploy/config.yaml': `${CONFIG('debug')}---\n${SECRET(TOKEN_FEATURE)}`,
      },
      { branch: 'feature', message: 'f1' },
    );
    await repo.git('checkout', '--quiet', '-b', 'broken', sha.c1);
    sha.b1 = await repo.commitFiles(
      { 'deploy/web.yaml': WEB_V1.replace('image: nginx:1.25', 'image: nginx:1.25\n          imagePullPolicy: Sometimes') },
      { branch: 'broken', message: 'b1' },
    );
    await repo.git('checkout', '--quiet', 'main');
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  const deployDir = () => join(repo.workDir, 'deploy');

  /** The expected change set between c1/c2 and f1, whichever way the refs are named. */
  function expectFeatureChanges(json: string): void {
    const report = JSON.parse(json) as { summary: unknown; changes: Array<{ key: string; action: string; fields: unknown[] }> };
    expect(report.summary).toEqual({ added: 0, changed: 3, removed: 0, destructive: 0 });
    expect(report.changes.map((c) => [c.action, c.key, c.fields])).toEqual([
      ['update', 'ConfigMap/default/web-config', [{ path: 'data.LOG_LEVEL', op: 'replace', before: 'info', after: 'debug' }]],
      ['update', 'Secret/default/web-secret', [{ path: 'data.API_TOKEN', op: 'replace', redacted: true }]],
      [
        'update',
        'Deployment/default/web',
        [{ path: 'spec.template.spec.containers[web].image', op: 'replace', before: 'nginx:1.25', after: 'nginx:1.27' }],
      ],
    ]);
  }

  describe('git refs of a local repository', () => {
    it.each([
      { title: 'branches, --repo a sub-directory', argv: () => ['--repo', deployDir(), '--from', 'main', '--to', 'feature'], from: 'c2' },
      { title: 'tag and short SHA', argv: () => ['--repo', deployDir(), '--from', 'v1', '--to', sha.f1!.slice(0, 8)], from: 'c1' },
      { title: 'full SHA and HEAD~1', argv: () => ['--repo', deployDir(), '--from', 'main~1', '--to', sha.f1!], from: 'c1' },
      { title: 'remote-tracking branch', argv: () => ['--repo', deployDir(), '--from', 'origin/main', '--to', 'origin/feature'], from: 'c2' },
      { title: 'REF:PATH from the repository root', argv: () => ['--repo', repo.workDir, '--from', 'main:deploy', '--to', 'feature:deploy'], from: 'c2' },
      { title: 'the bare repository, REF:PATH', argv: () => ['--repo', repo.bareDir, '--from', 'main:deploy', '--to', 'feature:deploy'], from: 'c2' },
    ])('$title', async ({ argv, from }) => {
      const r = await berth(['diff', ...argv(), '-o', 'json']);
      expect(r.stderr).toEqual('');
      expect(r.code).toBe(1);
      expectFeatureChanges(r.stdout);
      const report = JSON.parse(r.stdout) as { from: { id: string }; to: { id: string } };
      expect([report.from.id, report.to.id]).toEqual([sha[from], sha.f1]);
    });

    it('reads the directory the command runs in when --repo is not given', async () => {
      const r = await berth(['diff', '--from', 'main', '--to', 'feature', '-o', 'json'], { cwd: deployDir() });
      expect(r.code).toBe(1);
      expectFeatureChanges(r.stdout);
    });

    it('exits 0 when two refs hold the same manifests', async () => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'v1', '--to', 'main']);
      expect(r).toEqual({ code: 0, stdout: 'Summary: no differences\n', stderr: '' });
    });

    it.each([
      { title: 'an unknown ref', argv: ['--from', 'no-such-branch', '--to', 'main'], message: 'no branch, tag or commit "no-such-branch"' },
      { title: 'a path missing in the ref', argv: ['--from', 'main:nowhere', '--to', 'main'], message: 'path "nowhere" does not exist' },
    ])('exits 2 on $title', async ({ argv, message }) => {
      const r = await berth(['diff', '--repo', repo.workDir, ...argv]);
      expect(r.code).toBe(2);
      expect(r.stdout).toEqual('');
      expect(r.stderr).toContain(message);
    });

    it('exits 2 on invalid manifests and prints the problems as validate does', async () => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'main', '--to', 'broken', '-o', 'json']);
      expect(r.code).toBe(2);
      expect(r.stdout).toEqual('');
      // The same problems `berth validate` prints for that tree, with file:line.
      const broken = join(tmp.path, 'broken');
      await mkdir(broken);
      await writeFile(join(broken, 'web.yaml'), WEB_V1.replace('image: nginx:1.25', 'image: nginx:1.25\n          imagePullPolicy: Sometimes'));
      await writeFile(join(broken, 'config.yaml'), `${CONFIG('info')}---\n${SECRET(TOKEN_MAIN)}`);
      const { problems } = validateRevision((await readPath(broken)).files);
      expect(problems.length).toBeGreaterThan(0);
      expect(r.stderr).toContain(formatProblemsText(problems));
      expect(r.stderr).toMatch(/web\.yaml:18/);
    });
  });

  describe('folders', () => {
    it('diffs two directories and prints the JSON report', async () => {
      const from = join(FIXTURES, 'rolling-update/from');
      const to = join(FIXTURES, 'rolling-update/to');
      const r = await berth(['diff', '--from', from, '--to', to, '-o', 'json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { from: { id: string; origin: string }; to: { id: string }; changes: Array<{ key: string }> };
      expect(report.from.id).toEqual((await readPath(from)).id);
      expect(report.to.id).toEqual((await readPath(to)).id);
      expect(report.changes.map((c) => c.key)).toEqual(['Deployment/default/web']);
    });

    it('resolves relative paths against the working directory and names them as given', async () => {
      // Outside any repository: inside a work tree `rolling-update/from` would also read as a
      // ref name and be refused (test/cli/diff-repo-discovery.test.ts).
      const cwd = join(tmp.path, 'plain-folders');
      await cp(join(FIXTURES, 'rolling-update'), join(cwd, 'rolling-update'), { recursive: true });
      const r = await berth(['diff', '--from', 'rolling-update/from', '--to', 'rolling-update/to', '-o', 'json'], { cwd });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { from: { origin: string }; to: { origin: string } };
      expect([report.from.origin, report.to.origin]).toEqual(['folder rolling-update/from', 'folder rolling-update/to']);
    });

    it('exits 2 when a directory holds invalid manifests', async () => {
      const dir = join(tmp.path, 'invalid-folder');
      await mkdir(dir);
      await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
      const r = await berth(['diff', '--from', join(FIXTURES, 'rolling-update/from'), '--to', dir]);
      expect(r.code).toBe(2);
      expect(r.stdout).toEqual('');
      expect(r.stderr).toContain(`--to folder ${dir}: invalid manifests\ncm.yaml:4:`);
    });

    it('treats a revision that only spells out defaults and reorders keys as equal', async () => {
      const r = await berth(['diff', '--from', join(FIXTURES, 'defaults-spelled-out/from'), '--to', join(FIXTURES, 'defaults-spelled-out/to')]);
      expect(r).toEqual({ code: 0, stdout: 'Summary: no differences\n', stderr: '' });
    });

    it('mixes a folder and a git ref', async () => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'main', '--to', deployDir(), '-o', 'json']);
      // The work tree has main checked out: nothing differs.
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { changes: unknown[] }).changes).toEqual([]);
    });
  });

  describe('output', () => {
    it.each(['text', 'json', 'markdown'])('-o %s never shows a secret value', async (format) => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'main', '--to', 'feature', '-o', format]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('data.API_TOKEN');
      for (const token of [TOKEN_MAIN, TOKEN_FEATURE]) {
        const b64 = Buffer.from(token).toString('base64');
        for (const form of [token, b64, b64.replace(/=+$/, '')]) expect(r.stdout + r.stderr).not.toContain(form);
      }
    });

    it.each<{ title: string; tty: boolean; env: Record<string, string>; colour: boolean }>([
      { title: 'a terminal', tty: true, env: {}, colour: true },
      { title: 'a terminal with NO_COLOR', tty: true, env: { NO_COLOR: '1' }, colour: false },
      { title: 'a pipe', tty: false, env: {}, colour: false },
    ])('colours text on $title: $colour', async ({ tty, env, colour }) => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'main', '--to', 'feature'], { tty, env });
      expect(r.code).toBe(1);
      expect(r.stdout.includes('\x1b[')).toBe(colour);
      expect(r.stdout).toContain('rolling update of deploy/web: 3 pods replaced (maxSurge 1, maxUnavailable 0)');
    });

    it('renders a pull-request comment with -o markdown', async () => {
      const r = await berth(['diff', '--repo', deployDir(), '--from', 'main', '--to', 'feature', '-o', 'markdown']);
      expect(r.code).toBe(1);
      expect(r.stdout.split('\n')[0]).toEqual('### berth diff: 0 to add, 3 to change, 0 to delete');
      expect(r.stdout).toContain('| ✏️ | `Deployment default/web` | update | pods of deploy/web restarted because configmap web-config changed<br>');
      expect(r.stdout).toContain('<details>');
    });
  });

  describe('usage', () => {
    it.each([
      { title: 'only --from', argv: ['diff', '--from', 'main'], message: '--to is missing' },
      { title: 'nothing to compare', argv: ['diff'], message: 'nothing to compare' },
      { title: '-f with --from/--to', argv: ['diff', '-f', 'x', '--from', 'a', '--to', 'b'], message: '-f/-k cannot be combined with --from/--to' },
      { title: 'an unknown output format', argv: ['diff', '--from', 'a', '--to', 'b', '-o', 'yaml'], message: 'yaml' },
      { title: 'a live diff of a path that does not exist', argv: ['diff', '-f', 'no-such-dir'], message: 'no-such-dir' },
    ])('exits 2 on $title', async ({ argv, message }) => {
      const r = await berth(argv, { cwd: tmp.path });
      expect(r.code).toBe(2);
      expect(r.stdout).toEqual('');
      expect(r.stderr).toContain(message);
    });
  });

  describe('the live diff plugs in through registerDiff', () => {
    it('routes -f to the live diff with its own flags, and keeps --from/--to offline', async () => {
      const calls: Array<{ options: DiffCommandOptions; app: unknown }> = [];
      const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: tmp.path, interrupted: new AbortController().signal };
      const ctx: CliContext = { io, exitCode: 0 };
      const program = new Command('berth').exitOverride();
      registerDiff(program, ctx, {
        liveOptions: (cmd) => cmd.option('--app <name>'),
        live: async (options, _ctx, raw) => {
          calls.push({ options, app: raw.app });
          return 1;
        },
      });
      await program.parseAsync(['diff', '-f', 'deploy', '-f', 'more', '--app', 'shop', '-o', 'json'], { from: 'user' });
      expect(ctx.exitCode).toBe(1);
      expect(calls).toEqual([
        {
          options: {
            output: 'json',
            filename: ['deploy', 'more'],
            validation: {
              skipUnsupported: false,
              hostPolicy: {
                allowPrivileged: false,
                allowHostNetwork: false,
                hostPathPrefixes: [],
                allowedCapabilities: [],
                allowedSysctls: [],
                allowHostPorts: false,
                allowHostNamespaces: false,
                allowUnconfined: false,
                allowedProbeHosts: [],
                allowedRegistries: [],
              },
            },
          },
          app: 'shop',
        },
      ]);
      await program.parseAsync(['diff', '--repo', deployDir(), '--from', 'v1', '--to', 'main'], { from: 'user' });
      expect(ctx.exitCode).toBe(0);
      expect(calls).toHaveLength(1);
    });
  });
});
