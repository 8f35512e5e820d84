import { describe, expect, it } from 'vitest';
import { age, humanDuration, shortHumanDuration } from '../../src/cli/output/age.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [-5 * S, '<invalid>'],
    [-1 * S, '0s'],
    [0, '0s'],
    [45 * S, '45s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 12 * S, '3m12s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 30 * M, '5h30m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [3 * D, '3d'],
    [3 * D + 4 * H, '3d4h'],
    [8 * D + 4 * H, '8d'],
    [400 * D, '400d'],
    [2 * 365 * D, '2y'],
    [3 * 365 * D + 10 * D, '3y10d'],
    [9 * 365 * D, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('shortHumanDuration', () => {
  it.each([
    [59 * S, '59s'],
    [61 * S, '1m'],
    [59 * M, '59m'],
    [2 * H + 59 * M, '2h'],
    [3 * D, '3d'],
    [400 * D, '1y'],
  ])('%d ms → %s', (ms, text) => {
    expect(shortHumanDuration(ms)).toBe(text);
  });
});

describe('age', () => {
  it.each([
    [undefined, '<unknown>'],
    [0, '<unknown>'],
    [1_000_000 - 45 * S, '45s'],
  ])('created %s → %s', (createdAt, text) => {
    expect(age(createdAt, 1_000_000)).toBe(text);
  });
});
