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

  it('an SSH repository without a usable key stops the start with a message saying what to do', async () => {
    const state = ['--state-dir', join(dir, 'state-ssh'), '--app', 'ssh-start'];
    const none = await runCli(['daemon', '--repo', 'git@git.example.com:org/deploy.git', ...state]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('pass --git-ssh-key-file');
    const missing = await runCli(['daemon', '--repo', 'git@git.example.com:org/deploy.git', '--git-ssh-key-file', join(dir, 'no-such-key'), ...state]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`cannot read the SSH key file ${join(dir, 'no-such-key')}`);
    const pub = join(dir, 'key.pub');
    await writeFile(pub, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK7xfcqX6xpDa/i4dGfIShaYF46bn0jqZxvmffquXUR0 x\n');
    const wrong = await runCli(['daemon', '--repo', 'ssh://git@git.example.com/org/deploy.git', '--git-ssh-key-file', pub, ...state]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/not a private key|holds a public key/);
  });

  it('lists its flags in --help', async () => {
    const r = await runCli(['daemon', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--repo', '--watch', '--config', '--listen', '--token-file', '--webhook-secret-file', '--git-token-file', '--git-ssh-key-file', '--git-known-hosts-file', '--allow-empty']) expect(r.stdout).toContain(flag);
    expect(r.stdout).not.toContain('--cron-time-scale');
  });
});
