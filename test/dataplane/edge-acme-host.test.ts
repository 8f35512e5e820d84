import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readToken } from '../../src/dataplane/edge-acme.js';
import { tokenFile } from '../../src/runtime/acme/challenge.js';

/**
 * A token file names the host it was published for, and the edge answers it for that Host only:
 * berth checks that no other app holds the name it publishes for, and a hostile ACME server that
 * lies about the name (it passes a real CA's token for another app's host) gets no answer under
 * that other host, so no real CA can validate it.
 */
const dir = mkdtempSync(join(tmpdir(), 'berth-edge-acme-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'acme'));
const NOW = Date.parse('2026-12-05T12:00:00Z');
writeFileSync(join(dir, 'acme', 'named.json'), tokenFile('named.thumb', NOW, 'shop.test'));
writeFileSync(join(dir, 'acme', 'any.json'), tokenFile('any.thumb', NOW));
writeFileSync(join(dir, 'acme', 'odd.json'), JSON.stringify({ keyAuthorization: 'odd.thumb', notAfter: NOW + 60_000, identifier: 7 }));

describe('readToken and the host a token names', () => {
  it.each<[string, string, string | undefined, string | undefined]>([
    ['the named host', 'named', 'shop.test', 'named.thumb'],
    ['the named host in other case, with a port and a trailing dot', 'named', 'SHOP.test.:80', 'named.thumb'],
    ['another host', 'named', 'other.test', undefined],
    ['a host under it', 'named', 'a.shop.test', undefined],
    ['no Host', 'named', undefined, undefined],
    ['a file naming no host (written before the field): any host', 'any', 'whatever.test', 'any.thumb'],
    ['a host that is not a string', 'odd', 'shop.test', undefined],
  ])('%s', async (_what, token, host, want) => {
    expect(await readToken(join(dir, 'acme'), token, NOW, host)).toBe(want);
  });
});
