import { describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../src/dataplane/edge-types.js';
import type { Action } from '../../src/plan/actions.js';
import { routesLess } from '../../src/runtime/edge-reroute.js';

/**
 * `berth delete` of a route object rewrites the app's fragment at once; it must not replace the
 * shared edge (a stopped one, or one another berth version made): the replacement's delete would
 * run with nothing to make the edge again until some app's next pass, and every app's routes
 * would be down meanwhile.
 */
const config: EdgeConfig = { app: 'a', virtualHosts: [], backends: [], certificates: [] };
const edge = { key: 'Edge//berth-edge-80-443', name: 'berth-edge-80-443', containerId: 'c1' };

describe('routesLess', () => {
  it.each<[string, Action, boolean]>([
    ['a fragment written', { type: 'write-edge', ...edge, config, files: [], after: 3, reason: 'routes changed' }, true],
    ['the edge and its volume removed (no app routes there)', { type: 'delete-edge', ...edge, volume: true, reason: 'no app routes through it any more' }, true],
    ['a stopped edge replaced', { type: 'delete-edge', ...edge, volume: false, reason: 'its container is exited; replacing it' }, false],
    ['an edge of another layout replaced', { type: 'delete-edge', ...edge, volume: false, reason: 'its layout changed; replacing it' }, false],
    ['an edge created', { type: 'create-edge', key: edge.key, edge: { name: edge.name, ports: { http: 80, https: 443 }, specHash: 'h', layout: 1, config, files: [] }, reason: 'the app has routes and no edge runs on these ports' }, false],
    ['not an edge action', { type: 'delete-pod', key: 'Pod/default/web' } as unknown as Action, false],
  ])('%s', (_what, action, want) => {
    expect(routesLess(action)).toBe(want);
  });
});
