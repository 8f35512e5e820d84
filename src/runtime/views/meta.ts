import { createHash } from 'node:crypto';
import { kindInfo } from '../../model/kinds.js';
import type { StringMap } from '../../model/types.js';
import { rfc3339 } from '../../model/clock.js';
import { podUid, uuidFromHex } from '../../model/downward.js';
import type { ItemMeta, OwnerReference } from './types.js';

export { rfc3339 };

/**
 * A stable uid for an object berth knows by key: the same app and key give the same uid on
 * every read, which scripts comparing `ownerReferences[].uid` with `metadata.uid` need. With
 * `incarnation` (a stored object's creation time) it is per incarnation as in Kubernetes: an
 * update keeps it, a delete and re-create gives a new one.
 */
export function uidOf(app: string, key: string, incarnation?: number): string {
  return uuidFromHex(createHash('sha256').update(incarnation === undefined ? `${app}\0${key}` : `${app}\0${key}\0${incarnation}`).digest('hex'));
}

/** A pod's uid is its sandbox container's id (model/downward.ts podUid, which its containers read too). */
export function uidOfContainer(containerId: string): string {
  return podUid(containerId);
}

export function apiVersionOf(kind: string): string {
  return kindInfo(kind)?.apiVersion ?? 'v1';
}

/** `incarnation`: the owner's stored creation time, as its own metadata.uid uses it (itemMeta). */
export function ownerReference(app: string, kind: string, namespace: string, name: string, incarnation?: number): OwnerReference {
  return { apiVersion: apiVersionOf(kind), kind, name, uid: uidOf(app, `${kind}/${namespace}/${name}`, incarnation), controller: true, blockOwnerDeletion: true };
}

/** `ReplicaSet/ns/web-5d4f8` (the `berth.owner` label) → its parts; undefined for malformed values. */
export function parseOwner(owner: string): { kind: string; namespace: string; name: string } | undefined {
  const [kind, namespace, ...rest] = owner.split('/');
  if (!kind || namespace === undefined || rest.length === 0) return undefined;
  return { kind, namespace, name: rest.join('/') };
}

export interface MetaInput {
  app: string;
  kind: string;
  namespace: string;
  name: string;
  createdAt: number;
  uid?: string;
  labels?: StringMap;
  annotations?: StringMap;
  owner?: OwnerReference;
  generation?: number;
  /** A stored object's creation time (InventoryEntry.createdAt): makes the uid per incarnation. */
  incarnation?: number;
}

/** metadata with Kubernetes' field order; empty label/annotation maps are left out as the API does. */
export function itemMeta(m: MetaInput): ItemMeta {
  const meta: ItemMeta = {
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    uid: m.uid ?? uidOf(m.app, `${m.kind}/${m.namespace}/${m.name}`, m.incarnation),
    creationTimestamp: rfc3339(m.createdAt),
  };
  if (m.generation !== undefined) meta.generation = m.generation;
  if (m.labels && Object.keys(m.labels).length) meta.labels = { ...m.labels };
  if (m.annotations && Object.keys(m.annotations).length) meta.annotations = { ...m.annotations };
  if (m.owner) meta.ownerReferences = [m.owner];
  return meta;
}

/** The earliest of several creation-time witnesses (berth records no creation time of its own). */
export function earliest(...times: Array<number | undefined>): number {
  const known = times.filter((t): t is number => t !== undefined && Number.isFinite(t) && t > 0);
  return known.length ? Math.min(...known) : 0;
}

/** The revision (source or intent) an object was applied from: the inventory entry's sourceRevision. */
export const SOURCE_REVISION_ANNOTATION = 'berth.dev/source-revision';

export function sourceRevisionAnnotation(revision: string | undefined): Record<string, string> {
  return revision ? { [SOURCE_REVISION_ANNOTATION]: revision } : {};
}

/** The metadata with the source-revision annotation added (after the object's own), field order kept. */
export function withSourceRevision(meta: ItemMeta, revision: string | undefined): ItemMeta {
  if (!revision || meta.annotations?.[SOURCE_REVISION_ANNOTATION] !== undefined) return meta;
  const annotations = { ...(meta.annotations ?? {}), ...sourceRevisionAnnotation(revision) };
  const { ownerReferences, ...rest } = meta;
  const { annotations: _old, ...head } = rest;
  return { ...head, annotations, ...(ownerReferences ? { ownerReferences } : {}) };
}

/** metadata.creationTimestamp of a stored object: set once on create (store), appliedAt in entries made by hand. */
export function createdOf(entry: { createdAt?: number; appliedAt: number }): number {
  return entry.createdAt ?? entry.appliedAt;
}

/** metadata.generation of a stored object: counts its spec changes (model/object-meta.ts). */
export function generationOf(entry: { generation?: number } | undefined): number {
  return entry?.generation ?? 1;
}
