import { describe, expect, it } from 'vitest';
import type { EdgeConfig } from '../../src/dataplane/edge-types.js';
import type { Action } from '../../src/plan/actions.js';
import type { CertificateRecord } from '../../src/model/certificate-state.js';
import type { InventoryEntry } from '../../src/model/state.js';
import { appliedRoutes, routesLess } from '../../src/runtime/edge-reroute.js';
import { TEST_HASH_KEY } from '../support/builders.js';

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

describe('appliedRoutes', () => {
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'default', annotations: { 'cert-manager.io/cluster-issuer': 'le' } },
    spec: { tls: [{ hosts: ['shop.test'], secretName: 'web-tls' }], rules: [] },
  };
  const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { server: 'https://ca.test/dir', privateKeySecretRef: { name: 'le' } } } };
  const inventory = [
    { key: 'Ingress/default/web', kind: 'Ingress', object: ingress },
    { key: 'ClusterIssuer//le', kind: 'ClusterIssuer', object: issuer },
  ] as unknown as InventoryEntry[];
  const record: CertificateRecord = { key: 'Certificate/default/web-tls', secretName: 'web-tls', dnsNames: ['shop.test'], issuerKey: 'ClusterIssuer//le', keyPem: 'KEY', chainPem: 'CHAIN', notBefore: 0, notAfter: 1, failures: 0 };

  it.each<[string, CertificateRecord[], string[]]>([
    ['an issued certificate: its Secret is there, as every pass has it', [record], ['default/web-tls']],
    ['nothing issued: no Secret', [], []],
  ])('%s', (_what, records, want) => {
    const { desired } = appliedRoutes(inventory, records, TEST_HASH_KEY);
    expect([...desired.configs.secrets.keys()]).toEqual(want);
  });
});
