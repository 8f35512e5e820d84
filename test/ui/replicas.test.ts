import { describe, expect, it } from 'vitest';
import { parseReplicas } from '../../ui/src/lib/replicas.js';

describe('the Scale form reads Replicas as a whole number, 0 or more', () => {
  it.each([
    ['3', 3],
    [' 0 ', 0],
    ['10000', 10000],
  ])('%j is %i', (text, replicas) => {
    expect(parseReplicas(text)).toEqual({ ok: true, replicas });
  });

  it.each(['', '   ', '1.5', '-1', '1e2', 'two', '0x3', '10001'])('%j is refused, naming the field', (text) => {
    const r = parseReplicas(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/^Replicas: /);
  });
});
