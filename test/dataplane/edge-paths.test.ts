/**
 * A route only sees requests its normalized path matches, and the backend gets that same path;
 * clients cannot pass off headers a backend takes for the proxy's.
 */
import { describe, expect, it } from 'vitest';
import { normalizePath, parseAuthority } from '../../src/dataplane/edge-request.js';
import { backendOf, fragment, raw, request, route, startHttpBackend, startTestEdge } from './edge-helpers.js';
import { useCleanup } from './helpers.js';

const defer = useCleanup();

describe('edge request paths and headers', () => {
  it.each([
    ['/', '/'],
    ['/a/b', '/a/b'],
    ['/a/b/', '/a/b/'],
    ['//a///b', '/a/b'],
    ['/a/./b', '/a/b'],
    ['/a/../b', '/b'],
    ['/../../b', '/b'],
    ['/public/..', '/'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/%2e%2e/admin', '/admin'],
    ['/public/%2E%2e/admin', '/admin'],
    ['/%61dmin', '/admin'],
    ['/a%7eb', '/a~b'],
    ['/a%3fb', '/a%3Fb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['/a%2Fb', undefined],
    ['/admin%2f..', undefined],
    ['/a%5cb', undefined],
    ['/a\\b', undefined],
    ['/a%00', undefined],
    ['/a%zz', undefined],
    ['/a%2', undefined],
    ['/a\x01b', undefined],
  ])('normalizes %j to %j', (path, want) => expect(normalizePath(path)).toBe(want));

  it.each([
    ['shop.test', { host: 'shop.test' }],
    ['SHOP.test.:8080', { host: 'shop.test', port: 8080 }],
    ['[::1]:443', { host: '[::1]', port: 443 }],
    ['10.0.0.1', { host: '10.0.0.1' }],
    ['shop.test:0', undefined],
    ['shop.test:', undefined],
    ['[zz]', undefined],
    ['a..b', undefined],
    ['a b', undefined],
    ['shop.test/x', undefined],
    ['', undefined],
  ])('parses Host %j as %j', (host, want) => expect(parseAuthority(host)).toEqual(want));

  it('matches and forwards the normalized path, so dot segments cannot leave a route', async () => {
    const [pub, admin] = await Promise.all([startHttpBackend(defer, 'pub'), startHttpBackend(defer, 'admin')]);
    const edge = await startTestEdge(defer);
    await edge.configure(
      fragment('shop', 'shop.test', [route('admin', 'Prefix', '/admin', [{ backend: 'admin', weight: 1 }]), route('pub', 'Prefix', '/public', [{ backend: 'pub', weight: 1 }])], [backendOf('pub', [pub]), backendOf('admin', [admin])]),
      1,
    );
    // Sent raw: an HTTP client would normalize these itself.
    const get = async (path: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(await raw(edge.port, `GET ${path} HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n`))?.[1]);
    expect(await get('/public/../admin/x')).toBe(200);
    expect(await get('/public/%2e%2e/admin')).toBe(200);
    expect(await get('/public//a/./b?q=%2F..#frag')).toBe(200);
    expect(await get('/%70ublic/a')).toBe(200);
    expect(await get('/public/x%2F..%2F..%2Fadmin')).toBe(400);
    expect(await get('/public/..\\admin')).toBe(400);
    expect(admin.requests.map((r) => r.url)).toEqual(['/admin/x', '/admin']);
    expect(pub.requests.map((r) => r.url)).toEqual(['/public/a/b?q=%2F..', '/public/a']);
  });

  it('rewrites ReplacePrefixMatch on the normalized path', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    const rewrite = (value: string) => [{ type: 'URLRewrite' as const, path: { type: 'ReplacePrefixMatch' as const, value } }];
    await edge.configure(
      fragment('shop', 'shop.test', [route('v1', 'Prefix', '/v1/', [{ backend: 'web', weight: 1 }], { filters: rewrite('/') }), route('api', 'Prefix', '/api', [{ backend: 'web', weight: 1 }], { filters: rewrite('/v2/') })], [backendOf('web', [web])]),
      1,
    );
    for (const path of ['/v1', '/v1/', '/v1/a/../b', '/api', '/api/', '/api//x', '/api/x/..']) await request(edge.port, { path });
    expect(web.requests.map((r) => r.url)).toEqual(['/', '/', '/b', '/v2/', '/v2/', '/v2/x', '/v2/']);
  });

  it('drops client-sent proxy headers, their underscore spellings and Connection-listed tricks', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    await raw(
      edge.port,
      'GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close, X-Forwarded-For, X-Real-IP\r\nX_Forwarded_For: 6.6.6.6\r\nX-Real_IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\nX-Forwarded-Prefix: /evil\r\nX-Client-IP: 6.6.6.6\r\nX-Kept: yes\r\n\r\n',
    );
    const seen = web.requests.at(-1)!.headers;
    expect(JSON.stringify(seen)).not.toContain('6.6.6.6');
    expect(Object.keys(seen).filter((k) => /forwarded|real|original|rewrite|client-ip/.test(k.replaceAll('_', '-'))).sort()).toEqual(['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-proto', 'x-real-ip']);
    expect([seen['x-forwarded-for'], seen['x-real-ip'], seen['x-kept']]).toEqual(['127.0.0.1', '127.0.0.1', 'yes']);
  });

  it('takes X-Real-IP from the right-most untrusted X-Forwarded-For entry', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer, { trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'] });
    await edge.configure(fragment('shop', 'shop.test', [route('r', 'Prefix', '/', [{ backend: 'web', weight: 1 }])], [backendOf('web', [web])]), 1);
    // The client wrote 6.6.6.6; the load balancer (10.0.0.5, trusted) appended the real 203.0.113.7.
    await request(edge.port, { headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.5' } });
    expect(web.requests.at(-1)!.headers).toMatchObject({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.5, 127.0.0.1', 'x-real-ip': '203.0.113.7' });
  });

  it('builds redirect Locations from the normalized host and path only', async () => {
    const web = await startHttpBackend(defer, 'web');
    const edge = await startTestEdge(defer);
    const config = fragment('shop', '*.test', [route('r', 'Prefix', '/', [], { filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }] })], [backendOf('web', [web])]);
    config.virtualHosts[0]!.wildcard = 'suffix';
    await edge.configure(config, 1);
    const redirect = async (host: string, path: string) => {
      const answer = await raw(edge.port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      return [Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]), /\r\nlocation: ([^\r]*)/i.exec(answer)?.[1]];
    };
    expect(await redirect('SHOP.Test.:8080', '/a/../x//y?q=1')).toEqual([301, 'https://shop.test/x/y?q=1']);
    expect(await redirect('evil.example@shop.test', '/')).toEqual([400, undefined]);
    expect(await redirect('shop.test', '//evil.example/')).toEqual([301, 'https://shop.test/evil.example/']);
    expect(await redirect('shop.test', '/%2F%2Fevil.example')).toEqual([400, undefined]);
    expect(web.requests).toEqual([]);
  });
});
