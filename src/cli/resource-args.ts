import { BerthError } from '../model/errors.js';
import { KINDS, resolveKindAlias } from '../model/kinds.js';
import type { Kind } from '../model/types.js';
import { ALL_KINDS } from '../runtime/views/all-kinds.js';
import { didYouMean } from '../manifests/did-you-mean.js';

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

/**
 * A kind by any alias. An unknown one is kubectl's `the server doesn't have a resource type`
 * (exit 1, as kubectl), with the closest name when the text looks like a typo of one.
 */
export function resolveKind(text: string): Kind {
  const info = resolveKindAlias(text);
  if (info) return info.kind;
  const near = didYouMean(text.toLowerCase(), typeNames());
  if (near) throw new BerthError('NOT_FOUND', `berth has no resource type "${text}"; did you mean "${near}"?`, { resource: text });
  throw new BerthError('NOT_FOUND', `berth has no resource type "${text}"; known types: ${kindList()}`, { resource: text });
}

/** Types berth lists besides KINDS: the app's events and the Docker host as the one node. */
const EXTRA_TYPES = [
  { plural: 'events', singular: 'event', shortNames: ['ev'] },
  { plural: 'nodes', singular: 'node', shortNames: ['no'] },
];

function typeNames(): string[] {
  return [...KINDS, ...EXTRA_TYPES].flatMap((k) => [k.plural, k.singular, ...k.shortNames]);
}

function kindList(): string {
  return [...KINDS, ...EXTRA_TYPES].map((k) => (k.shortNames.length ? `${k.plural} (${k.shortNames.join(', ')})` : k.plural)).join(', ');
}

/** One object a verb acts on. */
export interface ObjectRef {
  kind: Kind;
  name: string;
}

/**
 * The objects of a verb that acts on named objects (rollout, scale), in kubectl's forms:
 * `TYPE NAME [NAME...]` and `TYPE/NAME [TYPE/NAME...]`; a lone NAME means `bareKind` when the
 * verb has one (berth's `rollout status web`). Kinds outside `kinds` are a usage error naming
 * the ones the verb takes.
 */
export function parseObjectArgs(args: readonly string[], verb: string, kinds: readonly Kind[], bareKind?: Kind): ObjectRef[] {
  const takes = kinds.map((k) => KINDS.find((i) => i.kind === k)!.plural).join(', ');
  if (args.length === 0) throw new BerthError('USAGE', `${verb}: you must specify a resource: TYPE NAME or TYPE/NAME (${takes})`);
  if (args.length === 1 && !args[0]!.includes('/') && bareKind) return [{ kind: bareKind, name: args[0]! }];
  const refs: ObjectRef[] = [];
  for (const group of parseResourceArgs(args).groups) {
    if (!kinds.includes(group.kind)) throw new BerthError('USAGE', `${verb} works on ${takes}, not ${resourceText(group.kind)}`, { resource: group.kind });
    if (!group.names) throw new BerthError('USAGE', `${verb}: you must specify the name of the ${KINDS.find((i) => i.kind === group.kind)!.singular}: ${args[0]} NAME`, { resource: group.kind });
    for (const name of group.names) refs.push({ kind: group.kind, name });
  }
  return refs;
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
