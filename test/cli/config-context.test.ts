import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentSettings, deleteContext, envWithContext, setContext, useContext } from '../../src/cli/config-context.js';
import type { ClientConfig, ContextSettings } from '../../src/cli/config-file.js';
import { configPath, parseConfig, readConfig, writeConfig } from '../../src/cli/config-file.js';
import { resolveApp, resolveStateDir } from '../../src/cli/engine.js';
import { namespaceOf } from '../../src/cli/commands/get.js';
import { BerthError, exitCodeFor } from '../../src/model/errors.js';
import { runCli } from '../support/cli.js';

/** Issue 17: kubectl-like contexts (`berth config`), so people stop typing --app on every command. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-config-'));
  dirs.push(d);
  return d;
}

const ctx: ContextSettings = { app: 'shop', namespace: 'kc', stateDir: '/ctx/state' };

describe('precedence: flag > environment > context > default', () => {
  it.each<[string, { app?: string; stateDir?: string; namespace?: string }, Record<string, string>, ContextSettings | undefined, { app: string; namespace: string; stateDir: string }]>([
    ['no context: the defaults', {}, { HOME: '/home/u' }, undefined, { app: 'default', namespace: 'default', stateDir: '/home/u/.local/state/berth' }],
    ['the context over the defaults', {}, { HOME: '/home/u' }, ctx, { app: 'shop', namespace: 'kc', stateDir: '/ctx/state' }],
    ['the environment over the context', {}, { BERTH_APP: 'envapp', BERTH_NAMESPACE: 'envns', BERTH_STATE_DIR: '/env/state' }, ctx, { app: 'envapp', namespace: 'envns', stateDir: '/env/state' }],
    ['flags over both', { app: 'flagapp', namespace: 'flagns', stateDir: '/flag/state' }, { BERTH_APP: 'envapp', BERTH_NAMESPACE: 'envns' }, ctx, { app: 'flagapp', namespace: 'flagns', stateDir: '/flag/state' }],
    ['a context setting left unset falls through', {}, { BERTH_STATE_DIR: '/env/state' }, { namespace: 'kc' }, { app: 'default', namespace: 'kc', stateDir: '/env/state' }],
  ])('%s', (_name, flags, env, settings, want) => {
    const merged = envWithContext({ XDG_STATE_HOME: undefined, ...env }, settings);
    expect({ app: resolveApp(flags, merged), namespace: namespaceOf(flags, { env: merged } as never), stateDir: resolveStateDir(flags, merged) }).toEqual(
      process.getuid?.() === 0 && !flags.stateDir && !merged.BERTH_STATE_DIR ? { ...want, stateDir: '/var/lib/berth' } : want,
    );
  });
});

describe('the config file', () => {
  it.each<[string, Record<string, string | undefined>, string | undefined]>([
    ['$BERTH_CONFIG first', { BERTH_CONFIG: '/c/config', XDG_CONFIG_HOME: '/x', HOME: '/h' }, '/c/config'],
    ['then $XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/x', HOME: '/h' }, '/x/berth/config'],
    ['then ~/.config', { HOME: '/h' }, '/h/.config/berth/config'],
    ['no home: no config (a bare in-process environment)', {}, undefined],
  ])('path: %s', (_name, env, want) => {
    expect(configPath(env)).toBe(want);
  });

  it.each<[string, unknown, ClientConfig]>([
    ['empty file', null, { contexts: [] }],
    ['kubeconfig spelling', { 'current-context': 'a', contexts: [{ name: 'a', context: { app: 'x', namespace: 'kc', 'state-dir': '/s' } }] }, { currentContext: 'a', contexts: [{ name: 'a', context: { app: 'x', namespace: 'kc', stateDir: '/s' } }] }],
    ['empty current-context and settings are unset', { 'current-context': '', contexts: [{ name: 'a', context: { namespace: '' } }] }, { contexts: [{ name: 'a', context: {} }] }],
  ])('parses %s', (_name, doc, want) => {
    expect(parseConfig(doc, '/c')).toEqual(want);
  });

  it.each<[string, unknown, string]>([
    ['a list', [1], 'not a mapping'],
    ['contexts not a list', { contexts: 5 }, 'contexts is not a list'],
    ['a context without a name', { contexts: [{ context: {} }] }, 'contexts[0] has no name'],
    ['a name twice', { contexts: [{ name: 'a' }, { name: 'a' }] }, 'context "a" is listed twice'],
    ['a setting not a string', { contexts: [{ name: 'a', context: { namespace: 3 } }] }, 'contexts[0].context.namespace is not a string'],
  ])('refuses %s (INVALID_CONFIG, exit 2)', (_name, doc, message) => {
    const err = (() => {
      try {
        parseConfig(doc, '/c');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).message).toBe(`config file /c is invalid: ${message}`);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('a missing file is an empty config; written atomically, mode 0600, read back the same', async () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'config');
    expect(await readConfig(path)).toEqual({ contexts: [] });
    const config: ClientConfig = { currentContext: 'a', contexts: [{ name: 'a', context: ctx }] };
    await writeConfig(path, config);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['config']);
    expect(readFileSync(path, 'utf8')).toContain('current-context: a');
    expect(await readConfig(path)).toEqual(config);
    await writeConfig(path, { contexts: [] });
    expect(await readConfig(path)).toEqual({ contexts: [] });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['config']);
  });

  it('a file that is not YAML is INVALID_CONFIG naming it', async () => {
    const path = join(tempDir(), 'config');
    writeFileSync(path, 'contexts: [\n');
    await expect(readConfig(path)).rejects.toMatchObject({ code: 'INVALID_CONFIG', data: { path } });
  });
});

describe('contexts as data', () => {
  const base: ClientConfig = { currentContext: 'a', contexts: [{ name: 'a', context: { app: 'x', namespace: 'kc' } }, { name: 'b', context: {} }] };

  it.each<[string, string, Record<string, string>, ClientConfig['contexts'], boolean]>([
    ['a new context', 'c', { app: 'y' }, [...base.contexts, { name: 'c', context: { app: 'y' } }], true],
    ['a setting changed, the others kept', 'a', { namespace: 'other' }, [{ name: 'a', context: { app: 'x', namespace: 'other' } }, base.contexts[1]!], false],
    ['"" unsets a setting', 'a', { namespace: '' }, [{ name: 'a', context: { app: 'x' } }, base.contexts[1]!], false],
  ])('set-context: %s', (_name, name, patch, contexts, created) => {
    expect(setContext(base, name, patch)).toEqual({ config: { ...base, contexts }, created });
  });

  it('use-context switches; an unknown name is kubectl’s error, exit 1', () => {
    expect(useContext(base, 'b').currentContext).toBe('b');
    expect(() => useContext(base, 'z')).toThrow('no context exists with the name: "z"');
  });

  it('delete-context: the current one leaves no current context; an unknown one is an error', () => {
    expect(deleteContext(base, 'a', '/c')).toEqual({ config: { contexts: [base.contexts[1]] }, wasCurrent: true });
    expect(deleteContext(base, 'b', '/c')).toEqual({ config: { currentContext: 'a', contexts: [base.contexts[0]] }, wasCurrent: false });
    expect(() => deleteContext(base, 'z', '/c')).toThrow('cannot delete context z, not in /c');
  });

  it('a current-context naming no context is an error with the way out', () => {
    expect(currentSettings(base, '/c')).toEqual({ app: 'x', namespace: 'kc' });
    expect(currentSettings({ contexts: [] }, '/c')).toBeUndefined();
    expect(() => currentSettings({ currentContext: 'gone', contexts: [] }, '/c')).toThrow('current context "gone" is not in config file /c');
  });
});

describe('berth config (the commands)', () => {
  it('set-context --current creates the first context and makes it current; again, modifies it', async () => {
    const env = { BERTH_CONFIG: join(tempDir(), 'config') };
    expect(await runCli(['config', 'current-context'], { env })).toEqual({ code: 1, stdout: '', stderr: 'error: current-context is not set\n' });
    expect(await runCli(['config', 'set-context', '--current', '--namespace', 'kc'], { env })).toEqual({ code: 0, stdout: 'Context "default" created.\n', stderr: '' });
    expect((await runCli(['config', 'current-context'], { env })).stdout).toBe('default\n');
    expect(await runCli(['config', 'set-context', '--current', '--namespace', 'kc2'], { env })).toEqual({ code: 0, stdout: 'Context "default" modified.\n', stderr: '' });
    expect((await runCli(['config', 'view'], { env })).stdout).toBe('apiVersion: berth.dev/v1\nkind: Config\ncurrent-context: default\ncontexts:\n  - name: default\n    context:\n      namespace: kc2\n');
  });

  it('contexts listed, switched, shown and deleted as kubectl’s', async () => {
    const dir = tempDir();
    const env = { BERTH_CONFIG: join(dir, 'config') };
    await runCli(['config', 'set-context', 'dev', '--app', 'web', '-n', 'kc'], { env });
    await runCli(['config', 'set-context', 'ops', '--state-dir', 'rel'], { env, cwd: '/srv' });
    expect(await runCli(['config', 'use-context', 'dev'], { env })).toEqual({ code: 0, stdout: 'Switched to context "dev".\n', stderr: '' });
    expect((await runCli(['config', 'get-contexts'], { env })).stdout).toBe(
      ['CURRENT   NAME   APP   NAMESPACE   STATE-DIR', '*         dev    web   kc', '          ops                      /srv/rel', ''].join('\n'),
    );
    expect((await runCli(['config', 'get-contexts', '-o', 'name'], { env })).stdout).toBe('dev\nops\n');
    expect(await runCli(['config', 'get-contexts', 'nope'], { env })).toEqual({ code: 1, stdout: '', stderr: 'error: context nope not found\n' });
    expect(JSON.parse((await runCli(['config', 'view', '--minify', '-o', 'json'], { env })).stdout)).toEqual({
      apiVersion: 'berth.dev/v1',
      kind: 'Config',
      'current-context': 'dev',
      contexts: [{ name: 'dev', context: { app: 'web', namespace: 'kc' } }],
    });
    expect(await runCli(['config', 'use-context', 'nope'], { env })).toEqual({ code: 1, stdout: '', stderr: 'error: no context exists with the name: "nope"\n' });
    const deleted = await runCli(['config', 'delete-context', 'dev'], { env });
    expect(deleted).toEqual({ code: 0, stdout: `deleted context dev from ${env.BERTH_CONFIG}\n`, stderr: 'warning: this removed your active context, use "berth config use-context" to select a different one\n' });
    expect((await runCli(['config', 'get-contexts', '-o', 'name'], { env })).stdout).toBe('ops\n');
  });

  it.each<[string, string[], string]>([
    ['neither a name nor --current', ['config', 'set-context', '-n', 'kc'], 'error: you must specify a non-empty context name or --current\n'],
    ['a bad app', ['config', 'set-context', 'x', '--app', 'Bad_App'], 'error: invalid --app "Bad_App"'],
  ])('set-context refuses %s (exit 2)', async (_name, argv, stderr) => {
    const r = await runCli(argv, { env: { BERTH_CONFIG: join(tempDir(), 'config') } });
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(stderr)).toBe(true);
  });

  it('a broken config file stops every command with its path (exit 2)', async () => {
    const path = join(tempDir(), 'config');
    writeFileSync(path, 'contexts: 5\n');
    const r = await runCli(['get', 'pods'], { env: { BERTH_CONFIG: path } });
    expect(r).toEqual({ code: 2, stdout: '', stderr: `error: config file ${path} is invalid: contexts is not a list\n` });
  });
});
