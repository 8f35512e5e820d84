import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/manifests/did-you-mean.js';

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
    // Swapped neighbours are one edit (issue 14): Levenshtein counted two and found nothing.
    { input: 'imgae', want: 'image' },
    { input: 'contianers', want: 'containers' },
    { input: 'ennv', want: 'env' },
    { input: 'evn', want: 'env' },
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
    { a: 'imgae', b: 'image', limit: undefined, want: 1 },
    { a: 'ab', b: 'ba', limit: undefined, want: 1 },
    // Optimal string alignment edits no substring twice: CA → ABC is 3 (true Damerau: 2).
    { a: 'ca', b: 'abc', limit: undefined, want: 3 },
    { a: 'abcdef', b: 'badcfe', limit: 2, want: 3 },
    { a: 'abcdef', b: 'badcfe', limit: undefined, want: 3 },
  ])('editDistance($a, $b) = $want', ({ a, b, limit, want }) => {
    expect(editDistance(a, b, limit)).toBe(want);
  });
});
