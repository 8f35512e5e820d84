import { resourceKey } from '../../model/types.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import type { CheckContext, ObjectFacts } from './context.js';
import type { Rec } from './values.js';
import { rec, str } from './values.js';
import { clip, quote } from '../../model/excerpt.js';

/** What these checks read of a revision entry (checks/revision.ts Entry). */
interface Entry {
  r: Reporter;
  object: Rec;
  namespace: string;
  facts: ObjectFacts;
}

/**
 * The ServiceAccount a pod spec names: serviceAccountName, else the deprecated serviceAccount
 * (the API server's conversion reads it only when serviceAccountName is empty). A pod naming
 * none uses `default`, which needs no checking and mounts nothing worth a word.
 */
export function noteServiceAccount(spec: Rec, path: Path, ctx: CheckContext): void {
  const field = str(spec.serviceAccountName) ? 'serviceAccountName' : str(spec.serviceAccount) ? 'serviceAccount' : undefined;
  if (!field) return;
  const automount = spec.automountServiceAccountToken;
  (ctx.facts.serviceAccounts ??= []).push({ name: str(spec[field])!, path: [...path, field], ...(typeof automount === 'boolean' ? { automount } : {}) });
}

/**
 * As Kubernetes' ServiceAccount admission: a pod must name a ServiceAccount of its own
 * namespace, and `default` exists in every namespace. berth mounts no token (there is no
 * Kubernetes API on the host for one to reach): said once per ServiceAccount whose pods would
 * get one (automountServiceAccountToken unset or true on the pod, else on the ServiceAccount),
 * at the ServiceAccount when the revision defines it, else at the first pod naming it.
 */
export function checkServiceAccounts(entries: readonly Entry[], byKey: ReadonlyMap<string, Entry[]>): void {
  const tokenless = new Map<string, { at: Entry; path: Path; pods: number }>();
  for (const e of entries) {
    for (const use of e.facts.serviceAccounts ?? []) {
      const key = resourceKey('ServiceAccount', e.namespace, use.name);
      const sa = byKey.get(key)?.[0];
      if (!sa && use.name !== 'default') {
        e.r.report('missing-service-account', use.path, `ServiceAccount ${quote(use.name)} is not defined in namespace ${clip(e.namespace)} in this revision; Kubernetes refuses pods naming a ServiceAccount that does not exist (only "default" exists in every namespace)`);
        continue;
      }
      const saAutomount = sa ? rec(sa.object)?.automountServiceAccountToken : undefined;
      if ((use.automount ?? (typeof saAutomount === 'boolean' ? saAutomount : true)) === false) continue;
      const seen = tokenless.get(key);
      if (seen) seen.pods++;
      else tokenless.set(key, sa ? { at: sa, path: ['metadata', 'name'], pods: 1 } : { at: e, path: use.path, pods: 1 });
    }
  }
  for (const [key, { at, path, pods }] of tokenless) {
    const name = key.slice(key.lastIndexOf('/') + 1);
    const users = pods === 1 ? 'a pod template names it' : `${pods} pod templates name it`;
    at.r.report('no-service-account-token', path, `no token of ServiceAccount ${quote(name)} is mounted into its pods (${users}): berth serves no Kubernetes API; set automountServiceAccountToken: false to say the pods need none`);
  }
}
