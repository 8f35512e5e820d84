import { describe, expect, it } from 'vitest';
import { planDeletion } from '../../src/runtime/delete-plan.js';
import type { DeleteTarget } from '../../src/runtime/delete-plan.js';
import { CFG, CREDS, entry, liveState, podOf, WEB } from './views-support.js';

/** What `berth delete` removes for each kind, and what it forgets: planned from live state, no Docker. */
const NS = entry({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
const SHOP_POD = entry({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'notes', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'img:1' }] } });
const SHOP_PVC = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'notes-data', namespace: 'shop' }, spec: { accessModes: ['ReadWriteOnce'] } });
const PVC = entry({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } });
const SVC = entry({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
const INVENTORY = [entry(WEB), entry(CREDS), entry(CFG), PVC, SVC, NS, SHOP_POD, SHOP_PVC];
const WEB_A = podOf(INVENTORY, 'Deployment/default/web', { name: 'web-h-aaaaa' });
const WEB_OLD = podOf(INVENTORY, 'Deployment/default/web', { name: 'web-old-bbbbb', specHash: 'old' });
const NOTES = podOf(INVENTORY, 'Pod/shop/notes');
const NETWORKS = [
  { namespace: 'default', id: 'net-d', name: 'berth_t_default' },
  { namespace: 'shop', id: 'net-s', name: 'berth_t_shop' },
];
const VOLUMES = [
  { name: 'berth_t_default_pvc_data', namespace: 'default', role: 'pvc' as const, owner: 'data', labels: {} },
  { name: 'berth_t_shop_pvc_notes-data', namespace: 'shop', role: 'pvc' as const, owner: 'notes-data', labels: {} },
  { name: 'berth_t_shop_notes_scratch', namespace: 'shop', role: 'emptydir' as const, owner: 'notes', labels: {} },
];
const STATE = liveState({ inventory: INVENTORY, pods: [WEB_A, WEB_OLD, NOTES], networks: NETWORKS, volumes: VOLUMES });

const t = (kind: DeleteTarget['kind'], name: string, namespace = 'default'): DeleteTarget => ({ kind, namespace: kind === 'Namespace' ? '' : namespace, name });

describe('planDeletion', () => {
  it('a Deployment: every pod it controls (old templates too); forgets its entry only', () => {
    const plan = planDeletion(STATE, [t('Deployment', 'web')]);
    expect(plan.actions).toEqual([
      { type: 'delete-pod', key: 'Deployment/default/web', namespace: 'default', name: 'web-h-aaaaa', reason: 'deployment web deleted' },
      { type: 'delete-pod', key: 'Deployment/default/web', namespace: 'default', name: 'web-old-bbbbb', reason: 'deployment web deleted' },
    ]);
    expect(plan.targets[0]).toMatchObject({ key: 'Deployment/default/web', found: true, forget: ['Deployment/default/web'], podKeys: ['default/web-h-aaaaa', 'default/web-old-bbbbb'] });
  });

  it("a Deployment's ReplicaSet (derived, not in the inventory): only its pods", () => {
    const plan = planDeletion(STATE, [t('ReplicaSet', 'web-old')]);
    expect(plan.actions.map((a) => a.type === 'delete-pod' && a.name)).toEqual(['web-old-bbbbb']);
    expect(plan.targets[0]).toMatchObject({ found: true, forget: [] });
  });

  it('one pod of a controller: deleted, the controller stays (the next pass replaces the pod)', () => {
    const plan = planDeletion(STATE, [t('Pod', 'web-h-aaaaa')]);
    expect(plan.actions).toEqual([{ type: 'delete-pod', key: 'Pod/default/web-h-aaaaa', namespace: 'default', name: 'web-h-aaaaa', reason: 'deleted by berth delete' }]);
    expect(plan.targets[0]!.forget).toEqual([]);
  });

  it('a PVC: its volume (the data goes); a ConfigMap: only the inventory entry', () => {
    const plan = planDeletion(STATE, [t('PersistentVolumeClaim', 'data'), t('ConfigMap', 'cfg')]);
    expect(plan.actions).toEqual([{ type: 'delete-volume', key: 'PersistentVolumeClaim/default/data', namespace: 'default', claim: 'data', volumeName: 'berth_t_default_pvc_data' }]);
    expect(plan.targets.map((p) => [p.key, p.found, p.forget])).toEqual([
      ['PersistentVolumeClaim/default/data', true, ['PersistentVolumeClaim/default/data']],
      ['ConfigMap/default/cfg', true, ['ConfigMap/default/cfg']],
    ]);
  });

  it('a Service: its host objects and NodePorts go with it', () => {
    const plan = planDeletion(STATE, [t('Service', 'web')]);
    expect(plan.actions).toEqual([]);
    expect(plan.targets[0]).toMatchObject({ found: true, forget: ['Service/default/web'], services: [{ namespace: 'default', name: 'web' }] });
  });

  it('a Namespace: its pods, volumes and inventory, then its network', () => {
    const plan = planDeletion(STATE, [t('Namespace', 'shop')]);
    expect(plan.actions).toEqual([
      { type: 'delete-pod', key: 'Namespace//shop', namespace: 'shop', name: 'notes', reason: 'namespace shop deleted' },
      { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', claim: 'notes-data', volumeName: 'berth_t_shop_pvc_notes-data' },
      { type: 'delete-volume', key: 'Namespace//shop', namespace: 'shop', volumeName: 'berth_t_shop_notes_scratch' },
      { type: 'delete-network', key: 'Namespace//shop', namespace: 'shop', id: 'net-s' },
    ]);
    expect(plan.targets[0]!.forget.sort()).toEqual(['Namespace//shop', 'PersistentVolumeClaim/shop/notes-data', 'Pod/shop/notes']);
  });

  it('deleting everything in a namespace also removes its network, as prune would', () => {
    const everything = INVENTORY.filter((e) => e.namespace === 'default').map((e) => t(e.kind as DeleteTarget['kind'], e.name));
    const plan = planDeletion(STATE, everything);
    expect(plan.actions.filter((a) => a.type === 'delete-network')).toEqual([{ type: 'delete-network', key: 'Namespace//default', namespace: 'default', id: 'net-d' }]);
  });

  it('the network stays while something else lives in the namespace', () => {
    const plan = planDeletion(STATE, [t('Deployment', 'web')]);
    expect(plan.actions.some((a) => a.type === 'delete-network')).toBe(false);
  });

  it('a pod two targets cover is deleted once', () => {
    const plan = planDeletion(STATE, [t('Deployment', 'web'), t('Pod', 'web-h-aaaaa')]);
    expect(plan.actions.filter((a) => a.type === 'delete-pod' && a.name === 'web-h-aaaaa')).toHaveLength(1);
    expect(plan.targets[1]!.actionIds).toEqual(['pod:default/web-h-aaaaa']);
  });

  it.each([
    ['a name nobody has', t('Deployment', 'nope')],
    ['an object of another namespace', t('Deployment', 'web', 'shop')],
    ['a namespace that does not exist', t('Namespace', 'ghost')],
  ])('not found: %s plans nothing', (_title, target) => {
    const plan = planDeletion(STATE, [target]);
    expect(plan.actions).toEqual([]);
    expect(plan.targets[0]).toMatchObject({ found: false, actionIds: [] });
  });
});
