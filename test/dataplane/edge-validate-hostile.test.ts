/**
 * Fragments are derived from hostile manifests: a value Node refuses to write (a control byte
 * in a header value, a path the HTTP client throws on) must be refused at validation, never
 * reach a request where the throw would take the edge down. A path value must also be in the
 * normalized form the edge matches requests in, or the route could never (or wrongly) match.
 */
import { describe, expect, it } from 'vitest';
import { validateEdgeConfig } from '../../src/dataplane/edge-validate.js';
import type { EdgeConfig, EdgeRoute } from '../../src/dataplane/protocol.js';

function withRoute(r: Partial<EdgeRoute>): EdgeConfig {
  return {
    app: 'shop',
    virtualHosts: [{ host: 'shop.test', listeners: ['http'], routes: [{ id: 'r', path: { type: 'Prefix', value: '/' }, backends: [{ backend: 'web', weight: 1 }], ...r }] }],
    backends: [{ id: 'web', service: { namespace: 'shop', name: 'web', port: 80 }, endpoints: [] }],
    certificates: [],
  };
}

describe('edge fragment validation (hostile values)', () => {
  it.each([
    ['a control byte in a set header', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'X-A', value: 'a\x01b' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].set[0]'],
    ['DEL in an added header', { filters: [{ type: 'RequestHeaderModifier', add: [{ name: 'X-A', value: 'a\x7fb' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].add[0]'],
    ['a non-Latin-1 header value', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'X-A', value: 'a\u0100' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].set[0]'],
    ['a control byte in a matched header', { headers: [{ name: 'X-A', value: '\x01' }] }, 'payload.virtualHosts[0].routes[0].headers[0]'],
    ['a control byte in a path', { path: { type: 'Prefix', value: '/a\x01' } }, 'payload.virtualHosts[0].routes[0].path.value'],
    ['a non-ASCII path', { path: { type: 'Exact', value: '/caf\u00e9' } }, 'payload.virtualHosts[0].routes[0].path.value'],
    ['an encoded slash in a path', { path: { type: 'Prefix', value: '/a%2Fb' } }, 'payload.virtualHosts[0].routes[0].path.value'],
    ['a backslash in a rewrite', { filters: [{ type: 'URLRewrite', path: { type: 'ReplaceFullPath', value: '/a\\b' } }] }, 'payload.virtualHosts[0].routes[0].filters[0].path'],
    ['a control byte in a redirect path', { filters: [{ type: 'RequestRedirect', statusCode: 302, path: { type: 'ReplaceFullPath', value: '/a\x01' } }] }, 'payload.virtualHosts[0].routes[0].filters[0].path'],
    ['setting Content-Length', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'Content-Length', value: '0' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].set[0]'],
    ['adding Transfer-Encoding', { filters: [{ type: 'RequestHeaderModifier', add: [{ name: 'transfer-encoding', value: 'chunked' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].add[0]'],
    ['removing Content-Length', { filters: [{ type: 'RequestHeaderModifier', remove: ['Content-Length'] }] }, 'payload.virtualHosts[0].routes[0].filters[0].remove[0]'],
    ['setting Connection', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'Connection', value: 'close' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].set[0]'],
    ['setting Upgrade', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'Upgrade', value: 'h2c' }] }] }, 'payload.virtualHosts[0].routes[0].filters[0].set[0]'],
  ])('refuses %s', (_what, r, at) => {
    const problems = validateEdgeConfig(withRoute(r as Partial<EdgeRoute>));
    expect(problems.some((p) => p.startsWith(at))).toBe(true);
  });

  it.each([
    ['a percent-encoded reserved character', { path: { type: 'Prefix', value: '/a%3Fb' } }],
    ['a trailing slash', { path: { type: 'Prefix', value: '/a/' } }],
    ['a dot segment in a path (matched in its normalized form)', { path: { type: 'Prefix', value: '/a/../admin' } }],
    ['a tab in a header value', { filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'X-A', value: 'a\tb' }] }] }],
  ])('accepts %s', (_what, r) => expect(validateEdgeConfig(withRoute(r as Partial<EdgeRoute>))).toEqual([]));
});
