import type { Command } from 'commander';
import { explain } from '../../manifests/explain/explain.js';
import { renderExplanation } from '../../manifests/explain/render.js';
import { loadSchema } from '../../manifests/schema-compile.js';
import { BerthError } from '../../model/errors.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import { resolveKind } from '../resource-args.js';

/**
 * `berth explain KIND[.field.path]` as kubectl explain: the fields of a kind or field, their
 * types and descriptions, from berth's schemas, and for each field whether berth runs it, warns
 * about it (accepted, ignored) or refuses it. Exit 0; 1 for a field that does not exist, with
 * kubectl's words; 2 for a kind berth does not know (as `get`).
 */
export function registerExplain(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('describe the fields of a kind (KIND[.field.path]), their types, and whether berth runs, warns about or refuses each')
    .argument('<resource>', 'a kind by any name `get` takes (deployment, deploy, pods), then a field path: pod.spec.containers.livenessProbe')
    .option('--recursive', 'print the fields of fields, all the way down, with their types')
    .option('--api-version <version>', "the kind's group/version (apps/v1); a legacy one berth converts (extensions/v1beta1) is accepted")
    .addHelpText(
      'after',
      '\nExamples:\n  berth explain deployment\n  berth explain deployment.spec.strategy\n  berth explain pod.spec.containers.livenessProbe\n  berth explain svc --recursive',
    )
    .action((resource: string, opts: { recursive?: boolean; apiVersion?: string }) => {
      const result = explain(loadSchema, resource, { recursive: opts.recursive === true, ...(opts.apiVersion !== undefined ? { apiVersion: opts.apiVersion } : {}) });
      if (result.ok) {
        print(ctx.io.stdout, renderExplanation(result.explanation, { recursive: opts.recursive === true }));
        return;
      }
      switch (result.reason) {
        case 'no-kind':
          // The same words (and exit code) as `berth get` for a kind it does not know.
          resolveKind(result.resource);
          throw new BerthError('USAGE', `berth has no resource type "${result.resource}"`, { resource: result.resource });
        case 'no-field':
          print(ctx.io.stderr, `error: field "${result.field}" does not exist`);
          ctx.exitCode = 1;
          return;
        case 'no-version': {
          const known = [result.info.apiVersion, ...result.info.legacyApiVersions].join(', ');
          print(ctx.io.stderr, `error: berth has no ${result.info.plural} in ${result.apiVersion}; it reads ${known}`);
          ctx.exitCode = 1;
        }
      }
    });
}
