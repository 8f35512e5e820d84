import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import { kindInfo } from '../../model/kinds.js';
import type { DeleteTarget } from '../../runtime/delete.js';
import type { Listed } from '../../plan/delete.js';
import type { View } from '../../runtime/views/index.js';
import type { DeleteReport } from '../../model/intent.js';
import { daemonNote } from '../daemon-note.js';
import type { Store } from '../../runtime/store/index.js';
import type { CliContext, CliIO } from '../context.js';
import { print, useColor, writeStyled } from '../context.js';
import type { Engine } from '../engine.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { parseResourceArgs, singularText } from '../resource-args.js';
import { deleteGrace } from '../delete-grace.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption, namespaceOf, notFoundText, parseSelectorFlag } from './get.js';

interface DeleteFlags extends EngineFlags, ScopeFlags {
  filename: string[];
  kustomize?: string;
  selector?: string;
  all?: boolean;
  wait?: boolean;
  gracePeriod?: string;
  ignoreNotFound?: boolean;
  now?: boolean;
  force?: boolean;
}

export function registerDelete(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('delete')
    .description('delete resources and everything berth created for them: delete KIND NAME... | KIND/NAME... | -f PATH | -k DIR | ns NAME')
    .argument('[resource...]', 'KIND NAME..., KIND/NAME..., or KIND with -l/--all')
    .option('-f, --filename <path>', 'delete the resources these manifests describe; repeatable; - reads stdin', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('-k, --kustomize <dir>', 'delete the resources the kustomization in DIR builds, as kubectl delete -k (as -f DIR, which builds it too)')
    .option('-l, --selector <selector>', 'delete the objects of KIND whose labels match')
    .option('--all', 'delete every object of KIND in the namespace')
    .option('-A, --all-namespaces', 'with -l or --all: in every namespace')
    .option('--grace-period <seconds>', 'seconds pods get to stop before they are killed (default: their terminationGracePeriodSeconds; 0 is 1 unless --force)')
    .option('--now', 'signal pods for immediate shutdown: the same as --grace-period=1')
    .option('--force', 'kill pods at once, without a grace period (--grace-period=0 unless given); prints a warning')
    .option('--wait', 'wait until the deleted pods are gone, then check that nothing of the deleted objects is left on the host (default)')
    .option('--no-wait', 'return once the pods began terminating (they run out their grace periods in the background); no check')
    .option('--ignore-not-found', 'treat objects that do not exist as deleted');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (args: string[], flags: DeleteFlags) => {
    ctx.exitCode = await deleteCommand(args, flags, ctx.io);
  });
}

/** How long delete waits for the daemon that manages the app to take the deletion (the deletion itself may take longer). */
const DELETE_TIMEOUT_MS = 60_000;

async function deleteCommand(args: string[], flags: DeleteFlags, io: CliIO): Promise<number> {
  const { gracePeriodSeconds, warning } = deleteGrace(flags);
  // kubectl delete -k DIR: the same as -f DIR, but DIR must hold a kustomization (as apply -k).
  if (flags.kustomize !== undefined && flags.filename.length) throw new BerthError('USAGE', 'only one of -f or -k can be specified', { flags: ['-f', '-k'] });
  if (flags.kustomize !== undefined) flags = { ...flags, filename: [flags.kustomize] };
  if (flags.filename.length && args.length) throw new BerthError('USAGE', `pass either resources (KIND NAME) or ${flags.kustomize !== undefined ? '-k DIR' : '-f PATH'}, not both`);
  if (!flags.filename.length && !args.length && (flags.all || flags.selector !== undefined))
    throw new BerthError('USAGE', flags.all ? 'pass KIND --all (e.g. berth delete all --all)' : 'pass KIND -l SELECTOR (e.g. berth delete all -l app=web)');
  if (!flags.filename.length && !args.length) throw new BerthError('USAGE', 'nothing to delete: pass KIND NAME..., KIND/NAME..., or -f PATH');
  const fromFiles = flags.filename.length ? await targetsFromFiles(flags.filename, io, flags.kustomize !== undefined) : undefined;
  if (fromFiles && 'problems' in fromFiles) return 2;
  // Loaded when delete runs, not at start-up (see apply).
  const [{ openEngine }, { submit }, { preStopHooks }, { policyInForce }, { wakeDaemon }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/control.js'),
    import('../../runtime/readiness.js'),
    import('../../runtime/pass/index.js'),
    import('../wake-daemon.js'),
  ]);
  const engine = openEngine(flags, io);
  try {
    const targets = fromFiles?.targets ?? (await targetsFromArgs(args, flags, io, engine));
    if (targets.length === 0) {
      print(io.stderr, 'No resources found');
      return 0;
    }
    // kubectl warns before it deletes with --force and no grace period.
    if (warning) print(io.stderr, warning);
    // preStop handlers may name the host only as far as the policy the app was applied with allows.
    const policy = policyInForce(engine.store, engine.app);
    const hooks = preStopHooks({ docker: engine.docker, clock: engine.clock, policy });
    // An intent (issue 12 F3): deleted by the pass of whoever holds the app, here or in the
    // daemon that manages it; never LEASE_HELD for a command.
    const outcome = await submit(
      { docker: engine.docker, store: engine.store, clock: engine.clock, log: engine.log, random: engine.random, plane: engine.plane, hooks, holder: engine.holder, wake: wakeDaemon },
      { type: 'delete', targets: targets.map((t) => ({ kind: t.kind, namespace: t.namespace, name: t.name })), ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}), verify: flags.wait !== false },
      { app: engine.app, wait: false, timeoutMs: DELETE_TIMEOUT_MS, signal: io.interrupted, hostPolicy: policy },
    );
    const { result } = outcome;
    if (!result.ok || result.report?.type !== 'delete') {
      const error = result.error ?? { code: 'INTERNAL' as const, message: result.message };
      throw new BerthError(error.code, error.message, error.data ?? {});
    }
    const code = report(result.report, flags, io, engine);
    if (outcome.by === 'lease-holder' && outcome.daemon && result.report.targets.some((t) => t.ok)) print(io.stderr, daemonNote(outcome.daemon, result.hold));
    return code;
  } finally {
    await engine.close();
  }
}

/** `-f`: the objects the manifests describe (validated; nothing is deleted from invalid input). */
async function targetsFromFiles(paths: string[], io: CliIO, kustomization: boolean): Promise<{ targets: DeleteTarget[] } | { problems: true }> {
  const [{ readInput, readKustomizationInput }, { validateRevision }, { hasErrors }, { formatProblemsText }, { UNRESTRICTED_HOST_POLICY }] = await Promise.all([
    import('../read-input.js'),
    import('../../manifests/index.js'),
    import('../../model/problem.js'),
    import('../output/problems.js'),
    import('../../model/pod-policy.js'),
  ]);
  const revision = kustomization ? await readKustomizationInput(paths[0]!, io) : await readInput(paths, io);
  // Deleting needs kinds and names only: host policy must not stop anyone from deleting.
  const result = validateRevision(revision.files, { skipUnsupported: true, hostPolicy: UNRESTRICTED_HOST_POLICY });
  if (hasErrors(result.problems)) {
    writeStyled(io.stderr, formatProblemsText(result.problems, { color: useColor({ ...io, stdout: io.stderr }) }));
    print(io.stderr, 'error: the manifests are invalid; nothing was deleted');
    return { problems: true };
  }
  return { targets: result.resources.map((r) => ({ kind: r.object.kind, namespace: kindInfo(r.object.kind)?.namespaced === false ? '' : (r.object.metadata.namespace ?? 'default'), name: r.object.metadata.name })) };
}

async function targetsFromArgs(args: string[], flags: DeleteFlags, io: CliIO, engine: Engine): Promise<DeleteTarget[]> {
  const query = parseResourceArgs(args);
  const namespace = namespaceOf(flags, io);
  const byLabel = flags.selector !== undefined || flags.all === true;
  if (byLabel && query.groups.some((g) => g.names)) throw new BerthError('USAGE', 'names cannot be combined with --selector or --all');
  if (!byLabel && query.groups.some((g) => !g.names)) throw new BerthError('USAGE', `resource(s) were provided, but no name was specified; pass names, -l SELECTOR or --all`);
  const scoped = (kind: DeleteTarget['kind'], name: string): DeleteTarget => ({ kind, namespace: kindInfo(kind)?.namespaced === false ? '' : namespace, name });
  if (!byLabel) return query.groups.flatMap((g) => g.names!.map((n) => scoped(g.kind, n)));
  const selector = parseSelectorFlag(flags.selector);
  const [{ buildViews, readLiveState }, { selectTargets }] = await Promise.all([import('../../runtime/views/index.js'), import('../../plan/delete.js')]);
  const state = await readLiveState(engine, { app: engine.app });
  const views = buildViews(
    state,
    query.groups.map((g) => g.kind),
  );
  return selectTargets(views.map(listed), { namespace, allNamespaces: flags.allNamespaces === true, selector });
}

/** A view as selectTargets reads it: with the keys of what owns it (ownerReferences, a pod's controller). */
function listed(v: View): Listed {
  const ns = v.namespace;
  const refs = (v.object.metadata.ownerReferences ?? []).map((r) => `${r.kind}/${ns}/${r.name}`);
  const pod = v.kind === 'Pod' ? [v.controller, v.owner] : [];
  // A bare pod is its own controller: not an owner.
  const self = `${v.kind}/${ns}/${v.name}`;
  return { kind: v.kind, namespace: ns, name: v.name, labels: v.labels, owners: [...refs, ...pod].filter((k) => k !== self) };
}

function report(outcome: DeleteReport, flags: DeleteFlags, io: CliIO, engine: Engine): number {
  let code = 0;
  for (const t of outcome.targets) {
    const label = `${singularText(t.target.kind)} "${t.target.name}"`;
    if (!t.found) {
      if (flags.ignoreNotFound) continue;
      const owner = otherOwner(engine.store, engine.app, t.key);
      print(io.stderr, `${notFoundText(t.target.kind, t.target.name)}${owner ? ` in app "${engine.app}" (it belongs to app "${owner}"; pass --app ${owner})` : ''}`);
      code = Math.max(code, 1);
      continue;
    }
    if (t.ok) {
      print(io.stdout, `${label} deleted`);
      continue;
    }
    for (const e of t.errors) print(io.stderr, `error: deleting ${label}: ${e.message}`);
    if (t.errors.length === 0) print(io.stderr, `error: deleting ${label} was interrupted`);
    code = 3;
  }
  for (const e of outcome.otherErrors) print(io.stderr, `warning: ${e.message}`);
  if (outcome.leftovers.length) {
    print(io.stderr, `error: still on the host after deletion: ${outcome.leftovers.join(', ')}`);
    code = 3;
  }
  return code;
}

/** Another app of this state dir that has the object: berth never deletes across apps, but says where it is. */
function otherOwner(store: Store, app: string, key: string): string | undefined {
  return store.listApps().find((a) => a !== app && store.getInventory(a).some((e) => e.key === key));
}
