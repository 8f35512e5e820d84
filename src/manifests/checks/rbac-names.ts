import { quote } from '../../model/excerpt.js';

/**
 * rbac/validation ValidateRBACName: RBAC objects are named by path segment
 * (path.IsValidPathSegmentName), not DNS name, so `system:auth-delegator` is a valid name.
 */
export function checkRbacName(name: string): string | undefined {
  if (name === '.' || name === '..') return `may not be ${quote(name)}`;
  if (/[/%]/.test(name)) return 'may not contain "/" or "%"';
  return undefined;
}
