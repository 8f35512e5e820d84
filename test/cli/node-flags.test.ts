import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { settleDaemon } from '../../src/cli/commands/daemon-settings.js';
import type { ValidationFlags } from '../../src/cli/validation-flags.js';
import { addValidationOptions, explicitHostPolicy, validateOptionsFrom } from '../../src/cli/validation-flags.js';
import { parseDaemonConfig } from '../../src/runtime/config.js';

/** `--node-label k=v` and `--node-taint k=v:Effect`: the node this host is, for DaemonSet placement (docs/daemonsets.md). */
function flags(args: string[]): ValidationFlags {
  const cmd = addValidationOptions(new Command('apply').exitOverride());
  cmd.parse(args, { from: 'user' });
  return cmd.opts<ValidationFlags>();
}

describe('node labels and taints', () => {
  it.each([
    { args: [], want: {} },
    { args: ['--node-label', 'role=edge', '--node-label', 'example.com/disk=ssd'], want: { nodeLabels: { role: 'edge', 'example.com/disk': 'ssd' } } },
    { args: ['--node-label', 'empty='], want: { nodeLabels: { empty: '' } } },
    { args: ['--node-taint', 'dedicated=infra:NoSchedule', '--node-taint', 'maintenance:NoExecute'], want: { nodeTaints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }, { key: 'maintenance', effect: 'NoExecute' }] } },
  ])('$args', ({ args, want }) => {
    const policy = validateOptionsFrom(flags(args)).hostPolicy!;
    expect({ nodeLabels: policy.nodeLabels, nodeTaints: policy.nodeTaints }).toEqual({ nodeLabels: undefined, nodeTaints: undefined, ...want });
  });

  it.each([['role'], ['=edge'], ['bad key!=x'], ['role=has space'], ['kubernetes.io/hostname=other']])('--node-label %j is a usage error', (value) => {
    expect(() => validateOptionsFrom(flags(['--node-label', value]))).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it.each([['dedicated=infra'], ['dedicated:Never'], [':NoSchedule']])('--node-taint %j is a usage error', (value) => {
    expect(() => validateOptionsFrom(flags(['--node-taint', value]))).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('a node label given to a rollout command is a policy of its own (it replaces the applied one)', () => {
    expect(explicitHostPolicy(flags(['--node-label', 'role=edge']))?.nodeLabels).toEqual({ role: 'edge' });
    expect(explicitHostPolicy(flags([]))).toBeUndefined();
  });

  it('the daemon config file says the same as nodeLabels and nodeTaints; flags replace them', () => {
    const { config, problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nnodeLabels: {role: edge}\nnodeTaints: ["dedicated=infra:NoSchedule"]\n'));
    expect(problems).toEqual([]);
    const fromFile = validateOptionsFrom(settleDaemon({}, config!, { cwd: '/', env: {} }).validation).hostPolicy!;
    expect(fromFile.nodeLabels).toEqual({ role: 'edge' });
    expect(fromFile.nodeTaints).toEqual([{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
    const fromFlag = validateOptionsFrom(settleDaemon({ nodeLabel: ['role=core'] }, config!, { cwd: '/', env: {} }).validation).hostPolicy!;
    expect(fromFlag.nodeLabels).toEqual({ role: 'core' });
  });

  it('a malformed taint in the config file is reported with its place', () => {
    const { problems } = parseDaemonConfig('berth.yaml', Buffer.from('watch: /d\nnodeTaints: ["dedicated"]\n'));
    expect(problems.map((p) => [p.line, p.path])).toEqual([[2, 'nodeTaints[0]']]);
  });
});
