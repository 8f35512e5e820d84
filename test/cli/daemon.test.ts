import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-daemon-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('berth daemon: usage errors exit 2 before anything starts', () => {
  it('needs a source', async () => {
    const r = await runCli(['daemon', '--state-dir', join(dir, 'state')]);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('needs a source')]);
  });

  it('prints every problem of an invalid config file with file:line:column', async () => {
    const config = join(dir, 'berth.yaml');
    await writeFile(config, 'repo: https://git.example.com/deploy.git\nintervall: 1m\nlisten: everywhere\n');
    const r = await runCli(['daemon', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}:2:1: error: unknown setting "intervall"; did you mean "interval"?`);
    expect(r.stderr).toContain(`${config}:3:9: error: listen must be host:port`);
  });

  it('refuses to listen beyond loopback without a token, and credentials in --repo', async () => {
    const open = await runCli(['daemon', '--watch', dir, '--listen', '0.0.0.0:7999']);
    expect([open.code, open.stderr]).toEqual([2, expect.stringContaining('without an API token')]);
    const creds = await runCli(['daemon', '--repo', 'https://ci:pw@git.example.com/r.git']);
    expect([creds.code, creds.stderr]).toEqual([2, expect.stringContaining('must not contain credentials')]);
    expect(creds.stderr).not.toContain('ci:pw');
  });

  it('lists its flags in --help', async () => {
    const r = await runCli(['daemon', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--repo', '--watch', '--config', '--listen', '--token-file', '--webhook-secret-file', '--git-token-file', '--allow-empty']) expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain('--cron-time-scale');
  });
});
