import { describe, expect, it } from 'vitest';
import type { NodeSelectorRequirement, PodScheduling, Taint, Toleration } from '../../src/model/types.js';
import { daemonPodFits, goArch, hostNode, parseTaint, requirementMatches, tolerates } from '../../src/model/node-scheduling.js';

const node = hostNode({ name: 'Box-1', arch: 'amd64' }, { labels: { disk: 'ssd', zone: 'a', cores: '8' } });

describe('hostNode', () => {
  it('labels the host as a kubelet does, plus the operator labels; the kubelet labels win', () => {
    const n = hostNode({ name: 'Box-1', arch: 'arm64' }, { labels: { 'kubernetes.io/hostname': 'other', team: 'x' } });
    expect(n.name).toBe('box-1');
    expect(n.labels).toEqual({
      team: 'x',
      'kubernetes.io/hostname': 'box-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'arm64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'arm64',
    });
    expect(n.taints).toEqual([]);
  });
  it.each([
    ['x86_64', 'amd64'],
    ['aarch64', 'arm64'],
    ['armv7l', 'arm'],
    ['i686', '386'],
    ['ppc64le', 'ppc64le'],
    ['s390x', 's390x'],
    ['mips64', 'mips64'],
  ])("Docker's info.Architecture %s is GOARCH %s", (arch, want) => {
    expect(goArch(arch)).toBe(want);
  });
});

describe('node selector requirements (In, NotIn, Exists, DoesNotExist, Gt, Lt)', () => {
  it.each<[string, NodeSelectorRequirement, boolean]>([
    ['In, value listed', { key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }, true],
    ['In, value not listed', { key: 'disk', operator: 'In', values: ['hdd'] }, false],
    ['In, label absent', { key: 'gpu', operator: 'In', values: ['yes'] }, false],
    ['NotIn, value listed', { key: 'disk', operator: 'NotIn', values: ['ssd'] }, false],
    ['NotIn, value not listed', { key: 'disk', operator: 'NotIn', values: ['hdd'] }, true],
    ['NotIn, label absent', { key: 'gpu', operator: 'NotIn', values: ['yes'] }, true],
    ['Exists, present', { key: 'zone', operator: 'Exists' }, true],
    ['Exists, absent', { key: 'gpu', operator: 'Exists' }, false],
    ['DoesNotExist, absent', { key: 'gpu', operator: 'DoesNotExist' }, true],
    ['DoesNotExist, present', { key: 'zone', operator: 'DoesNotExist' }, false],
    ['Gt, greater', { key: 'cores', operator: 'Gt', values: ['4'] }, true],
    ['Gt, equal', { key: 'cores', operator: 'Gt', values: ['8'] }, false],
    ['Lt, less', { key: 'cores', operator: 'Lt', values: ['16'] }, true],
    ['Lt, greater', { key: 'cores', operator: 'Lt', values: ['2'] }, false],
    ['Gt, label not a number', { key: 'disk', operator: 'Gt', values: ['1'] }, false],
    ['Lt, label absent', { key: 'gpu', operator: 'Lt', values: ['1'] }, false],
  ])('%s', (_name, req, want) => {
    expect(requirementMatches(req, node.labels)).toBe(want);
  });
});

describe('tolerations against taints', () => {
  const taint: Taint = { key: 'dedicated', value: 'infra', effect: 'NoSchedule' };
  it.each<[string, Toleration, boolean]>([
    ['Equal, same key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }, true],
    ['Equal is the default operator', { key: 'dedicated', value: 'infra' }, true],
    ['Equal, other value', { key: 'dedicated', value: 'web', effect: 'NoSchedule' }, false],
    ['Exists, same key, any value', { key: 'dedicated', operator: 'Exists' }, true],
    ['Exists, no key: tolerates everything', { operator: 'Exists' }, true],
    ['other effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['other key', { key: 'gpu', operator: 'Exists' }, false],
  ])('%s', (_name, t, want) => {
    expect(tolerates(t, taint)).toBe(want);
  });
});

describe('daemonPodFits: whether this host runs the daemon pod', () => {
  const tainted = (taints: Taint[]) => ({ ...node, taints });
  it.each<[string, PodScheduling, ReturnType<typeof hostNode>, boolean, RegExp?]>([
    ['no placement fields', {}, node, true],
    ['nodeSelector on the kubelet labels', { nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'box-1' } }, node, true],
    ['nodeSelector on an operator label', { nodeSelector: { disk: 'ssd' } }, node, true],
    ['nodeSelector value differs', { nodeSelector: { disk: 'hdd' } }, node, false, /nodeSelector disk=hdd does not match the node's label disk=ssd/],
    ['nodeSelector label absent', { nodeSelector: { gpu: 'yes' } }, node, false, /no gpu/],
    [
      'required node affinity, one of two terms matches',
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] }] } } } },
      node,
      true,
    ],
    [
      'required node affinity, expressions of a term are ANDed',
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'zone', operator: 'NotIn', values: ['a'] }] }] } } } },
      node,
      false,
      /no term of affinity.nodeAffinity/,
    ],
    ['matchFields metadata.name', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['box-1'] }] }] } } } }, node, true],
    ['an empty term matches nothing', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }, node, false],
    ['preferred affinity alone never keeps the pod off', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }] } } }, node, true],
    ['an untolerated NoSchedule taint', {}, tainted([{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]), false, /taint dedicated=infra:NoSchedule is not tolerated/],
    ['an untolerated NoExecute taint', {}, tainted([{ key: 'maintenance', effect: 'NoExecute' }]), false, /maintenance:NoExecute/],
    ['a PreferNoSchedule taint does not keep it off', {}, tainted([{ key: 'spare', effect: 'PreferNoSchedule' }]), true],
    ['a tolerated taint', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' }] }, tainted([{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]), true],
    ['daemon pods tolerate node.kubernetes.io/unschedulable as Kubernetes adds it', {}, tainted([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), true],
  ])('%s', (_name, spec, n, fits, reason) => {
    const got = daemonPodFits(spec, n);
    expect(got.fits).toBe(fits);
    expect(got.reasons.length === 0).toBe(fits);
    if (reason) expect(got.reasons.join('; ')).toMatch(reason);
  });
});

describe('parseTaint', () => {
  it.each([
    ['dedicated=infra:NoSchedule', { key: 'dedicated', value: 'infra', effect: 'NoSchedule' }],
    ['maintenance:NoExecute', { key: 'maintenance', effect: 'NoExecute' }],
    ['spare=:PreferNoSchedule', { key: 'spare', effect: 'PreferNoSchedule' }],
    ['dedicated=infra', undefined],
    ['dedicated=infra:Sometimes', undefined],
  ])('%s', (text, want) => {
    expect(parseTaint(text)).toEqual(want);
  });
});
