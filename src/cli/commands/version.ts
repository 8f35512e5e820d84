import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import { VERSION } from '../version-info.js';

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description('print the berth version')
    .option('-o, --output <format>', 'json')
    .action((opts: { output?: string }) => {
      const info = { version: VERSION, node: process.versions.node };
      print(ctx.io.stdout, opts.output === 'json' ? JSON.stringify(info, null, 2) : `berth ${VERSION} (node ${info.node})`);
    });
}
