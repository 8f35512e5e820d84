import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTlsSecret } from '../../src/model/tls-secret.js';
import { selfSigned } from '../support/tls.js';

const a = selfSigned('a.test', ['a.test', 'www.a.test']);
const b = selfSigned('b.test');
const legacy = selfSigned('Legacy.Test', []);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const secret = (data: Record<string, string>, type = 'kubernetes.io/tls') => ({ type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

describe('readTlsSecret: a kubernetes.io/tls Secret as the edge loads it', () => {
  it('one PEM, key then chain, named by its SHA-256, with the leaf\'s DNS names and expiry', () => {
    const r = readTlsSecret(secret({ 'tls.crt': a.crt, 'tls.key': a.key }));
    if ('error' in r) throw new Error(r.error);
    expect(r.id).toBe(`sha256:${createHash('sha256').update(r.pem).digest('hex')}`);
    expect(r.pem.indexOf('PRIVATE KEY')).toBeLessThan(r.pem.indexOf('BEGIN CERTIFICATE'));
    expect(r.names).toEqual(['a.test', 'www.a.test']);
    expect(Date.parse(r.notAfter)).toBeGreaterThan(Date.now());
  });

  it('the id depends on content only (CRLF line ends are the same file)', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const x = readTlsSecret(secret({ 'tls.crt': a.crt, 'tls.key': a.key }));
    const y = readTlsSecret(secret({ 'tls.crt': crlf(a.crt), 'tls.key': crlf(a.key) }));
    expect('id' in x && 'id' in y && x.id === y.id).toBe(true);
  });

  it('a leaf without subjectAltName is named by its CN, lower-case', () => {
    const r = readTlsSecret(secret({ 'tls.crt': legacy.crt, 'tls.key': legacy.key }));
    expect('names' in r ? r.names : r.error).toEqual(['legacy.test']);
  });

  it.each([
    ['another type', secret({ 'tls.crt': a.crt, 'tls.key': a.key }, 'Opaque'), 'its type is "Opaque", not kubernetes.io/tls'],
    ['no key', secret({ 'tls.crt': a.crt }), 'it needs both tls.crt and tls.key'],
    ['an empty certificate', secret({ 'tls.crt': '', 'tls.key': a.key }), 'it needs both tls.crt and tls.key'],
    ['no PEM in tls.crt', secret({ 'tls.crt': 'hello', 'tls.key': a.key }), 'tls.crt holds no PEM CERTIFICATE block'],
    ['two keys', secret({ 'tls.crt': a.crt, 'tls.key': a.key + b.key }), 'tls.key must hold exactly one PEM private key (found 2)'],
    ['a key of another certificate', secret({ 'tls.crt': a.crt, 'tls.key': b.key }), "tls.key is not the private key of tls.crt's first certificate"],
    ['a garbled certificate', secret({ 'tls.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'tls.key': a.key }), /^tls.crt's first certificate does not parse/],
    ['a garbled key', secret({ 'tls.crt': a.crt, 'tls.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }), /^tls.key does not parse/],
  ])('%s: refused, saying why', (_name, s, why) => {
    const r = readTlsSecret(s);
    expect('error' in r ? r.error : 'accepted').toMatch(why);
  });
});
