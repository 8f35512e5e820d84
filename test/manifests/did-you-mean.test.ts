import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein } from '../../src/manifests/did-you-mean.js';

describe('didYouMean', () => {
  const fields = ['containerPort', 'containers', 'command', 'image', 'imagePullPolicy', 'env', 'envFrom', 'volumeMounts'];
  it.each([
    { input: 'imagePolicy', want: 'imagePullPolicy' },
    { input: 'imag', want: 'image' },
    { input: 'imagePullPolicey', want: 'imagePullPolicy' },
    { input: 'ContainerPort', want: 'containerPort' },
    { input: 'env_from', want: 'envFrom' },
    { input: 'volume-mounts', want: 'volumeMounts' },
    { input: 'comand', want: 'command' },
    { input: 'replicas', want: undefined },
    { input: 'x', want: undefined },
  ])('$input → $want', ({ input, want }) => {
    expect(didYouMean(input, fields)).toBe(want);
  });

  it.each([
    { a: 'kitten', b: 'sitting', limit: undefined, want: 3 },
    { a: '', b: 'abc', limit: undefined, want: 3 },
    { a: 'same', b: 'same', limit: undefined, want: 0 },
    { a: 'abcdefgh', b: 'zzzzzzzz', limit: 2, want: 3 },
  ])('levenshtein($a, $b) = $want', ({ a, b, limit, want }) => {
    expect(levenshtein(a, b, limit)).toBe(want);
  });
});
