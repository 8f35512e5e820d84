import { resourceKey } from '../../model/types.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import type { CheckContext, ObjectFacts } from './context.js';
import type { Rec } from './values.js';
import { rec, str } from './values.js';
import { clip, clipList, quote } from '../../model/excerpt.js';

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
 * Kubernetes API on the host for one to reach): said once per revision, naming every
 * ServiceAccount whose pods would get one (automountServiceAccountToken unset or true on the
 * pod, else on the ServiceAccount), at the first of them in the revision's order: where it is
 * defined, or the pod naming it when the revision does not define it (`default`).
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
  // Once per revision: a repository whose every Deployment has its own ServiceAccount (the
  // usual shape) hears it once, at the first of them.
  const first = tokenless.values().next().value;
  if (!first) return;
  const names = [...tokenless.keys()].map((k) => k.slice(k.indexOf('/') + 1));
  const pods = [...tokenless.values()].reduce((n, t) => n + t.pods, 0);
  const which = names.length === 1 ? `ServiceAccount ${quote(names[0]!.slice(names[0]!.indexOf('/') + 1))}` : `the ${names.length} ServiceAccounts ${clipList(names)}`;
  first.at.r.report(
    'no-service-account-token',
    first.path,
    `no token of ${which} is mounted into the pods that name ${names.length === 1 ? 'it' : 'them'} (${pods} pod template${pods === 1 ? '' : 's'}): berth serves no Kubernetes API; set automountServiceAccountToken: false to say the pods need none`,
  );
}
