import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { write } from '../context.js';
import { apiResourceRows, apiResources, apiVersions, parseNamespacedFlag, selectApiResources } from '../output/api-resources.js';
import { formatColumns } from '../output/table.js';

interface ApiResourcesFlags {
  output?: string;
  namespaced?: string | boolean;
  apiGroup?: string;
  headers?: boolean;
  sortBy?: string;
  verbs?: string;
}

/**
 * `berth api-resources` / `berth api-versions`: kubectl's discovery listings over the types berth
 * reads (no API server: the answer is berth's own table, model/kinds.ts). Whether berth runs a
 * given field of a type is for `berth explain`.
 */
export function registerApiResources(program: Command, ctx: CliContext): void {
  program
    .command('api-resources')
    .description('list the resource types berth reads: NAME SHORTNAMES APIVERSION NAMESPACED KIND (berth explain KIND tells which fields it runs)')
    .option('-o, --output <format>', 'wide (adds VERBS) or name')
    .option('--namespaced [bool]', 'true: only namespaced types; false: only cluster-scoped ones')
    .option('--api-group <group>', 'only this API group ("" is the core group)')
    .option('--no-headers', 'no header row')
    .option('--sort-by <field>', 'name or kind')
    .option('--verbs <verbs>', 'only types that support all these verbs (comma-separated: get,list)')
    .action((flags: ApiResourcesFlags) => {
      const output = flags.output?.startsWith('=') ? flags.output.slice(1) : flags.output;
      const namespaced = parseNamespacedFlag(flags.namespaced);
      const options = {
        ...(output !== undefined ? { output } : {}),
        ...(namespaced !== undefined ? { namespaced } : {}),
        ...(flags.apiGroup !== undefined ? { apiGroup: flags.apiGroup } : {}),
        ...(flags.sortBy !== undefined ? { sortBy: flags.sortBy } : {}),
        ...(flags.verbs !== undefined ? { verbs: flags.verbs.split(',').filter((v) => v !== '') } : {}),
        noHeaders: flags.headers === false,
      };
      const result = apiResourceRows(selectApiResources(apiResources(), options), options);
      write(ctx.io.stdout, 'names' in result ? result.names.map((n) => `${n}\n`).join('') : formatColumns(result.rows));
    });
  program
    .command('api-versions')
    .description('list the API group/versions berth reads (legacy ones it converts are listed by berth explain)')
    .action(() => {
      write(ctx.io.stdout, apiVersions(apiResources()).map((v) => `${v}\n`).join(''));
    });
}
