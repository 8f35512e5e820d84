import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { settleDaemon } from '../../src/cli/commands/daemon-settings.js';
import type { ValidationFlags } from '../../src/cli/validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../../src/cli/validation-flags.js';
import type { HostPolicy } from '../../src/model/policy.js';
import { parseDaemonConfig } from '../../src/runtime/config.js';

function policyFromArgv(args: string[]): HostPolicy | undefined {
  const cmd = addValidationOptions(new Command('validate').exitOverride());
  cmd.parse(args, { from: 'user' });
  return validateOptionsFrom(cmd.opts<ValidationFlags>()).hostPolicy;
}

const NOTHING: HostPolicy = {
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
};

describe('host policy flags', () => {
  it.each<{ args: string[]; want: Partial<HostPolicy> }>([
    { args: [], want: {} },
    { args: ['--allow-capability', 'NET_ADMIN', '--allow-capability', 'cap_sys_time'], want: { allowedCapabilities: ['NET_ADMIN', 'SYS_TIME'] } },
    { args: ['--allow-sysctl', 'net.core.somaxconn', '--allow-sysctl', 'kernel.msg*'], want: { allowedSysctls: ['net.core.somaxconn', 'kernel.msg*'] } },
    { args: ['--allow-host-ports'], want: { allowHostPorts: true } },
    { args: ['--allow-host-namespaces'], want: { allowHostNamespaces: true } },
    { args: ['--allow-unconfined'], want: { allowUnconfined: true } },
    { args: ['--allow-probe-host', '10.0.0.5', '--allow-probe-host', 'db.internal'], want: { allowedProbeHosts: ['10.0.0.5', 'db.internal'] } },
    { args: ['--allow-registry', 'localhost:5000', '--allow-registry', '[::1]:5000', '--allow-registry', '127.0.0.1'], want: { allowedRegistries: ['localhost:5000', '[::1]:5000', '127.0.0.1'] } },
    { args: ['--allow-privileged', '--allow-host-network', '--host-path-prefix', '/srv'], want: { allowPrivileged: true, allowHostNetwork: true, hostPathPrefixes: ['/srv'] } },
  ])('$args', ({ args, want }) => {
    expect(policyFromArgv(args)).toEqual({ ...NOTHING, ...want });
  });

  it.each([['http://localhost:5000'], ['localhost:5000/'], ['localhost:port'], ['']])('--allow-registry %j is a usage error: it would match no image', (registry) => {
    expect(() => policyFromArgv(['--allow-registry', registry])).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it.each([['SYS_WIZARD'], ['ALL'], ['all']])('--allow-capability %s is a usage error, not a policy that silently allows nothing', (name) => {
    expect(() => policyFromArgv(['--allow-capability', name])).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  // Issue 11 review, finding 4: a value that can never match is a usage error naming the flag.
  it.each<{ args: string[]; message: RegExp }>([
    { args: ['--host-path-prefix', 'hostdata'], message: /^--host-path-prefix "hostdata": must be an absolute path/ },
    { args: ['--host-path-prefix', '/a/b/../b'], message: /^--host-path-prefix "\/a\/b\/..\/b": must be a normalized absolute path/ },
    { args: ['--host-path-prefix', '/a//b'], message: /normalized absolute path/ },
    { args: ['--host-path-prefix', '/a/./b'], message: /normalized absolute path/ },
    { args: ['--host-path-prefix', '/srv', '--host-path-prefix', 'srv'], message: /^--host-path-prefix "srv"/ },
    { args: ['--allow-sysctl', 'net.*.rp_filter'], message: /^--allow-sysctl "net.\*.rp_filter": must be a sysctl name/ },
    { args: ['--allow-sysctl', 'net core'], message: /^--allow-sysctl/ },
    { args: ['--allow-probe-host', 'http://db:8080'], message: /^--allow-probe-host "http:\/\/db:8080": must be a host name or an IP address/ },
    { args: ['--allow-probe-host', 'db:8080'], message: /^--allow-probe-host/ },
    { args: ['--allow-probe-host', ''], message: /^--allow-probe-host/ },
  ])('$args is a usage error naming the flag', ({ args, message }) => {
    expect(() => policyFromArgv(args)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(message) }));
  });

  it.each([
    [['--host-path-prefix', '/'], { hostPathPrefixes: ['/'] }],
    [['--host-path-prefix', '/srv/data/'], { hostPathPrefixes: ['/srv/data/'] }],
    [['--allow-sysctl', '*', '--allow-sysctl', 'net.core.*', '--allow-sysctl', 'net/ipv4/ip_forward'], { allowedSysctls: ['*', 'net.core.*', 'net/ipv4/ip_forward'] }],
    [['--allow-probe-host', '*', '--allow-probe-host', '::1', '--allow-probe-host', '[fe80::1]', '--allow-probe-host', 'db.internal.'], { allowedProbeHosts: ['*', '::1', '[fe80::1]', 'db.internal.'] }],
  ] as Array<[string[], Partial<HostPolicy>]>)('%j is accepted', (args, want) => {
    expect(policyFromArgv(args)).toEqual({ ...NOTHING, ...want });
  });
});

describe('host policy in the daemon config file', () => {
  const env = {};
  const config = `watch: /srv/manifests
allowedCapabilities: [NET_ADMIN]
allowedSysctls: [net.core.somaxconn]
allowHostPorts: true
allowHostNamespaces: true
allowUnconfined: true
allowedProbeHosts: [127.0.0.1]
allowedRegistries: ['localhost:5000']
`;

  it('reads every key', () => {
    const { config: file, problems } = parseDaemonConfig('berth.yaml', Buffer.from(config));
    expect(problems).toEqual([]);
    const s = settleDaemon({}, file!, { cwd: '/', env });
    expect(validateOptionsFrom(s.validation).hostPolicy).toEqual({
      ...NOTHING,
      allowedCapabilities: ['NET_ADMIN'],
      allowedSysctls: ['net.core.somaxconn'],
      allowHostPorts: true,
      allowHostNamespaces: true,
      allowUnconfined: true,
      allowedProbeHosts: ['127.0.0.1'],
      allowedRegistries: ['localhost:5000'],
    });
  });

  it('flags replace the file’s lists and override its switches', () => {
    const { config: file } = parseDaemonConfig('berth.yaml', Buffer.from(config));
    const s = settleDaemon({ allowCapability: ['SYS_TIME'], allowProbeHost: ['db'], allowRegistry: ['127.0.0.1:5000'], allowHostPorts: false }, file!, { cwd: '/', env });
    expect(validateOptionsFrom(s.validation).hostPolicy).toMatchObject({ allowedCapabilities: ['SYS_TIME'], allowedProbeHosts: ['db'], allowedRegistries: ['127.0.0.1:5000'], allowedSysctls: ['net.core.somaxconn'], allowHostPorts: false });
  });

  // Issue 11 review, finding 4: each value is checked as its flag is, at its line in the file.
  it.each<{ key: string; value: string; message: RegExp }>([
    { key: 'hostPathPrefixes', value: 'hostdata', message: /^hostPathPrefixes\[0\] "hostdata" must be an absolute path/ },
    { key: 'hostPathPrefixes', value: '/a/b/../b', message: /^hostPathPrefixes\[0\] "\/a\/b\/..\/b" must be a normalized absolute path .* such as \/a\/b$/ },
    { key: 'allowedCapabilities', value: 'NET_ADMINN', message: /^allowedCapabilities\[0\] "NET_ADMINN" is not a Linux capability/ },
    { key: 'allowedCapabilities', value: 'ALL', message: /allowPrivileged: true allows; use that instead$/ },
    { key: 'allowedSysctls', value: 'net.*.rp_filter', message: /^allowedSysctls\[0\] "net.\*.rp_filter" must be a sysctl name/ },
    { key: 'allowedProbeHosts', value: 'http://db:8080', message: /^allowedProbeHosts\[0\] "http:\/\/db:8080" must be a host name or an IP address/ },
  ])('$key: $value is a config problem at its line, not a policy that never matches', ({ key, value, message }) => {
    const { config: file, problems } = parseDaemonConfig('berth.yaml', Buffer.from(`watch: /d\n${key}:\n  - "${value}"\n`));
    expect(file).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ file: 'berth.yaml', line: 3, column: 5, path: `${key}[0]`, code: 'config-policy-value', severity: 'error', message: expect.stringMatching(message) })]);
  });

  it('accepts what the flags accept', () => {
    const { problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nhostPathPrefixes: [/, /srv/data, /srv/www/]\nallowedSysctls: ["*", net.core.*, kernel.msg*, net/ipv4/ip_forward]\nallowedProbeHosts: ["*", db.internal, 10.0.0.5, "[::1]"]\n'));
    expect(problems).toEqual([]);
  });

  it('refuses keys of the wrong shape with line and column', () => {
    const { problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nallowHostPorts: yes please\nallowedProbeHosts: 127.0.0.1\n'));
    expect(problems.map((p) => `${p.line}:${p.path}`)).toEqual(['2:allowHostPorts', '3:allowedProbeHosts']);
  });
});

describe('edge ports (host policy)', () => {
  it.each<{ args: string[]; want: HostPolicy['edge'] }>([
    { args: [], want: undefined },
    { args: ['--edge-http-port', '8080', '--edge-https-port', '8443'], want: { httpPort: 8080, httpsPort: 8443 } },
    { args: ['--edge-http-port', '8080'], want: { httpPort: 8080, httpsPort: 443 } },
    { args: ['--edge-http-port', '81', '--allow-host-ports'], want: { httpPort: 81, httpsPort: 443 } },
  ])('$args', ({ args, want }) => {
    expect(policyFromArgv(args)?.edge).toEqual(want);
  });

  it.each<{ args: string[]; message: RegExp }>([
    { args: ['--edge-http-port', '0'], message: /^--edge-http-port "0": give a port from 1 to 65535$/ },
    { args: ['--edge-https-port', '70000'], message: /^--edge-https-port "70000": give a port/ },
    { args: ['--edge-http-port', 'http'], message: /^--edge-http-port "http": give a port/ },
    { args: ['--edge-http-port', '81'], message: /^--edge-http-port 81: a privileged port other than 80 or 443 needs --allow-host-ports$/ },
    { args: ['--edge-http-port', '8443', '--edge-https-port', '8443'], message: /both 8443: the edge needs two ports/ },
  ])('$args is refused', ({ args, message }) => {
    expect(() => policyFromArgv(args)).toThrow(expect.objectContaining({ code: 'USAGE', message: expect.stringMatching(message) }));
  });

  it('the daemon config file sets them; a flag wins', () => {
    const { config: file, problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nedgeHttpPort: 8080\nedgeHttpsPort: 8443\n'));
    expect(problems).toEqual([]);
    expect(validateOptionsFrom(settleDaemon({}, file!, { cwd: '/', env: {} }).validation).hostPolicy?.edge).toEqual({ httpPort: 8080, httpsPort: 8443 });
    expect(validateOptionsFrom(settleDaemon({ edgeHttpPort: '9080' }, file!, { cwd: '/', env: {} }).validation).hostPolicy?.edge).toEqual({ httpPort: 9080, httpsPort: 8443 });
  });
});
