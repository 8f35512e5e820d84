/**
 * Which edge objects berth serves. Kubernetes lets several controllers share a cluster and each
 * picks its objects by class: an Ingress by its IngressClass's `spec.controller`, a Gateway by
 * its GatewayClass's `spec.controllerName`. berth is usually the host's only controller (as k3s's
 * Traefik is), so an Ingress without a class is ours unless another controller's class is the
 * default. An object that is not ours is left alone, with a note naming the fix.
 */
import { BUILTIN_INGRESS_CLASS, GATEWAY_CONTROLLER_NAME, INGRESS_CONTROLLER_NAME } from '../../model/edge.js';
import type { Gateway, GatewayClass, Ingress, IngressClass } from '../../model/types.js';

/** The annotation Ingresses used before `spec.ingressClassName` (still read by controllers). */
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** Marks the IngressClass an Ingress without a class gets (the API server's admission sets it). */
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface Ownership {
  ours: boolean;
  /** Not ours: why, and what to change to have berth serve it. */
  why?: string;
}

/** The class an Ingress names: `spec.ingressClassName`, else the legacy annotation. */
export function ingressClassName(ing: Ingress): string | undefined {
  const name = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function classIsOurs(cls: IngressClass): boolean {
  return cls.spec?.controller === INGRESS_CONTROLLER_NAME;
}

export function ingressOwnership(ing: Ingress, classes: readonly IngressClass[]): Ownership {
  const name = ingressClassName(ing);
  const byName = (n: string) => classes.find((c) => c.metadata?.name === n);
  const fix = `set spec.ingressClassName: ${BUILTIN_INGRESS_CLASS}`;
  if (name !== undefined) {
    const cls = byName(name);
    if (cls) {
      if (classIsOurs(cls)) return { ours: true };
      return { ours: false, why: `its IngressClass "${name}" names controller "${cls.spec?.controller ?? ''}", not ${INGRESS_CONTROLLER_NAME}; ${fix}, or set that class's spec.controller: ${INGRESS_CONTROLLER_NAME}` };
    }
    if (name === BUILTIN_INGRESS_CLASS) return { ours: true };
    return { ours: false, why: `its class "${name}" is not an IngressClass of this revision; ${fix}, or add an IngressClass "${name}" with spec.controller: ${INGRESS_CONTROLLER_NAME}` };
  }
  // No class: the default class's controller serves it; with no default, berth (the only controller).
  const defaults = classes.filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  if (defaults.length === 0 || defaults.some(classIsOurs)) return { ours: true };
  const names = defaults.map((c) => `"${c.metadata?.name ?? ''}"`).join(', ');
  return { ours: false, why: `it has no class and the default IngressClass ${names} belongs to another controller; ${fix}` };
}

export function gatewayClassOwnership(cls: GatewayClass): Ownership {
  if (cls.spec?.controllerName === GATEWAY_CONTROLLER_NAME) return { ours: true };
  return { ours: false, why: `its controllerName is "${cls.spec?.controllerName ?? ''}"; berth serves GatewayClasses with controllerName: ${GATEWAY_CONTROLLER_NAME}` };
}

export function gatewayOwnership(gw: Gateway, classes: readonly GatewayClass[]): Ownership {
  const name = gw.spec?.gatewayClassName;
  const cls = classes.find((c) => c.metadata?.name === name);
  if (!cls) return { ours: false, why: `its GatewayClass "${name ?? ''}" is not defined in this revision; add one with controllerName: ${GATEWAY_CONTROLLER_NAME}` };
  if (gatewayClassOwnership(cls).ours) return { ours: true };
  return { ours: false, why: `its GatewayClass "${name ?? ''}" names controller "${cls.spec?.controllerName ?? ''}"; use a GatewayClass with controllerName: ${GATEWAY_CONTROLLER_NAME}` };
}
