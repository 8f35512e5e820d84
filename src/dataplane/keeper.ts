/**
 * Entry point of the pod keeper container (one per host, berth-keeper): `node keeper.js
 * [--socket /var/run/docker.sock]`. Brings berth's pods back up in order after the engine starts,
 * with or without a berth process running (keeper-plan.ts says what and why; docs/daemon.md).
 * Node built-ins only.
 */
import type { OptionSpec } from './cli-args.js';
import { dockerApi } from './keeper-docker.js';
import { ABANDONED_AFTER_MS } from './keeper-plan.js';
import { startKeeper } from './keeper-program.js';
import { LOG_LEVEL_SPEC, runMain } from './program-main.js';

const SPECS: OptionSpec[] = [
  { flag: 'socket', env: 'BERTH_KEEPER_SOCKET', kind: 'string', default: '/var/run/docker.sock', help: "the Docker engine's unix socket" },
  { flag: 'sweep-ms', env: 'BERTH_KEEPER_SWEEP_MS', kind: 'int', default: 10_000, help: 'sweep at least this often (besides engine start and container events)' },
  { flag: 'abandoned-after-ms', env: 'BERTH_KEEPER_ABANDONED_AFTER_MS', kind: 'int', default: ABANDONED_AFTER_MS, help: 'hand a crash-looping container back to Docker after it was down this long with no berth restarting it' },
  LOG_LEVEL_SPEC,
];

runMain({
  component: 'keeper',
  specs: SPECS,
  graceMs: () => 0,
  start: async (o, log) => {
    const keeper = startKeeper({
      api: dockerApi(o.socket as string),
      log,
      now: () => Date.now(),
      sweepMs: Math.max(100, o['sweep-ms'] as number),
      abandonedAfterMs: o['abandoned-after-ms'] as number,
    });
    log.info('started', { socket: o.socket });
    // Tests and operators read this line to know the keeper has looked at the host once.
    void keeper.firstSweep.then(() => log.info('first sweep done'));
    return { shutdown: () => keeper.shutdown() };
  },
});
