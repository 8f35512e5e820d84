import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryPublisher, tokenPath } from '../../src/runtime/acme/challenge.js';
import { FakeClock } from '../support/fake-clock.js';

/**
 * The HTTP-01 token comes from the ACME server, and the server is whatever URL a manifest's
 * Issuer names: it is hostile. It becomes a file name in the shared edge's volume (and, for the
 * directory publisher, on the host as root), so anything but RFC 8555's base64url is refused
 * before it reaches a path: `../apps/<other app>/…` would overwrite another app's fragment.
 */
const root = mkdtempSync(join(tmpdir(), 'berth-acme-tokens-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('HTTP-01 token file names', () => {
  it.each(['abc', 'A-z_09', 'x'.repeat(200)])('%s is a token file under acme/', (token) => {
    expect(tokenPath(token)).toBe(`acme/${token}.json`);
  });

  it.each([
    ['a parent directory', '../apps/other/config'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a dot', 'tok.en'],
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
    ['a NUL', 'a\0b'],
    ['a newline', 'a\nb'],
  ])('refuses %s', (_what, token) => {
    expect(() => tokenPath(token)).toThrow(/HTTP-01 token/);
  });

  it('the directory publisher writes nothing for a refused token', async () => {
    const dir = join(root, 'edge');
    const publisher = directoryPublisher(dir, new FakeClock());
    await expect(publisher.publish('../../escaped', 'k.a', 'shop.test')).rejects.toThrow(/HTTP-01 token/);
    await expect(publisher.unpublish('../../escaped')).rejects.toThrow(/HTTP-01 token/);
    expect(readdirSync(root)).toEqual([]);
  });
});
