import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerApply } from './apply.js';
import { registerApiResources } from './api-resources.js';
import { registerConfig } from './config.js';
import { registerDaemon } from './daemon.js';
import { registerDiff } from './diff.js';
import { liveDiffOptions, runLiveDiff } from './diff-live.js';
import { registerDelete } from './delete.js';
import { registerDescribe } from './describe.js';
import { registerExec } from './exec.js';
import { registerEvents } from './events.js';
import { registerExplain } from './explain.js';
import { registerGet } from './get.js';
import { registerKustomize } from './kustomize.js';
import { registerLogs } from './logs.js';
import { registerPortForward } from './port-forward.js';
import { registerRollout } from './rollout.js';
import { registerScale } from './scale.js';
import { registerTop } from './top.js';
import { registerState } from './state.js';
import { registerValidate } from './validate.js';
import { registerVersion } from './version.js';
import { registerFinishTerminations } from './finish-terminations.js';

/**
 * One module per command, each exporting `register<Name>(program, ctx)`. Order here is the
 * order `berth --help` lists them, grouped as kubectl groups its commands. The CLI itself loads
 * one command at a time through ./registry.ts, whose table lists the same commands in the same
 * order (test/cli/lazy-commands.test.ts): a new command goes in both.
 */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerValidate(program, ctx);
  registerDiff(program, ctx, { live: runLiveDiff, liveOptions: liveDiffOptions });
  registerApply(program, ctx);
  registerGet(program, ctx);
  registerDescribe(program, ctx);
  registerDelete(program, ctx);
  registerScale(program, ctx);
  registerRollout(program, ctx);
  registerLogs(program, ctx);
  registerExec(program, ctx);
  registerPortForward(program, ctx);
  registerDaemon(program, ctx);
  registerState(program, ctx);
  registerKustomize(program, ctx);
  registerVersion(program, ctx);
  registerExplain(program, ctx);
  registerConfig(program, ctx);
  registerTop(program, ctx);
  registerEvents(program, ctx);
  registerApiResources(program, ctx);
  registerFinishTerminations(program, ctx);
}
