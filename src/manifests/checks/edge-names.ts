import { checkDns1123Subdomain } from '../../model/names.js';

// Hostnames and paths as the Ingress validation (pkg/apis/networking/validation) and the
// Gateway API CRDs' patterns and CEL rules accept them. Each returns undefined when valid.

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A host of an Ingress rule or TLS entry, or a Gateway API hostname: a DNS name, or a wildcard
 * whose `*` is the whole first label (`*.example.com`). Not an IP address.
 */
export function checkHostname(host: string): string | undefined {
  if (host.includes(':') || IPV4.test(host)) return 'must be a DNS name, not an IP address';
  const rest = host.startsWith('*.') ? host.slice(2) : host;
  if (rest.includes('*')) return "a wildcard is allowed only as the whole first label ('*.example.com')";
  return checkDns1123Subdomain(rest);
}

/** Sequences the API refuses inside an Exact or Prefix path (an Ingress's, and an HTTPRoute's Exact/PathPrefix). */
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];

export function checkRoutePath(path: string, gateway: boolean): string | undefined {
  if (!path.startsWith('/')) return "must be an absolute path (start with '/')";
  for (const s of gateway ? [...INVALID_SEQUENCES, '#'] : INVALID_SEQUENCES) if (path.includes(s)) return `must not contain '${s}'`;
  for (const s of INVALID_SUFFIXES) if (path.endsWith(s)) return `must not end with '${s}'`;
  return undefined;
}

/** `example.com/controller`: a domain-prefixed path, what IngressClass.spec.controller and GatewayClass.spec.controllerName must be. */
const CONTROLLER = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

export function checkControllerName(name: string): string | undefined {
  if (name.length > 253) return `must be no more than 253 characters (is ${name.length})`;
  return CONTROLLER.test(name) ? undefined : "must be a domain-prefixed path, such as 'example.com/ingress-controller'";
}

/** An HTTP header name (RFC 7230 token), what Gateway API header matches and modifiers take. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
