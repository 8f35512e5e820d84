import { BerthError } from '../model/errors.js';
import { KINDS, resolveKindAlias } from '../model/kinds.js';
import type { Kind } from '../model/types.js';
import { ALL_KINDS } from '../runtime/views/all-kinds.js';

/** One kind and, optionally, the names asked for (none: every object of the kind). */
export interface KindQuery {
  kind: Kind;
  names?: string[];
}

export interface ResourceQuery {
  groups: KindQuery[];
  /** Exactly one object was named: `-o json` prints it bare, not in a List. */
  single: boolean;
  /** Several kinds in one answer: names print as `kind/name`. */
  multiKind: boolean;
}

/**
 * kubectl's ways of naming resources: `KIND [NAME...]`, `KIND1,KIND2 [NAME...]`,
 * `KIND/NAME [KIND/NAME...]`, and `all`. Kinds by any alias (`po`, `pods`, `deploy`,
 * `deployments.apps`).
 */
export function parseResourceArgs(args: readonly string[]): ResourceQuery {
  if (args.length === 0) throw new BerthError('USAGE', `you must specify the type of resource to get; one of: ${kindList()}`);
  if (args[0]!.includes('/')) {
    const groups: KindQuery[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash <= 0 || slash === arg.length - 1)
        throw new BerthError('USAGE', `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'berth get resource/<resource_name>' instead of 'berth get resource resource/<resource_name>'): "${arg}"`, { arg });
      const kind = resolveKind(arg.slice(0, slash));
      const name = arg.slice(slash + 1);
      const group = groups.find((g) => g.kind === kind);
      if (group) group.names!.push(name);
      else groups.push({ kind, names: [name] });
    }
    return { groups, single: args.length === 1, multiKind: groups.length > 1 };
  }
  const [typeArg, ...names] = args as [string, ...string[]];
  for (const n of names) if (n.includes('/')) throw new BerthError('USAGE', `arguments in resource/name form must have a single resource and name: "${n}"`, { arg: n });
  const all = typeArg.split(',').some((t) => t.toLowerCase() === 'all');
  const kinds: Kind[] = [];
  for (const t of typeArg.split(',')) {
    if (t === '') continue;
    for (const k of t.toLowerCase() === 'all' ? ALL_KINDS : [resolveKind(t)]) if (!kinds.includes(k)) kinds.push(k);
  }
  if (kinds.length === 0) throw new BerthError('USAGE', `you must specify the type of resource to get; one of: ${kindList()}`);
  return {
    groups: kinds.map((kind) => (names.length ? { kind, names: [...names] } : { kind })),
    single: kinds.length === 1 && names.length === 1,
    multiKind: kinds.length > 1 || all,
  };
}

export function resolveKind(text: string): Kind {
  const info = resolveKindAlias(text);
  if (!info) throw new BerthError('USAGE', `berth has no resource type "${text}"; known types: ${kindList()}`, { resource: text });
  return info.kind;
}

function kindList(): string {
  return KINDS.map((k) => (k.shortNames.length ? `${k.plural} (${k.shortNames.join(', ')})` : k.plural)).join(', ');
}

/** kubectl's resource text in messages: `pods`, `deployments.apps`, `jobs.batch`. */
export function resourceText(kind: Kind): string {
  const info = KINDS.find((k) => k.kind === kind)!;
  const group = info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0]}` : '';
  return `${info.plural}${group}`;
}

/** kubectl's `deployment.apps "web"` (delete lines, NotFound errors use the plural form). */
export function singularText(kind: Kind): string {
  const info = KINDS.find((k) => k.kind === kind)!;
  const group = info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0]}` : '';
  return `${info.singular}${group}`;
}
