import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from '../runtime/compose.js';
import type { Logger } from '../runtime/log.js';

/** The hidden command the finisher process runs (cli/commands/finish-terminations.ts). */
export const FINISH_COMMAND = '__finish-terminations';

/**
 * A CLI command about to exit with pod terminations still running in it: once each has asked
 * Docker to stop its containers (preStop hooks done), a detached berth process is left to see
 * them to their end (runtime/terminations-finish.ts), and this one lets go of them. Should the
 * spawn fail, nothing is lost: the pods' marks are in the store and the next pass of any berth
 * process kills and removes what is past its grace period.
 */
export async function handOffTerminations(plane: ControlPlane, o: { app: string; stateDir: string; env: NodeJS.ProcessEnv; log: Logger }): Promise<void> {
  await plane.terminations.signalled();
  if (plane.terminations.pending().length === 0) return;
  // berth's own entry point, wherever this command runs from (bin/berth, or a test calling run()).
  const script = fileURLToPath(new URL('../../bin/berth', import.meta.url));
  if (existsSync(script)) {
    try {
      const child = spawn(process.execPath, [script, FINISH_COMMAND, '--app', o.app, '--state-dir', o.stateDir], {
        detached: true,
        stdio: 'ignore',
        env: o.env,
      });
      child.on('error', (err) => o.log.warn({ err }, 'could not start the process that finishes pod terminations'));
      child.unref();
    } catch (err) {
      o.log.warn({ err }, 'could not start the process that finishes pod terminations');
    }
  }
  await plane.terminations.abandon();
}
