import { checkDns1123Label } from '../../model/names.js';
import { quote } from '../../model/excerpt.js';
import type { CheckContext } from './context.js';
import { checkClaimResources } from './resources.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';

/**
 * What a StatefulSet adds to a controller's checks: its name and serviceName become pod
 * hostnames and DNS labels (`db-1.db`), claim templates name one claim per pod, and the update
 * strategy must be coherent. Returns the claim templates' names: volumes of every pod.
 */
export function checkStatefulSetSpec(spec: Rec, ctx: CheckContext): Set<string> {
  const { r } = ctx;
  const serviceName = str(spec.serviceName);
  const err = serviceName ? checkDns1123Label(serviceName) : undefined;
  if (serviceName && err) r.report('invalid-name', ['spec', 'serviceName'], `serviceName ${quote(serviceName)} is invalid: ${err}`);
  const claims = new Set<string>();
  arr(spec.volumeClaimTemplates).forEach((t, i) => {
    const at = ['spec', 'volumeClaimTemplates', i];
    const name = str(rec(rec(t)?.metadata)?.name);
    if (name === undefined) return;
    const nameErr = checkDns1123Label(name);
    if (nameErr) r.report('invalid-name', [...at, 'metadata', 'name'], `claim template name ${quote(name)} is invalid: ${nameErr}`);
    if (claims.has(name)) r.report('invalid-value', [...at, 'metadata', 'name'], `claim template ${quote(name)} is defined twice`);
    claims.add(name);
    checkClaimResources(rec(rec(t)?.spec)?.resources, [...at, 'spec', 'resources'], r);
  });
  const strategy = rec(spec.updateStrategy);
  if (strategy && str(strategy.type) === 'OnDelete' && has(strategy, 'rollingUpdate'))
    r.report('invalid-strategy', ['spec', 'updateStrategy', 'rollingUpdate'], 'rollingUpdate may not be set when updateStrategy type is OnDelete', { at: 'key' });
  const maxUnavailable = rec(strategy?.rollingUpdate)?.maxUnavailable;
  const path = ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'];
  if (typeof maxUnavailable === 'number' && maxUnavailable < 1) r.report('invalid-strategy', path, 'maxUnavailable must be at least 1');
  if (typeof maxUnavailable === 'string') {
    const m = /^(\d+)%$/.exec(maxUnavailable);
    if (!m || Number(m[1]) === 0 || Number(m[1]) > 100)
      r.report('invalid-strategy', path, `maxUnavailable ${quote(maxUnavailable)} must be an integer of at least 1 or a percentage from 1% to 100%`);
  }
  return claims;
}
