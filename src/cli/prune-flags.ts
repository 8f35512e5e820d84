import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { KINDS } from '../model/kinds.js';
import type { PruneScope } from '../model/prune-scope.js';
import { parseSelector, SelectorSyntaxError } from '../model/selectors.js';

export interface PruneFlags {
  prune?: boolean;
  all?: boolean;
  selector?: string;
  pruneAllowlist?: string[];
}

/** kubectl's refusal of a prune nothing scopes, word for word, so the habit it teaches holds. */
export const PRUNE_NEEDS_SCOPE =
  'all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector';

export function addPruneOptions(cmd: Command): Command {
  return cmd
    .option(
      '--prune',
      'delete objects of the app that are not in PATH; needs --all (PATH is the whole app), -l or --prune-allowlist (what it may delete), as kubectl. Without --prune, apply is additive: objects not in PATH keep running as last applied',
    )
    .option('--all', 'with --prune: PATH is the whole app; every object of the app not in it is deleted')
    .option('-l, --selector <selector>', 'apply only the objects of PATH with these labels, and with --prune delete only objects with them (a=b, a!=b, a in (x,y), ...)')
    .option(
      '--prune-allowlist <group/version/Kind>',
      'with --prune, delete only objects of this kind (core/v1/ConfigMap, apps/v1/Deployment); repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    );
}

/**
 * The prune the flags ask for, or a usage error. kubectl's rule: `--prune` must say what it may
 * delete, because `apply -f one.yaml --prune` would otherwise delete the rest of the app.
 * `undefined` scope with prune: the whole app (`--all`).
 */
export function pruneFromFlags(flags: PruneFlags): { prune: boolean; scope?: PruneScope } {
  const allowlist = flags.pruneAllowlist ?? [];
  if (flags.all && flags.selector !== undefined) throw new BerthError('USAGE', 'cannot set --all and --selector at the same time', { flags: ['--all', '-l'] });
  if (!flags.prune && allowlist.length > 0) throw new BerthError('USAGE', '--prune-allowlist must be used with --prune', { flag: '--prune-allowlist' });
  if (!flags.prune && flags.all) throw new BerthError('USAGE', '--all must be used with --prune', { flag: '--all' });
  const selector = flags.selector === undefined ? undefined : parseSelectorText(flags.selector);
  const kinds = allowlist.length > 0 ? allowlist.map(allowedKind) : undefined;
  if (flags.prune && !flags.all && selector === undefined && kinds === undefined)
    throw new BerthError('USAGE', PRUNE_NEEDS_SCOPE, {
      flag: '--prune',
      hint: 'apply -f is additive and never deletes; --prune --all when PATH is the whole app, -l SELECTOR or --prune-allowlist group/version/Kind to limit what it may delete',
    });
  const scope: PruneScope = { ...(selector ? { selector } : {}), ...(kinds ? { kinds } : {}) };
  return { prune: flags.prune ?? false, ...(selector || kinds ? { scope } : {}) };
}

function parseSelectorText(text: string) {
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new BerthError('USAGE', err.message, { selector: text, position: err.position });
    throw err;
  }
}

/** `core/v1/ConfigMap`, `apps/v1/Deployment` (kubectl's group/version/kind; `core` is the empty group) → the Kind berth knows. */
function allowedKind(text: string): string {
  const parts = text.split('/');
  const [group, version, kind] = parts;
  const apiVersion = group === 'core' || group === '' ? version : `${group}/${version}`;
  const info = parts.length === 3 ? KINDS.find((k) => k.kind === kind && k.apiVersion === apiVersion) : undefined;
  if (!info) throw new BerthError('USAGE', `invalid --prune-allowlist "${text}": use group/version/Kind of a kind berth supports, e.g. core/v1/ConfigMap or apps/v1/Deployment`, { flag: '--prune-allowlist', value: text });
  return info.kind;
}
