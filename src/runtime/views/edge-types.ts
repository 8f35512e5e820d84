import type { Certificate, Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, Issuer } from '../../model/types.js';
import type { Condition, ItemMeta } from './types.js';

// API-shaped items of the edge's kinds (Ingress, Gateway API, cert-manager), as their API
// servers return them: the spec as applied and a status with their own controllers' field
// names. Until the edge and the ACME controller land, the status says nothing is served yet.

export interface IngressItem {
  apiVersion: string;
  kind: 'Ingress';
  metadata: ItemMeta;
  spec: NonNullable<Ingress['spec']>;
  status: { loadBalancer: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface IngressClassItem {
  apiVersion: string;
  kind: 'IngressClass';
  metadata: ItemMeta;
  spec: NonNullable<IngressClass['spec']>;
}

export interface GatewayClassItem {
  apiVersion: string;
  kind: 'GatewayClass';
  metadata: ItemMeta;
  spec: GatewayClass['spec'];
  status: { conditions: Condition[] };
}

export interface GatewayItem {
  apiVersion: string;
  kind: 'Gateway';
  metadata: ItemMeta;
  spec: Gateway['spec'];
  status: {
    addresses?: Array<{ type: string; value: string }>;
    conditions: Condition[];
    listeners: Array<{ name: string; attachedRoutes: number; supportedKinds: Array<{ group: string; kind: string }>; conditions: Condition[] }>;
  };
}

export interface HTTPRouteItem {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: ItemMeta;
  spec: NonNullable<HTTPRoute['spec']>;
  status: { parents: Array<{ parentRef: { group?: string; kind?: string; namespace?: string; name: string; sectionName?: string }; controllerName: string; conditions: Condition[] }> };
}

export interface IssuerItem {
  apiVersion: string;
  kind: 'Issuer' | 'ClusterIssuer';
  metadata: ItemMeta;
  spec: Issuer['spec'];
  status: { conditions: Condition[] };
}

export interface CertificateItem {
  apiVersion: string;
  kind: 'Certificate';
  metadata: ItemMeta;
  spec: Certificate['spec'];
  status: { conditions: Condition[] };
}

export type EdgeItem = IngressItem | IngressClassItem | GatewayClassItem | GatewayItem | HTTPRouteItem | IssuerItem | CertificateItem;
