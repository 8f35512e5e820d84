import type { Kind } from '../../model/types.js';
import type { Reporter } from '../report.js';
import { checkCertificate, checkIssuer } from './certificates.js';
import { checkGateway, checkGatewayClass, checkHTTPRoute } from './gateway.js';
import { checkIngress, checkIngressClass } from './ingress.js';
import type { Rec } from './values.js';

/** The object checks of the edge's kinds (Ingress, Gateway API, cert-manager); references across the revision are in edge-refs.ts. */
export function checkEdgeObject(kind: Kind, object: Rec, r: Reporter): void {
  switch (kind) {
    case 'Ingress':
      return checkIngress(object, r);
    case 'IngressClass':
      return checkIngressClass(object, r);
    case 'GatewayClass':
      return checkGatewayClass(object, r);
    case 'Gateway':
      return checkGateway(object, r);
    case 'HTTPRoute':
      return checkHTTPRoute(object, r);
    case 'Issuer':
    case 'ClusterIssuer':
      return checkIssuer(object, r);
    case 'Certificate':
      return checkCertificate(object, r);
    default:
      return;
  }
}
