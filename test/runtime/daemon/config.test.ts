import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { parseListen, settleDaemon, type DaemonFlags } from '../../../src/cli/commands/daemon-settings.js';
import { registerDaemon } from '../../../src/cli/commands/daemon.js';
import type { CliContext } from '../../../src/cli/context.js';
import { isLoopbackHost as isLoopback } from '../../../src/model/image-ref.js';
import { parseDaemonConfig } from '../../../src/runtime/config.js';

const parse = (text: string) => parseDaemonConfig('berth.yaml', Buffer.from(text));
const brief = (text: string) => parse(text).problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);

describe('config file', () => {
  it('accepts every setting and freezes the result', () => {
    const { config, problems } = parse(`app: shop
stateDir: /var/lib/berth
repo: https://git.example.com/org/deploy.git
branch: main
path: clusters/edge
interval: 30s
resync: 5m
passTimeout: 10m
listen: 0.0.0.0:7420
tokenFile: /etc/berth/token
allowedHosts: [berth.example.com, '[2001:db8::1]']
webhookSecretFile: /etc/berth/webhook
gitTokenFile: /etc/berth/git
gitUsername: oauth2
gitSshKeyFile: /etc/berth/deploy-key
gitKnownHostsFile: /etc/berth/known_hosts
allowEmpty: false
logLevel: debug
skipUnsupported: true
allowPrivileged: false
allowHostNetwork: false
hostPathPrefixes: [/srv/data]
`);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ app: 'shop', interval: '30s', hostPathPrefixes: ['/srv/data'], allowedHosts: ['berth.example.com', '[2001:db8::1]'] });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every problem with line and column, unknown keys with a suggestion', () => {
    expect(
      brief(`app: Shop
repo: https://x/y.git
intervall: 1m
interval: soon
listen: 7420
allowEmpty: "yes"
logLevel: loud
hostPathPrefixes: [relative/path]
allowedHosts: ['https://berth.example.com/']
`),
    ).toEqual([
      '1:6 app app has an invalid value',
      '3:1 intervall unknown setting "intervall"; did you mean "interval"?',
      '4:11 interval interval must be a duration such as 30s, 5m or 1h',
      '5:9 listen listen must be a string',
      '6:13 allowEmpty allowEmpty must be a boolean',
      '7:11 logLevel logLevel must be one of fatal, error, warn, info, debug, trace',
      '8:20 hostPathPrefixes[0] hostPathPrefixes[0] "relative/path" must be an absolute path (starting with /), such as /srv/data',
      '9:16 allowedHosts[0] allowedHosts[0] has an invalid value',
    ]);
  });

  it('reports settings that conflict, and YAML errors with their position', () => {
    expect(brief('repo: https://x/y.git\nwatch: ./deploy\n')).toEqual(['2:1 watch set either repo or watch, not both']);
    expect(brief('watch: ./deploy\nbranch: main\n')).toEqual(['2:1 branch branch applies to a Git repository; this config watches a folder']);
    expect(brief('watch: ./deploy\ngitSshKeyFile: k\ngitKnownHostsFile: kh\n')).toEqual([
      '2:1 gitSshKeyFile gitSshKeyFile applies to a Git repository; this config watches a folder',
      '3:1 gitKnownHostsFile gitKnownHostsFile applies to a Git repository; this config watches a folder',
    ]);
    expect(brief('- a\n- b\n')).toEqual(['1:1  the config file must be a mapping of settings (key: value)']);
    expect(parse('app: [unclosed\n').problems[0]).toMatchObject({ file: 'berth.yaml', line: 2, code: 'yaml-syntax' });
    expect(parse('').problems).toEqual([]);
  });
});

describe('daemon settings: flags over config over defaults', () => {
  const env = {};
  it('fills defaults and resolves the source', () => {
    const s = settleDaemon({ repo: 'https://git.example.com/a.git' }, {}, { cwd: '/work', env });
    expect(s).toMatchObject({
      source: { kind: 'git', url: 'https://git.example.com/a.git', ref: { branch: 'main' }, pollIntervalMs: 60_000 },
      listen: { host: '127.0.0.1', port: 7420, loopback: true },
      allowEmpty: false,
      resyncIntervalMs: 60_000,
      passTimeoutMs: 600_000,
      logLevel: 'info',
      cronTimeScale: 1,
    });
    expect(Object.isFrozen(s.source)).toBe(true);
  });

  it('lets flags win and resolves config paths against the config file', () => {
    const s = settleDaemon({ interval: '10s', branch: 'prod' }, { repo: 'repos/deploy.git', interval: '5m', branch: 'main', tokenFile: 'token', listen: '0.0.0.0:9000' }, { cwd: '/work', configDir: '/etc/berth', env });
    expect(s.source).toEqual({ kind: 'git', url: '/etc/berth/repos/deploy.git', ref: { branch: 'prod' }, pollIntervalMs: 10_000 });
    expect([s.tokenFile, s.listen.loopback]).toEqual(['/etc/berth/token', false]);
  });

  it.each([
    ['ssh://git@git.example.com:2222/org/deploy.git'],
    ['git@github.com:org/deploy.git'],
    ['git.example.com:org/deploy.git'],
  ])('keeps the SSH URL %s as given (not a path), with its key files resolved', (repo) => {
    const fromFlags = settleDaemon({ repo, gitSshKeyFile: 'key', gitKnownHostsFile: '/etc/ssh/known' }, {}, { cwd: '/work', env });
    expect(fromFlags).toMatchObject({ source: { kind: 'git', url: repo }, gitSshKeyFile: '/work/key', gitKnownHostsFile: '/etc/ssh/known' });
    const fromFile = settleDaemon({}, { repo, gitSshKeyFile: 'key', gitKnownHostsFile: 'known_hosts' }, { cwd: '/work', configDir: '/etc/berth', env });
    expect(fromFile).toMatchObject({ source: { url: repo }, gitSshKeyFile: '/etc/berth/key', gitKnownHostsFile: '/etc/berth/known_hosts' });
  });

  it('takes API host names from --api-host over allowedHosts', () => {
    expect(settleDaemon({ watch: 'd' }, {}, { cwd: '/', env }).allowedHosts).toEqual([]);
    expect(settleDaemon({ watch: 'd' }, { allowedHosts: ['a.example'] }, { cwd: '/', env }).allowedHosts).toEqual(['a.example']);
    expect(settleDaemon({ watch: 'd', apiHost: ['b.example', '[::1]'] }, { allowedHosts: ['a.example'] }, { cwd: '/', env }).allowedHosts).toEqual(['b.example', '[::1]']);
  });

  it.each([
    { args: [], want: { webUi: true, exec: true } },
    { args: ['--no-web-ui'], want: { webUi: false, exec: true } },
    { args: ['--no-exec'], want: { webUi: true, exec: false } },
    { args: ['--no-web-ui', '--no-exec'], want: { webUi: false, exec: false } },
  ])('daemon $args: the web UI pages and exec are on unless turned off', ({ args, want }) => {
    const program = new Command().exitOverride();
    registerDaemon(program, {} as CliContext);
    const cmd = program.commands.find((c) => c.name() === 'daemon')!;
    cmd.action(() => undefined);
    program.parse(['daemon', '--watch', 'd', ...args], { from: 'user' });
    const s = settleDaemon(cmd.opts<DaemonFlags>(), {}, { cwd: '/', env });
    expect({ webUi: s.webUi, exec: s.exec }).toEqual(want);
  });

  it('tells a tag from a pinned commit', () => {
    const sha = 'a'.repeat(40);
    expect(settleDaemon({ repo: 'https://h/r.git', ref: 'v1.2' }, {}, { cwd: '/', env }).source).toMatchObject({ ref: { tag: 'v1.2' } });
    expect(settleDaemon({ repo: 'https://h/r.git', ref: sha }, {}, { cwd: '/', env }).source).toMatchObject({ ref: { commit: sha } });
  });

  it.each([
    { name: 'no source', flags: {}, file: {} },
    { name: 'two sources', flags: { repo: 'https://h/r.git', watch: 'd' }, file: {} },
    { name: 'branch and ref', flags: { repo: 'https://h/r.git', branch: 'a', ref: 'b' }, file: {} },
    { name: 'git flags with a folder', flags: { watch: 'd', path: 'x' }, file: {} },
    { name: 'beyond loopback without a token', flags: { watch: 'd', listen: '0.0.0.0:7420' }, file: {} },
    { name: 'a bad duration', flags: { watch: 'd', resync: 'often' }, file: {} },
    { name: 'a bad listen address', flags: { watch: 'd', listen: 'localhost' }, file: {} },
    { name: 'an --api-host with a scheme', flags: { watch: 'd', apiHost: ['https://berth.example.com'] }, file: {} },
    { name: 'an --api-host with a port', flags: { watch: 'd', apiHost: ['berth.example.com:443'] }, file: {} },
    { name: 'credentials on the command line', flags: { repo: 'https://ci:secret@git.example.com/r.git' }, file: {} },
    { name: 'a query string (a token) on the command line', flags: { repo: 'https://git.example.com/r.git?access_token=secret' }, file: {} },
    { name: 'an SSH password on the command line', flags: { repo: 'ssh://git:secret@git.example.com/r.git' }, file: {} },
    { name: 'SSH files with a folder', flags: { watch: 'd', gitSshKeyFile: 'k' }, file: {} },
    { name: 'a known_hosts file with a folder', flags: { watch: 'd' }, file: { gitKnownHostsFile: 'kh' } },
  ])('refuses $name with USAGE', ({ flags, file }) => {
    expect(() => settleDaemon(flags, file, { cwd: '/', env })).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('parses listen addresses and knows loopback', () => {
    expect(parseListen('[::1]:80')).toEqual({ host: '::1', port: 80, loopback: true });
    expect(parseListen(':7420')).toEqual({ host: '0.0.0.0', port: 7420, loopback: false });
    expect([isLoopback('127.0.0.53'), isLoopback('localhost'), isLoopback('10.0.0.1'), isLoopback('0.0.0.0')]).toEqual([true, true, false, false]);
  });
});
