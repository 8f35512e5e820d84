import { describe, expect, it } from 'vitest';
import { divisorProblem, formatMap, goQuote, podUid, resourceFieldValue, splitFieldPath } from '../../src/model/downward.js';

const NODE = { cpu: 4, memory: 8 * 2 ** 30, ephemeralStorage: 100e9 };

describe('resourceFieldValue', () => {
  it.each([
    // cpu counts in millicores and rounds UP to the divisor (Kubernetes' convertResourceCPUToString)
    ['limits.cpu 250m, divisor 1', 'limits.cpu', undefined, { limits: { cpu: '250m' } }, '1'],
    ['limits.cpu 250m, divisor 1m', 'limits.cpu', '1m', { limits: { cpu: '250m' } }, '250'],
    ['limits.cpu 1.5, divisor 1', 'limits.cpu', '1', { limits: { cpu: '1.5' } }, '2'],
    ['limits.cpu 2, divisor 1000m (one core)', 'limits.cpu', '1000m', { limits: { cpu: '2' } }, '2'],
    ['requests.cpu 100m, divisor 1m', 'requests.cpu', '1m', { requests: { cpu: '100m' } }, '100'],
    // a request not set is the limit as written (the API server's defaulting), else 0
    ['requests.cpu unset, limit 500m', 'requests.cpu', '1m', { limits: { cpu: '500m' } }, '500'],
    ['requests.memory unset, no limit', 'requests.memory', undefined, {}, '0'],
    // a limit not set is the node's allocatable (the kubelet's defaulting)
    ['limits.cpu unset: the host CPUs', 'limits.cpu', undefined, {}, '4'],
    ['limits.cpu unset, divisor 1m', 'limits.cpu', '1m', undefined, '4000'],
    ['limits.memory unset: the host memory, in Mi', 'limits.memory', '1Mi', {}, '8192'],
    ['limits.ephemeral-storage unset, divisor 1G', 'limits.ephemeral-storage', '1G', {}, '100'],
    // bytes round up too
    ['limits.memory 128Mi, divisor 1', 'limits.memory', undefined, { limits: { memory: '128Mi' } }, String(128 * 2 ** 20)],
    ['limits.memory 128Mi, divisor 1Mi', 'limits.memory', '1Mi', { limits: { memory: '128Mi' } }, '128'],
    ['limits.memory 1.1G, divisor 1 (no float noise)', 'limits.memory', '1', { limits: { memory: '1.1G' } }, '1100000000'],
    ['limits.memory 1500k, divisor 1M', 'limits.memory', '1M', { limits: { memory: '1500k' } }, '2'],
    ['limits.memory 100Mi, divisor 1Gi', 'limits.memory', '1Gi', { limits: { memory: '100Mi' } }, '1'],
    ['limits.hugepages-2Mi 4Mi, divisor 1Mi', 'limits.hugepages-2Mi', '1Mi', { limits: { 'hugepages-2Mi': '4Mi' } }, '4'],
    ['limits.hugepages-2Mi unset: Docker gives none', 'limits.hugepages-2Mi', undefined, {}, '0'],
    ['requests.ephemeral-storage 2Gi, divisor 1Mi', 'requests.ephemeral-storage', '1Mi', { requests: { 'ephemeral-storage': '2Gi' } }, '2048'],
  ])('%s', (_name, resource, divisor, resources, want) => {
    expect(resourceFieldValue(resource, divisor, resources, NODE)).toBe(want);
  });
});

describe('divisorProblem', () => {
  it.each([
    ['limits.cpu', '1', false],
    ['limits.cpu', '1m', false],
    ['limits.cpu', '1000m', false],
    ['limits.cpu', '0.001', false],
    ['limits.cpu', '100m', true],
    ['limits.cpu', '1Mi', true],
    ['limits.memory', '1', false],
    ['limits.memory', '1Ki', false],
    ['limits.memory', '1Mi', false],
    ['limits.memory', '1G', false],
    ['limits.memory', '1E', false],
    ['limits.memory', '1m', true],
    ['limits.memory', '2Mi', true],
    ['requests.ephemeral-storage', '1Gi', false],
    ['requests.ephemeral-storage', '10G', true],
  ])('%s with divisor %s: refused %s', (resource, divisor, refused) => {
    expect(divisorProblem(resource, divisor) !== undefined).toBe(refused);
  });
});

describe('formatMap', () => {
  it.each([
    ['an empty map', {}, ''],
    ['sorted by key, no final newline', { tier: 'web', app: 'shop' }, 'app="shop"\ntier="web"'],
    ['quotes and backslashes escaped', { q: 'say "hi" \\o/' }, 'q="say \\"hi\\" \\\\o/"'],
    ['newlines and tabs escaped as Go does', { multi: 'a\nb\tc' }, 'multi="a\\nb\\tc"'],
    ['other control characters in hex', { c: '\u0001\u007f' }, 'c="\\x01\\x7f"'],
    ['printable unicode kept', { u: 'grüße 🚢' }, 'u="grüße 🚢"'],
    ['non-printable unicode escaped', { z: 'a\u00a0b\u200b' }, 'z="a\\u00a0b\\u200b"'],
    ['prefixed keys', { 'example.com/owner': 'team-a', 'kubernetes.io/change-cause': 'v2' }, 'example.com/owner="team-a"\nkubernetes.io/change-cause="v2"'],
  ])('%s', (_name, map, want) => {
    expect(formatMap(map)).toBe(want);
  });

  it('goQuote of the empty string', () => {
    expect(goQuote('')).toBe('""');
  });
});

describe('splitFieldPath', () => {
  it.each([
    ['metadata.name', { path: 'metadata.name' }],
    ["metadata.labels['app']", { path: 'metadata.labels', key: 'app' }],
    ["metadata.annotations['example.com/x']", { path: 'metadata.annotations', key: 'example.com/x' }],
    ["metadata.labels['app'", { path: "metadata.labels['app'" }],
  ])('%s', (input, want) => {
    expect(splitFieldPath(input)).toEqual(want);
  });
});

describe('podUid', () => {
  it('is the sandbox id in UUID form: the same for every reader, new for a new pod', () => {
    const id = 'a'.repeat(8) + 'b'.repeat(4) + 'c'.repeat(4) + 'd'.repeat(4) + 'e'.repeat(12) + 'f'.repeat(32);
    expect(podUid(id)).toBe('aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  });
});
