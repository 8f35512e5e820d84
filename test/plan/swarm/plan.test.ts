import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../../src/manifests/index.js';
import { buildDesiredState } from '../../../src/plan/desired.js';
import type { ObservedSwarm } from '../../../src/plan/swarm/plan.js';
import { describeSwarmAction, planSwarm } from '../../../src/plan/swarm/plan.js';
import { TEST_HASH_KEY } from '../../support/builders.js';

const APP = `apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a: "1"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      volumes: [{name: cfg, configMap: {name: cfg}}]
      containers: [{name: web, image: "web:1", volumeMounts: [{name: cfg, mountPath: /cfg}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

function desired(yaml: string) {
  const { resources, problems } = validateRevision([{ path: 'app.yaml', content: Buffer.from(yaml) }], { backend: 'swarm' });
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return buildDesiredState(resources, { hashKey: TEST_HASH_KEY });
}

const EMPTY: ObservedSwarm = { services: [], networks: [], files: [] };

/** What a converged Swarm holds for a plan: each object as the executor would have made it. */
function converged(yaml: string): ObservedSwarm {
  const p = planSwarm('a', desired(yaml), EMPTY, 'img');
  return {
    services: p.services.map((s, i) => ({ id: `s${i}`, name: s.spec.Name, version: 7, labels: s.spec.Labels, published: (s.spec.EndpointSpec.Ports ?? []).map((x) => ({ name: x.Name ?? '', port: x.PublishedPort })) })),
    networks: p.actions.flatMap((a) => (a.type === 'create-network' ? [{ id: `n-${a.network.name}`, name: a.network.name, labels: a.network.labels }] : [])),
    files: p.actions.flatMap((a) => (a.type === 'create-file' ? [{ type: a.file.type, id: `f-${a.file.name}`, name: a.file.name, labels: a.file.labels }] : [])),
  };
}

describe('planSwarm', () => {
  it('makes the network, the config, the workload and its proxy on an empty Swarm', () => {
    const p = planSwarm('a', desired(APP), EMPTY, 'img');
    expect(p.actions.map((a) => [a.type, a.key])).toEqual([
      ['create-network', 'Namespace//default'],
      ['create-file', 'ConfigMap/default/cfg'],
      ['create-service', 'Deployment/default/web'],
      ['create-service', 'Service/default/web'],
    ]);
    expect(p.actions.map(describeSwarmAction)).toEqual([
      'create overlay network berth-a-default',
      expect.stringMatching(/^create config berth-a-default-cm-cfg-a-[0-9a-f]{12}$/),
      'create service berth-a-default-deploy-web (Deployment default/web, 2 replicas)',
      'create service berth-a-default-svc-web (Service default/web, one task per node)',
    ]);
  });

  it('changes nothing once converged', () => {
    expect(planSwarm('a', desired(APP), converged(APP), 'img').actions).toEqual([]);
  });

  it('updates a service whose spec changed, naming the version it replaces', () => {
    const next = APP.replace('replicas: 2', 'replicas: 6');
    const p = planSwarm('a', desired(next), converged(APP), 'img');
    expect(p.actions).toEqual([expect.objectContaining({ type: 'update-service', key: 'Deployment/default/web', id: 's0', version: 7 })]);
  });

  it('rolls to a new config, keeping the old one the service still mounts', () => {
    const next = APP.replace('data: {a: "1"}', 'data: {a: "2"}');
    const before = converged(APP);
    before.services[0]!.fileRefs = before.files.map((f) => `${f.type}/${f.name}`);
    const p = planSwarm('a', desired(next), before, 'img');
    expect(p.actions.map((a) => a.type)).toEqual(['create-file', 'update-service']);
  });

  it('keeps the config a service would roll back to until its previous spec no longer names it', () => {
    const before = converged(APP);
    const old = before.files[0]!;
    const next = APP.replace('data: {a: "1"}', 'data: {a: "2"}');
    // The update happened: the service's previous spec still mounts the old config.
    const after = planSwarm('a', desired(next), before, 'img');
    const made = after.actions.find((a) => a.type === 'create-file');
    const updated: ObservedSwarm = {
      ...before,
      files: [...before.files, ...(made?.type === 'create-file' ? [{ type: made.file.type, id: 'new', name: made.file.name, labels: made.file.labels }] : [])],
      services: before.services.map((s, i) => (i === 0 ? { ...s, labels: after.services[0]!.spec.Labels, fileRefs: [`config/${made?.type === 'create-file' ? made.file.name : ''}`, `config/${old.name}`] } : s)),
    };
    expect(planSwarm('a', desired(next), updated, 'img').actions).toEqual([]);
    // Another update later: the old config is no longer anyone's previous spec.
    updated.services[0] = { ...updated.services[0]!, fileRefs: [`config/${made?.type === 'create-file' ? made.file.name : ''}`] };
    expect(planSwarm('a', desired(next), updated, 'img').actions.map((a) => [a.type, a.type === 'remove-file' ? a.name : ''])).toEqual([['remove-file', old.name]]);
  });

  it('keeps a NodePort it allocated when the proxy is updated', () => {
    const before = converged(APP);
    before.services[1]!.published = [{ name: '80', port: 31111 }];
    const p = planSwarm('a', desired(APP), before, 'other-img');
    const update = p.actions.find((a) => a.type === 'update-service' && a.key === 'Service/default/web');
    expect(update?.type === 'update-service' && update.service.spec.EndpointSpec.Ports?.[0]?.PublishedPort).toBe(31111);
  });

  it('removes what the revision no longer holds: services, configs, then the namespace network', () => {
    const p = planSwarm('a', desired('apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n'), converged(APP), 'img');
    expect(p.actions.map((a) => [a.type, a.key])).toEqual([
      ['remove-service', 'Deployment/default/web'],
      ['remove-service', 'Service/default/web'],
      ['remove-file', 'ConfigMap/default/cfg'],
      ['remove-network', 'Namespace//default'],
    ]);
  });
});
