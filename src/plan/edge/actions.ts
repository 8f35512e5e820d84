import type { EdgeConfig } from '../../dataplane/edge-types.js';
import type { EdgeFile } from './certificates.js';

/**
 * What realises Ingress (and later Gateway API) routes on the host (docs/ingress.md): one edge
 * container per host and port pair, shared by every app, each app writing its own fragment of
 * the route table into it. Like ProxyPlan, nothing here is Docker-specific beyond "a container
 * that runs the data-plane program".
 */
export interface EdgePlan {
  /** `berth-edge-<http>-<https>`: also the name of its config volume. */
  name: string;
  ports: { http: number; https: number };
  /** Address to bind; absent: all. */
  address?: string;
  /** Hash of what cannot change without replacing the container (layout, ports, address). */
  specHash: string;
  /** The edge layout of this berth (plan.ts EDGE_LAYOUT), as a label: a newer berth's edge is left alone. */
  layout: number;
  /** This app's fragment, uploaded before the container starts. */
  config: EdgeConfig;
  /** Certificate files the fragment names, uploaded with it (before it). */
  files: EdgeFile[];
}

export type EdgeAction =
  | { type: 'create-edge'; key: string; edge: EdgePlan; reason: string }
  /** This app's new fragment for a running edge; `after` is the generation it has. */
  | { type: 'write-edge'; key: string; name: string; containerId: string; config: EdgeConfig; files: EdgeFile[]; after: number; reason: string }
  /** `volume`: the last app's routes left, so its config volume goes too (else only the container is replaced). */
  | { type: 'delete-edge'; key: string; name: string; containerId: string; volume: boolean; reason: string };

/**
 * Where edge actions run among the others (actions.ts), as the Services' proxies do: the edge is
 * made after networks (0) and before pods (2); fragment writes before pod deletions (1), so a pod
 * leaves the routes before it is stopped; removal after pods are gone (2.5).
 */
export const EDGE_ACTION_PHASE: Record<EdgeAction['type'], number> = {
  'create-edge': 0.5,
  'write-edge': 0.7,
  'delete-edge': 2.5,
};
