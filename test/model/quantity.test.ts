import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../src/model/quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['1', 1],
    ['1.5', 1.5],
    ['1Gi', 2 ** 30],
    ['128Mi', 128 * 2 ** 20],
    ['1k', 1000],
    ['2e3', 2000],
    ['.5', 0.5],
    [2, 2],
  ] as const)('%s → %s', (input, expected) => {
    expect(parseQuantity(input)).toBe(expected);
  });

  it.each(['12 GB', '1gi', 'abc', '', '1.2.3', 'Gi'])('rejects %j', (input) => {
    expect(parseQuantity(input)).toBeUndefined();
  });
});
