import { describe, expect, it } from 'vitest';
import { guardRequest, hostPolicy, invalidApiHost, parseHostHeader, type RouteAccess } from '../../../src/runtime/api/guard.js';

/** The API's one request check, as data (the server tests drive it over real sockets). */
describe('parseHostHeader', () => {
  it.each([
    ['localhost', { hostname: 'localhost' }],
    ['LocalHost:7420', { hostname: 'localhost', port: 7420 }],
    ['berth.example.com.', { hostname: 'berth.example.com' }],
    ['127.0.0.1:80', { hostname: '127.0.0.1', port: 80 }],
    ['[::1]', { hostname: '[::1]' }],
    ['[::1]:7420', { hostname: '[::1]', port: 7420 }],
    ['', undefined],
    ['a b', undefined],
    ['[::1', undefined],
    ['[zz::1]', undefined],
    ['host:0', undefined],
    ['host:65536', undefined],
    ['user@host', undefined],
    ['host/path', undefined],
    ['-bad.example', undefined],
  ])('%j', (value, want) => {
    expect(parseHostHeader(value)).toEqual(want);
  });
});

describe('hostPolicy', () => {
  it('a loopback listener answers to the loopback names and its own address; a wildcard to IP literals', () => {
    expect([...hostPolicy('127.0.0.2').names].sort()).toEqual(['127.0.0.1', '127.0.0.2', '[::1]', 'localhost']);
    expect(hostPolicy('::1', ['Berth.Example.com'])).toEqual({ names: new Set(['berth.example.com', '[::1]', 'localhost', '127.0.0.1']), anyAddress: false });
    expect(hostPolicy('192.0.2.10')).toEqual({ names: new Set(['192.0.2.10']), anyAddress: false });
    expect(hostPolicy('0.0.0.0').anyAddress).toBe(true);
  });

  it.each([
    ['berth.example.com', undefined],
    ['[2001:db8::1]', undefined],
    ['https://berth.example.com', expect.stringContaining('without scheme')],
    ['berth.example.com:443', expect.stringContaining('without scheme, port')],
    ['*.example.com', expect.any(String)],
  ])('--api-host %s', (value, want) => {
    expect(invalidApiHost(value)).toEqual(want);
  });
});

describe('guardRequest', () => {
  const hosts = hostPolicy('127.0.0.1', ['berth.example.com']);
  const H = { host: '127.0.0.1:7420' };
  const JSON_TYPE = { 'content-type': 'application/json' };
  const cases: Array<{ title: string; method?: string; headers: Record<string, string>; access: RouteAccess | undefined; token?: string; want: number | undefined }> = [
    { title: 'a foreign Host on an open route', headers: { host: 'evil.example' }, access: 'open', want: 421 },
    { title: 'a foreign Host on an unknown path', headers: { host: 'evil.example' }, access: undefined, want: 421 },
    { title: 'no Host at all', headers: {}, access: 'read', want: 421 },
    { title: 'a read without a token configured', headers: H, access: 'read', want: undefined },
    { title: 'a read without the configured token', headers: H, access: 'read', token: 't', want: 401 },
    { title: 'a read with the token', headers: { ...H, authorization: 'Bearer t' }, access: 'read', token: 't', want: undefined },
    { title: 'the health probes with a token configured', headers: H, access: 'open', token: 't', want: undefined },
    { title: 'a form-like write without a token', method: 'POST', headers: { ...H, 'content-type': 'application/x-www-form-urlencoded' }, access: 'write', want: 403 },
    { title: 'a JSON write without a token', method: 'POST', headers: { ...H, ...JSON_TYPE }, access: 'write', want: undefined },
    { title: 'a write with the custom header', method: 'POST', headers: { ...H, 'x-berth-request': '1' }, access: 'write', want: undefined },
    { title: 'a cross-site write', method: 'POST', headers: { ...H, ...JSON_TYPE, 'sec-fetch-site': 'cross-site' }, access: 'write', want: 403 },
    { title: 'a write from another port of the same host', method: 'POST', headers: { ...H, ...JSON_TYPE, origin: 'http://127.0.0.1:3000' }, access: 'write', want: 403 },
    { title: 'a same-origin write', method: 'POST', headers: { ...H, ...JSON_TYPE, origin: 'http://127.0.0.1:7420' }, access: 'write', want: undefined },
    { title: 'a same-origin write through a TLS proxy name', method: 'POST', headers: { host: 'berth.example.com', ...JSON_TYPE, origin: 'https://berth.example.com' }, access: 'write', want: undefined },
    { title: 'a write with a token but no marker', method: 'POST', headers: { ...H, authorization: 'Bearer t' }, access: 'write', token: 't', want: undefined },
    { title: 'a webhook without a token, Origin or marker', method: 'POST', headers: H, access: 'webhook', token: 't', want: undefined },
    { title: 'a webhook to a foreign name', method: 'POST', headers: { host: 'evil.example' }, access: 'webhook', want: 421 },
  ];
  it.each(cases)('$title → $want', ({ method, headers, access, token, want }) => {
    expect(guardRequest(method ?? 'GET', headers, access, { hosts, ...(token ? { token } : {}) })?.status).toBe(want);
  });
});
