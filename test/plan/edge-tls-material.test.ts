import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledCertificate } from '../../src/plan/edge/compiled.js';
import { readTlsSecret, tlsMaterial } from '../../src/plan/edge/tls-material.js';
import type { Resource, Secret } from '../../src/model/types.js';

let dir = '';
const pems: Record<string, { crt: string; key: string }> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-tls-material-'));
  for (const name of ['a.test', 'b.test']) {
    const k = join(dir, `${name}.key`);
    const c = join(dir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name},DNS:www.${name}`, '-keyout', k, '-out', c], { stdio: 'ignore' });
    pems[name] = { crt: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
function secret(name: string, data: Record<string, string>, type = 'kubernetes.io/tls'): Resource {
  const object: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) };
  return { key: `Secret/shop/${name}`, object, source: { file: 'tls.yaml', line: 1, column: 1 } } as Resource;
}
const cert = (name: string): CompiledCertificate => ({ id: `Secret/shop/${name}`, secret: { namespace: 'shop', name } });
const now = new Date('2026-12-05T00:00:00Z');

describe('tlsMaterial: kubernetes.io/tls Secrets → the edge\'s content-addressed certificate files', () => {
  it('a valid Secret becomes one PEM (key, then chain) named by its SHA-256, with the leaf\'s DNS names', () => {
    const { files, notes } = tlsMaterial([cert('web-tls')], [secret('web-tls', { 'tls.crt': pems['a.test']!.crt, 'tls.key': pems['a.test']!.key })], now);
    expect(notes).toEqual([]);
    const f = files.get('Secret/shop/web-tls')!;
    expect(f.id).toBe(`sha256:${createHash('sha256').update(f.pem).digest('hex')}`);
    expect(f.pem.indexOf('PRIVATE KEY')).toBeLessThan(f.pem.indexOf('BEGIN CERTIFICATE'));
    expect(f.names).toEqual(['a.test', 'www.a.test']);
    expect(f.source).toBe('Secret/shop/web-tls');
    expect(Date.parse(f.notAfter)).toBeGreaterThan(Date.now());
  });

  it('the id depends on content only: the same pair in two Secrets, or with CRLF line ends, is one file', () => {
    const a = pems['a.test']!;
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const { files } = tlsMaterial(
      [cert('one'), cert('two')],
      [secret('one', { 'tls.crt': a.crt, 'tls.key': a.key }), secret('two', { 'tls.crt': crlf(a.crt), 'tls.key': crlf(a.key) })],
      now,
    );
    expect(files.get('Secret/shop/one')!.id).toBe(files.get('Secret/shop/two')!.id);
  });

  it.each([
    ['another type', () => secret('web-tls', { 'tls.crt': pems['a.test']!.crt, 'tls.key': pems['a.test']!.key }, 'Opaque'), /type is "Opaque", not kubernetes.io\/tls/],
    ['no key', () => secret('web-tls', { 'tls.crt': pems['a.test']!.crt }), /needs both tls.crt and tls.key/],
    ['an empty certificate', () => secret('web-tls', { 'tls.crt': '', 'tls.key': pems['a.test']!.key }), /needs both/],
    ['no PEM in tls.crt', () => secret('web-tls', { 'tls.crt': 'hello', 'tls.key': pems['a.test']!.key }), /no PEM CERTIFICATE block/],
    ['two keys', () => secret('web-tls', { 'tls.crt': pems['a.test']!.crt, 'tls.key': pems['a.test']!.key + pems['b.test']!.key }), /exactly one PEM private key \(found 2\)/],
    ['a key of another certificate', () => secret('web-tls', { 'tls.crt': pems['a.test']!.crt, 'tls.key': pems['b.test']!.key }), /not the private key of tls.crt/],
    ['a garbled certificate', () => secret('web-tls', { 'tls.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'tls.key': pems['a.test']!.key }), /does not parse/],
  ])('%s: not loaded, with a warning that names the Secret and the fix', (_name, make, why) => {
    const { files, notes } = tlsMaterial([cert('web-tls')], [make()], now);
    expect(files.size).toBe(0);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.object).toBe('Secret/shop/web-tls');
    expect(notes[0]!.severity).toBe('warning');
    expect(notes[0]!.message).toMatch(why);
    expect(notes[0]!.message).toMatch(/TLS alert/);
  });

  it('a Secret missing from the revision is a warning that says how to make one', () => {
    const { files, notes } = tlsMaterial([cert('web-tls')], [], now);
    expect(files.size).toBe(0);
    expect(notes.map((n) => n.message)).toEqual([expect.stringMatching(/no such Secret in the revision \(add a kubernetes.io\/tls Secret named web-tls in namespace shop, or an issuer annotation/)]);
  });

  it('an expired certificate is still served, with a warning', () => {
    const { files, notes } = tlsMaterial([cert('web-tls')], [secret('web-tls', { 'tls.crt': pems['a.test']!.crt, 'tls.key': pems['a.test']!.key })], new Date('2100-01-01T00:00:00Z'));
    expect(files.size).toBe(1);
    expect(notes.map((n) => n.message)).toEqual([expect.stringMatching(/expired at .*; clients will refuse it/)]);
  });

  it('readTlsSecret names the chain\'s CN when the leaf has no subjectAltName', () => {
    const k = join(dir, 'cn.key');
    const c = join(dir, 'cn.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=Legacy.Test', '-keyout', k, '-out', c], { stdio: 'ignore' });
    const r = readTlsSecret(secret('legacy', { 'tls.crt': readFileSync(c, 'utf8'), 'tls.key': readFileSync(k, 'utf8') }).object as Secret);
    expect('error' in r ? r.error : r.names).toEqual(['legacy.test']);
  });
});
