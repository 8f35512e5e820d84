import { describe, expect, it } from 'vitest';
import { navSection, parseRoute, routePath, type Route } from '../../ui/src/lib/routes.js';

describe('routes', () => {
  const roundTrips: Array<[string, Route]> = [
    ['/', { page: 'overview' }],
    ['/tree', { page: 'tree' }],
    ['/diff', { page: 'diff' }],
    ['/events', { page: 'events' }],
    ['/resources/Deployment/shop/web', { page: 'resource', ref: { kind: 'Deployment', namespace: 'shop', name: 'web' } }],
    ['/resources/Namespace/shop', { page: 'resource', ref: { kind: 'Namespace', name: 'shop' } }],
    ['/resources/Pod/a%2Fb/c%20d', { page: 'resource', ref: { kind: 'Pod', namespace: 'a/b', name: 'c d' } }],
  ];
  it.each(roundTrips)('%s', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
    expect(routePath(route)).toBe(path);
  });

  it.each([
    ['/tree/', { page: 'tree' }],
    ['', { page: 'overview' }],
    ['/resources/Deployment', { page: 'not-found', path: '/resources/Deployment' }],
    ['/resources/Pod/ns/name/extra', { page: 'not-found', path: '/resources/Pod/ns/name/extra' }],
    ['/resources/Pod/%E0%A4%A/x', { page: 'not-found', path: '/resources/Pod/%E0%A4%A/x' }],
    ['/api', { page: 'not-found', path: '/api' }],
  ])('parseRoute(%j)', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
  });

  it.each([
    [{ page: 'resource', ref: { kind: 'Pod', namespace: 'a', name: 'b' } }, 'tree'],
    [{ page: 'diff' }, 'diff'],
    [{ page: 'not-found', path: '/x' }, undefined],
  ] as Array<[Route, string | undefined]>)('navSection(%o) = %s', (route, section) => {
    expect(navSection(route)).toBe(section);
  });
});
