import { describe, expect, it } from 'vitest';
import { ownerKeyOf, podAddressOf } from '../../src/runtime/state-rebuild.js';

/** `berth state rebuild` reads which manifest object a Docker object belongs to from its labels alone. */
describe('ownerKeyOf', () => {
  const owned = (role: string, extra: Record<string, string> = {}) => ({ 'berth.managed': 'true', 'berth.app': 'shop', 'berth.namespace': 'default', 'berth.kind': 'Pod', 'berth.name': 'web-abc-x7k2q', 'berth.role': role, ...extra });
  it.each([
    ["a pod's sandbox: its controller", owned('sandbox', { 'berth.controller': 'Deployment/default/web' }), 'Deployment/default/web'],
    ["a pod's app container: its controller", owned('container', { 'berth.controller': 'Deployment/default/web' }), 'Deployment/default/web'],
    ["a pod's init container: its controller", owned('init', { 'berth.controller': 'Job/default/migrate' }), 'Job/default/migrate'],
    ['a bare pod: itself', owned('sandbox', { 'berth.controller': 'Pod/default/debug' }), 'Pod/default/debug'],
    ['a claim volume: its PersistentVolumeClaim', owned('pvc', { 'berth.kind': 'PersistentVolumeClaim', 'berth.name': 'data', 'berth.controller': 'PersistentVolumeClaim/default/data' }), 'PersistentVolumeClaim/default/data'],
    ["a Service's proxy: the Service", owned('proxy', { 'berth.kind': 'Service', 'berth.name': 'web' }), 'Service/default/web'],
    ['a namespace network: none (every namespace in use has one)', owned('network', { 'berth.kind': 'Namespace', 'berth.name': 'default' }), undefined],
    ['a per-namespace DNS container: none (data plane)', owned('dns', { 'berth.kind': 'Namespace', 'berth.name': 'default' }), undefined],
    ['an emptyDir volume: none (it goes with its pod)', owned('emptydir'), undefined],
    ['a container without a controller label: none', owned('container'), undefined],
  ])('%s', (_, labels, key) => {
    expect(ownerKeyOf(labels)).toBe(key);
  });
});

/** The claims a rebuild restores: single-container pods' addresses, dated when their containers were made. */
describe('podAddressOf', () => {
  const labels = (role: string, extra: Record<string, string> = {}) => ({ 'berth.managed': 'true', 'berth.app': 'shop', 'berth.namespace': 'web', 'berth.kind': 'Pod', 'berth.name': 'api-0', 'berth.role': role, ...extra });
  const container = (l: Record<string, string>, ipam: { IPv4Address?: string } | null) => ({
    Labels: l,
    Created: 1_767_225_600, // Docker's seconds
    NetworkSettings: { Networks: { berth_shop_web: { IPAMConfig: ipam } } },
  }) as unknown as Parameters<typeof podAddressOf>[1];

  it('reads the address a single pod\'s container was made with, dated by the container\'s creation in ms', () => {
    expect(podAddressOf('shop', container(labels('container', { 'berth.pod-shape': 'single' }), { IPv4Address: '172.31.248.3' }))).toEqual([
      { network: 'berth_shop_web', pod: 'web/api-0', app: 'shop', ip: '172.31.248.3', claimedAt: 1_767_225_600_000 },
    ]);
  });

  it.each([
    ['a sandbox (Docker assigned its address)', container(labels('sandbox'), null)],
    ['an app container of a sandbox pod', container(labels('container'), null)],
    ['a single container without an assigned address', container(labels('container', { 'berth.pod-shape': 'single' }), null)],
  ])('claims nothing for %s', (_, c) => {
    expect(podAddressOf('shop', c)).toEqual([]);
  });
});
