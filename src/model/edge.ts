/**
 * The names berth's edge answers to, in the form Kubernetes controllers publish them: an
 * IngressClass whose spec.controller, or a GatewayClass whose spec.controllerName, is one of
 * these is served by berth (plan/edge/classes.ts decides which objects are ours).
 */
export const INGRESS_CONTROLLER_NAME = 'berth.dev/ingress-controller';
export const GATEWAY_CONTROLLER_NAME = 'berth.dev/gateway-controller';
/** The IngressClass berth knows without one in the revision (as k3s knows `traefik`). */
export const BUILTIN_INGRESS_CLASS = 'berth';
/** cert-manager's Ingress annotations that make a TLS Secret the ACME controller will issue. */
export const ISSUER_ANNOTATIONS: readonly string[] = ['cert-manager.io/cluster-issuer', 'cert-manager.io/issuer'];
