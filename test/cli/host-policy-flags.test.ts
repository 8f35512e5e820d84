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

  it('a capability name the config misspells stops the daemon with a usage error', () => {
    const { config: file } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nallowedCapabilities: [NET_ADMINN]\n'));
    const s = settleDaemon({}, file!, { cwd: '/', env });
    expect(() => validateOptionsFrom(s.validation)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('refuses keys of the wrong shape with line and column', () => {
    const { problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nallowHostPorts: yes please\nallowedProbeHosts: 127.0.0.1\n'));
    expect(problems.map((p) => `${p.line}:${p.path}`)).toEqual(['2:allowHostPorts', '3:allowedProbeHosts']);
  });
});
