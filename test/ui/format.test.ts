import { describe, expect, it } from 'vitest';
import { backoffDelay, STREAM_BACKOFF } from '../../ui/src/lib/backoff.js';
import { ago, duration, keepLastLines, keyLabel, location, parseKey, shortId, subject, timestamp } from '../../ui/src/lib/format.js';

const NOW = Date.parse('2026-12-06T03:00:00Z');

describe('format', () => {
  it.each([
    [null, 'never'],
    ['2026-12-06T03:00:00Z', 'just now'],
    ['2026-12-06T03:00:05Z', 'just now'],
    ['2026-12-06T02:59:48Z', '12s ago'],
    ['2026-12-06T02:55:00Z', '5m ago'],
    ['2026-12-06T00:00:00Z', '3h ago'],
    ['2026-12-04T03:00:00Z', '2d ago'],
    ['not a time', 'not a time'],
  ])('ago(%s) = %s', (iso, expected) => {
    expect(ago(iso, NOW)).toBe(expected);
  });

  it.each([
    [0, '0 ms'],
    [850.4, '850 ms'],
    [1234, '1.2 s'],
    [59_949, '59.9 s'],
    [123_000, '2m 03s'],
  ])('duration(%s) = %s', (ms, expected) => {
    expect(duration(ms)).toBe(expected);
  });

  it.each([
    ['2026-12-06T03:04:05.123Z', '2026-12-06 03:04:05 UTC'],
    [undefined, ''],
    ['garbage', 'garbage'],
  ])('timestamp(%s) = %s', (iso, expected) => {
    expect(timestamp(iso)).toBe(expected);
  });

  it.each([
    ['0123456789abcdef0123456789abcdef01234567', '0123456'],
    ['sha256-3f2a9c0d1e2b3c4d5e6f', 'sha256-3f2a9'],
    [null, ''],
  ])('shortId(%s) = %s', (id, expected) => {
    expect(shortId(id)).toBe(expected);
  });

  it.each([
    [{ file: 'apps/web.yaml', line: 12, column: 3 }, 'apps/web.yaml:12:3'],
    [{ file: 'apps/web.yaml', line: 12, column: 0 }, 'apps/web.yaml:12'],
    [{ file: 'link.yaml', line: 0, column: 0 }, 'link.yaml'],
  ])('location(%o) = %s', (p, expected) => {
    expect(location(p)).toBe(expected);
  });

  it.each([
    ['fix: image tag\n\nlonger body', 'fix: image tag'],
    ['  one line  ', 'one line'],
    [undefined, ''],
  ])('subject(%j) = %j', (message, expected) => {
    expect(subject(message)).toBe(expected);
  });

  it.each([
    ['Deployment/shop/web', { kind: 'Deployment', namespace: 'shop', name: 'web' }],
    ['Namespace/shop', { kind: 'Namespace', name: 'shop' }],
    // berth's own key of a cluster-scoped object, as events name it.
    ['Namespace//shop', { kind: 'Namespace', name: 'shop' }],
    ['Deployment/shop/', undefined],
    ['/shop/web', undefined],
    ['nonsense', undefined],
  ])('parseKey(%s)', (key, expected) => {
    expect(parseKey(key)).toEqual(expected);
  });

  it.each([
    ['Namespace//shop', 'Namespace/shop'],
    ['Deployment/shop/web', 'Deployment/shop/web'],
    ['Source/git', 'Source/git'],
    ['nonsense', 'nonsense'],
  ])('keyLabel(%s) = %s', (key, label) => {
    expect(keyLabel(key)).toBe(label);
  });
});

describe('stream reconnect backoff', () => {
  it.each([
    [0, 0, 500],
    [1, 0, 1000],
    [3, 0, 4000],
    [10, 0, 15_000],
    [0, 0.5, 450],
    [10, 0.999, 12_003],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(STREAM_BACKOFF, attempt, random)).toBe(expected);
  });
});

describe('keepLastLines', () => {
  it.each([
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\n', 5, 'a\nb\n'],
    ['', 3, ''],
    ['only', 1, 'only'],
    ['a\nb\nc\n', 1, 'c\n'],
  ])('%j keeping %i', (text, max, expected) => {
    expect(keepLastLines(text, max)).toBe(expected);
  });
});
