import { describe, expect, it } from 'vitest';
import { BackendSet, EndpointPool, WeightedPicker } from '../../src/dataplane/edge-backends.js';
import type { RequestFacts } from '../../src/dataplane/edge-table.js';
import { mergeFragments, normalizeHost } from '../../src/dataplane/edge-table.js';
import type { EdgeConfig, EdgeRoute, EdgeVirtualHost } from '../../src/dataplane/protocol.js';

const pool = new EndpointPool(() => 0);
const sets = (f: EdgeConfig) => new BackendSet(new Map(f.backends.map((b) => [b.id, b])), f.app, pool);
const r = (id: string, type: 'Exact' | 'Prefix', value: string, extra: Partial<EdgeRoute> = {}): EdgeRoute => ({ id, path: { type, value }, backends: [], ...extra });
const vh = (host: string, routes: EdgeRoute[], wildcard?: 'one-label' | 'suffix'): EdgeVirtualHost => ({ host, ...(wildcard ? { wildcard } : {}), listeners: ['http'], routes });
const frag = (app: string, virtualHosts: EdgeVirtualHost[], catchAll?: EdgeRoute[]): EdgeConfig => ({ app, virtualHosts, backends: [], certificates: [], ...(catchAll ? { catchAll: { routes: catchAll } } : {}) });
const facts = (path: string, extra: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'GET', path, query: '', headers: {}, ...extra });

function routeFor(table: ReturnType<typeof mergeFragments>['table'], host: string, f: RequestFacts): string {
  const h = table.lookupHost(host);
  if (!h) return 'no host';
  return table.match(h, f)?.route.id ?? 'no route';
}

describe('edge route table', () => {
  // The Kubernetes Ingress docs' "Examples" table (paths as the planner orders them: Exact
  // first, then longer Prefix first); the edge takes the first match.
  const ordered = [r('exact-foo', 'Exact', '/foo'), r('prefix-aaa-bbb', 'Prefix', '/aaa/bbb/'), r('prefix-aaa', 'Prefix', '/aaa'), r('prefix-foo', 'Prefix', '/foo'), r('root', 'Prefix', '/')];
  const { table } = mergeFragments([frag('shop', [vh('shop.test', ordered)])], {}, sets);
  it.each([
    ['/foo', 'exact-foo'],
    ['/foo/', 'prefix-foo'],
    ['/foobar', 'root'],
    ['/foo/bar', 'prefix-foo'],
    ['/aaa/bbb', 'prefix-aaa-bbb'],
    ['/aaa/bbb/', 'prefix-aaa-bbb'],
    ['/aaa/bbbxyz', 'prefix-aaa'],
    ['/aaa/bbb/ccc', 'prefix-aaa-bbb'],
    ['/aaa', 'prefix-aaa'],
    ['/', 'root'],
    ['/zzz', 'root'],
  ])('path %s → %s', (path, want) => {
    expect(routeFor(table, 'shop.test', facts(path))).toBe(want);
  });

  it.each([
    ['method', r('m', 'Prefix', '/', { method: 'POST' }), facts('/x', { method: 'POST' }), facts('/x')],
    ['header (name case-insensitive)', r('h', 'Prefix', '/', { headers: [{ name: 'X-Canary', value: 'yes' }] }), facts('/x', { headers: { 'x-canary': 'yes' } }), facts('/x', { headers: { 'x-canary': 'no' } })],
    ['query', r('q', 'Prefix', '/', { query: [{ name: 'v', value: '2' }] }), facts('/x', { query: 'a=1&v=2' }), facts('/x', { query: 'v=3' })],
  ])('%s matches narrow the route; a miss falls to the next route', (_what, narrow, hit, miss) => {
    const t = mergeFragments([frag('shop', [vh('shop.test', [narrow, r('any', 'Prefix', '/')])])], {}, sets).table;
    expect(routeFor(t, 'shop.test', hit)).toBe(narrow.id);
    expect(routeFor(t, 'shop.test', miss)).toBe('any');
  });

  const hosts = mergeFragments(
    [
      frag('shop', [
        vh('a.example.com', [r('exact-host', 'Prefix', '/')]),
        vh('*.example.com', [r('one-label', 'Prefix', '/')], 'one-label'),
        vh('*.deep.example.com', [r('suffix-deep', 'Prefix', '/')], 'suffix'),
        vh('*.net', [r('suffix-net', 'Prefix', '/')], 'suffix'),
        vh('api.test', [r('api-only', 'Prefix', '/api')]),
      ]),
    ],
    {},
    sets,
  ).table;
  it.each([
    ['a.example.com', 'exact-host'],
    ['A.Example.COM:8080', 'exact-host'],
    ['a.example.com.', 'exact-host'],
    ['b.example.com', 'one-label'],
    ['x.b.example.com', 'no host'],
    ['example.com', 'no host'],
    ['x.deep.example.com', 'suffix-deep'],
    ['x.y.deep.example.com', 'suffix-deep'],
    ['deep.example.com', 'one-label'],
    ['a.b.c.net', 'suffix-net'],
    ['unknown.test', 'no host'],
    // No fall-through to a less specific host on a path miss.
    ['api.test', 'no route'],
  ])('host %s → %s', (host, want) => {
    expect(routeFor(hosts, host, facts('/'))).toBe(want);
  });

  it('sends hosts no app claims to the catch-all', () => {
    const t = mergeFragments([frag('shop', [vh('shop.test', [r('shop', 'Prefix', '/')])], [r('default', 'Prefix', '/')])], {}, sets).table;
    expect(routeFor(t, 'other.test', facts('/x'))).toBe('default');
    expect(routeFor(t, 'shop.test', facts('/x'))).toBe('shop');
  });

  it('keeps a host with its holder; new claimants lose to the smallest app name', () => {
    const a = frag('alpha', [vh('shop.test', [r('alpha', 'Prefix', '/')])]);
    const z = frag('zulu', [vh('shop.test', [r('zulu', 'Prefix', '/')]), vh('own.test', [r('own', 'Prefix', '/')])]);
    const fresh = mergeFragments([z, a], {}, sets);
    expect(routeFor(fresh.table, 'shop.test', facts('/'))).toBe('alpha');
    expect(fresh.conflicts.zulu).toEqual([{ host: 'shop.test', heldBy: 'alpha' }]);
    expect(fresh.held).toEqual({ alpha: ['shop.test'], zulu: ['own.test'] });
    const held = mergeFragments([z, a], { 'shop.test': 'zulu' }, sets);
    expect(routeFor(held.table, 'shop.test', facts('/'))).toBe('zulu');
    expect(held.conflicts.alpha).toEqual([{ host: 'shop.test', heldBy: 'zulu' }]);
  });

  it.each([
    ['[::1]:8080', '[::1]'],
    ['Shop.Test:80', 'shop.test'],
    ['shop.test.', 'shop.test'],
  ])('normalizes host %s to %s', (raw, want) => expect(normalizeHost(raw)).toBe(want));

  it.each([
    [[90, 10], 2_000, [1800, 200]],
    [[1, 1, 1], 300, [100, 100, 100]],
    [[0, 5], 50, [0, 50]],
  ])('splits weights %j exactly over a full cycle (smooth weighted round robin)', (weights, n, want) => {
    const picker = new WeightedPicker(weights.map((weight, i) => ({ backend: `b${i}`, weight })));
    const counts = weights.map(() => 0);
    for (let i = 0; i < n; i++) counts[Number(picker.pick()!.slice(1))]!++;
    expect(counts).toEqual(want);
  });

  it('picks nothing when every weight is 0 (the route answers 500)', () => {
    expect(new WeightedPicker([{ backend: 'a', weight: 0 }]).pick()).toBeUndefined();
  });
});
