import { resolve } from 'node:path';
import type { Command } from 'commander';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import type { ValidationFlags } from '../validation-flags.js';
import { addValidationOptions, validateOptionsFrom } from '../validation-flags.js';

interface RebuildFlags extends EngineFlags, ValidationFlags {
  filename?: string[];
  repo?: string;
  branch?: string;
  ref?: string;
  path?: string;
  gitTokenFile?: string;
}

/**
 * `berth state backup|restore|rebuild`: the state store's own care (docs/operations.md). The
 * commands only parse, call runtime/ and print.
 */
export function registerState(program: Command, ctx: CliContext): void {
  const state = program.command('state').description('back up, restore or rebuild the state store');
  addEngineOptions(state.command('backup <file>').description('write a consistent copy of the state store to FILE (0600) while berth runs')).action(async (file: string, flags: EngineFlags) => {
    const [{ resolveStateDir }, { openStore }, { writeBackup }, { systemClock }, { processAlive }] = await Promise.all([
      import('../engine.js'),
      import('../../runtime/store/index.js'),
      import('../../runtime/store/backups.js'),
      import('../../runtime/clock.js'),
      import('../process-alive.js'),
    ]);
    const store = openStore({ dir: resolveStateDir(flags, ctx.io.env), clock: systemClock, isProcessAlive: processAlive });
    try {
      const target = resolve(ctx.io.cwd, file);
      writeBackup(store, target);
      print(ctx.io.stdout, `state store backed up to ${target}`);
    } finally {
      store.close();
    }
  });
  addEngineOptions(
    state
      .command('restore <file>')
      .description('replace the state store with a backup (refused while a berth daemon holds a lease on it)')
      .option('--force', 'restore although the current store is too damaged to read its leases (stop every daemon first)'),
  ).action(async (file: string, flags: EngineFlags & { force?: boolean }) => {
    const [{ resolveStateDir }, { restoreStore }, { processAlive }, { leaseHolder }] = await Promise.all([
      import('../engine.js'),
      import('../../runtime/store/backups.js'),
      import('../process-alive.js'),
      import('../lease-holder.js'),
    ]);
    const r = restoreStore({
      stateDir: resolveStateDir(flags, ctx.io.env),
      from: resolve(ctx.io.cwd, file),
      self: leaseHolder('cli'),
      isProcessAlive: processAlive,
      now: Date.now(),
      ...(flags.force ? { force: true } : {}),
    });
    print(ctx.io.stdout, `state store restored from ${file} (schema version ${r.schemaVersion})${r.replaced ? `; the replaced store is kept as ${r.replaced}` : ''}`);
  });
  const rebuild = addEngineOptions(
    state
      .command('rebuild')
      .description("reconstruct an app's inventory from its Docker objects' labels and the source; never touches a container")
      .option('-f, --filename <path>', 'the source as files or directories (repeatable)', collect)
      .option('--repo <url>', 'the source as a Git repository (http/https, ssh:// or a local path)')
      .option('--branch <name>', 'branch (default: main)')
      .option('--ref <tag|sha>', 'tag or full commit SHA instead of a branch')
      .option('--path <subdir>', 'sub-path of the repository holding the manifests')
      .option('--git-token-file <file>', 'Git token (else $BERTH_GIT_TOKEN)'),
  );
  addValidationOptions(rebuild);
  rebuild.action(async (flags: RebuildFlags) => {
    ctx.exitCode = await runRebuild(flags, ctx);
  });
}

async function runRebuild(flags: RebuildFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if ((flags.filename?.length ?? 0) > 0 === (flags.repo !== undefined)) throw new BerthError('USAGE', 'berth state rebuild needs the source the app follows: -f PATH or --repo URL (one of them)');
  const [{ openEngine, resolveStateDir, refuseOnSwarm }, { rebuildAppState }, { HOST_KEY_FILE }, { join }] = await Promise.all([
    import('../engine.js'),
    import('../../runtime/state-rebuild.js'),
    import('../../runtime/store/index.js'),
    import('node:path'),
  ]);
  const revision = flags.repo !== undefined ? await readRepo(flags, ctx) : await (await import('../read-input.js')).readInput(flags.filename!, io);
  refuseOnSwarm(flags, io.env, 'state rebuild', "re-apply the manifests with --backend swarm: Swarm's services carry what berth made");
  const engine = openEngine(flags, io);
  try {
    const r = await rebuildAppState(
      { docker: engine.docker, store: engine.store, holder: engine.holder, hostKeyFile: join(resolveStateDir(flags, io.env), HOST_KEY_FILE) },
      { app: engine.app, revision, validate: validateOptionsFrom(flags) },
    );
    print(io.stdout, `app ${r.app}: inventory rebuilt from revision ${r.revision.slice(0, 12)}: ${r.recorded} objects, ${r.onHost} of them running on this host`);
    if (r.notInSource.length) print(io.stdout, `not in the source (the daemon's next pass prunes them): ${r.notInSource.join(', ')}`);
    if (r.addressClashes.length)
      print(io.stderr, `warning: pod addresses not restored, a newer container holds the same pod or address: ${r.addressClashes.join(', ')}; remove the older containers if they are stray`);
    if (r.hostKey === 'new')
      print(io.stderr, `warning: the host key was lost with the store (no ${HOST_KEY_FILE} file): pods get new names and every Deployment rolls once at the next pass`);
    return 0;
  } finally {
    await engine.close();
  }
}

async function readRepo(flags: RebuildFlags, ctx: CliContext) {
  const [{ createGitSource }, { systemClock }, { mkdtemp, rm, readFile }, { tmpdir }, { join }] = await Promise.all([
    import('../../sources/git.js'),
    import('../../runtime/clock.js'),
    import('node:fs/promises'),
    import('node:os'),
    import('node:path'),
  ]);
  if (flags.branch !== undefined && flags.ref !== undefined) throw new BerthError('USAGE', 'use either --branch or --ref, not both');
  const ref = flags.ref === undefined ? { branch: flags.branch ?? 'main' } : /^[0-9a-f]{40}$/i.test(flags.ref) ? { commit: flags.ref.toLowerCase() } : { tag: flags.ref };
  const token = flags.gitTokenFile ? (await readFile(flags.gitTokenFile, 'utf8')).trim() : ctx.io.env.BERTH_GIT_TOKEN;
  const cacheDir = await mkdtemp(join(tmpdir(), 'berth-rebuild-'));
  try {
    const url = /^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^:]+:/i.test(flags.repo!) ? flags.repo! : resolve(ctx.io.cwd, flags.repo!);
    const source = createGitSource({ url, ref, ...(flags.path ? { path: flags.path } : {}), cacheDir, ...(token ? { auth: { token } } : {}), clock: systemClock });
    return await source.fetch(ctx.io.interrupted);
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
