import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildKustomization, KUSTOMIZATION_FILES, renderKustomizeBuild } from '../../manifests/kustomize/index.js';
import { parseManifestFile } from '../../manifests/parse.js';
import { BerthError } from '../../model/errors.js';
import { hasErrors, type Problem } from '../../model/problem.js';
import type { RevisionFile } from '../../model/revision.js';
import { readPaths } from '../../sources/folder.js';
import type { CliContext, CliIO } from '../context.js';
import { useColor, write, writeStyled } from '../context.js';
import { formatProblemsText } from '../output/problems.js';
import { requireKustomization } from '../read-input.js';

/**
 * `berth kustomize DIR` (kubectl's `kubectl kustomize DIR`; `berth kustomize build DIR` as the
 * kustomize binary spells it): the objects the kustomization in DIR builds, as YAML documents on
 * stdout, the way `kustomize build` prints them. The build is berth's own (SPEC §2), the one
 * `apply -f DIR` runs, reading what the directory's kustomizations name as the folder reader
 * does (inside the Git work tree holding DIR). Problems of the kustomization go to stderr with
 * file:line; exit codes as `validate`: 0 built, 1 problems that are errors (nothing printed),
 * 2 unreadable input or no kustomization in DIR.
 */
export function registerKustomize(program: Command, ctx: CliContext): void {
  program
    .command('kustomize')
    .description('print what the kustomization in DIR builds, as `kustomize build DIR` (exit 0 built, 1 invalid, 2 unreadable)')
    .argument('[dir...]', 'a directory with a kustomization file (default: the current directory); `build DIR` is accepted too')
    .action(async (args: string[]) => {
      ctx.exitCode = await kustomize(directoryOf(args, ctx.io), ctx.io);
    });
}

/** DIR, `build DIR`, `build` (the current directory, unless a directory named build is there), or nothing. */
function directoryOf(args: readonly string[], io: CliIO): string {
  const rest = args[0] === 'build' && (args.length > 1 || !existsSync(join(io.cwd, 'build'))) ? args.slice(1) : args;
  if (rest.length > 1) throw new BerthError('USAGE', `kustomize takes one directory, got ${rest.length}: ${rest.join(' ')}`, { arg: rest[1]! });
  return rest[0] ?? '.';
}

async function kustomize(dir: string, io: CliIO): Promise<number> {
  requireKustomization(dir, io);
  const revision = await readPaths([dir], { cwd: io.cwd });
  const root = rootOf(revision.files, dir);
  const files = new Map(revision.files.map((f) => [f.path, f]));
  const build = buildKustomization(files, root);
  // Paths the readers refused (a base outside the work tree) are problems of their own, unless
  // the build reported them at the kustomization line naming them.
  const named = new Set(build.refused);
  const problems: Problem[] = [...build.problems, ...revision.files.filter((f) => f.refused && !named.has(f.path)).flatMap((f) => parseManifestFile(f).problems)];
  const color = useColor({ ...io, stdout: io.stderr });
  if (problems.length > 0) writeStyled(io.stderr, formatProblemsText(problems, { color }));
  if (hasErrors(problems)) return 1;
  write(io.stdout, renderKustomizeBuild(build));
  return 0;
}

/** The revision path of DIR itself: where its own kustomization file is (readPaths names files after the argument). */
function rootOf(files: readonly RevisionFile[], dir: string): string {
  for (const name of KUSTOMIZATION_FILES) {
    const f = files.find((x) => (x.idPath ?? x.path) === name);
    if (f) return f.path === name ? '' : f.path.slice(0, -name.length - 1);
  }
  // requireKustomization saw one: it went between that look and the read.
  throw new BerthError('INPUT_UNREADABLE', `cannot read ${dir}: its kustomization file went away while it was read; try again`, { path: dir, reason: 'changed-while-reading' });
}
