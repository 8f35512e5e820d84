import { describe, expect, it } from 'vitest';
import { imageRegistry, isLoopbackHost, localHostScope, registryHost } from '../../src/model/image-ref.js';

describe('imageRegistry reads the registry as Docker does', () => {
  it.each([
    ['busybox', undefined],
    ['busybox:1.36', undefined],
    ['berth-examples/web:1.0', undefined],
    ['library/nginx@sha256:' + 'a'.repeat(64), undefined],
    ['localhost/app', 'localhost'],
    ['localhost:5000/app:1', 'localhost:5000'],
    ['127.0.0.1:32568/nothere:latest', '127.0.0.1:32568'],
    ['[::1]:5000/app', '[::1]:5000'],
    ['ghcr.io/org/app:2', 'ghcr.io'],
    ['Registry/app', 'Registry'],
    ['a.b/c/d/e', 'a.b'],
  ])('%s → %s', (ref, want) => {
    expect(imageRegistry(ref)).toBe(want);
  });
});

describe('registryHost', () => {
  it.each([
    ['localhost:5000', 'localhost'],
    ['[::1]:5000', '::1'],
    ['[fe80::1]', 'fe80::1'],
    ['Example.ORG.', 'example.org'],
    ['127.0.0.1', '127.0.0.1'],
  ])('%s → %s', (registry, want) => {
    expect(registryHost(registry)).toBe(want);
  });
});

describe('localHostScope', () => {
  it.each([
    ['localhost', 'loopback'],
    ['registry.localhost', 'loopback'],
    ['127.0.0.1', 'loopback'],
    ['127.255.3.4', 'loopback'],
    ['127.1', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['2130706433', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', undefined],
    ['128.0.0.1', undefined],
    ['169.255.0.1', undefined],
    ['fec0::1', undefined],
    ['2001:db8::1', undefined],
    ['ghcr.io', undefined],
    ['localhost.example.org', undefined],
    ['127.0.0.1.nip.io', undefined],
    ['256.1.1.1', undefined],
    ['1.2.3.4.5', undefined],
    [':::1', undefined],
  ])('%s → %s', (host, want) => {
    expect(localHostScope(host)).toBe(want);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.0.0.53', true],
    ['127.1', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    // A listener's safety must not rest on the resolver mapping *.localhost to loopback.
    ['api.localhost', false],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['169.254.1.1', false],
    ['example.com', false],
  ])('%s → %s', (host, want) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});
