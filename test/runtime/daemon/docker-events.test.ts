import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import type { ContainerEvent } from '../../../src/runtime/daemon/docker-events.js';
import { watchDockerEvents } from '../../../src/runtime/daemon/docker-events.js';
import { silentLogger } from '../../../src/runtime/log.js';
import { PASS_BACKOFF } from '../../../src/model/backoff.js';
import { FakeClock } from '../../support/fake-clock.js';

/**
 * Which Docker events wake the daemon. A container it did not create appearing is one: a killed
 * berth's last `create` request is finished by dockerd after the client died, possibly after the
 * next daemon's pass reported Synced (issue 13: 4 pods for 3 replicas after a kill -9).
 */
describe('watchDockerEvents', () => {
  it('asks the engine for die, oom, destroy and create of the app\'s containers, and reports each', async () => {
    const stream = new PassThrough();
    let filters: unknown;
    const docker = {
      api: {
        getEvents: (opts: { filters: string }) => {
          filters = JSON.parse(opts.filters);
          return Promise.resolve(stream);
        },
      },
    } as unknown as DockerClient;
    const seen: ContainerEvent[] = [];
    let connected = (): void => {};
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const w = watchDockerEvents({ docker, app: 'web', clock: new FakeClock(), random: () => 0, log: silentLogger(), backoff: PASS_BACKOFF, onEvent: (e) => seen.push(e), onConnect: () => connected() });
    await ready;
    expect(filters).toEqual({ type: ['container'], label: ['berth.managed=true', 'berth.app=web'], event: ['die', 'oom', 'destroy', 'create'] });
    stream.write(`${JSON.stringify({ Action: 'create', time: 1, Actor: { ID: 'c1', Attributes: { 'berth.namespace': 'default', 'berth.name': 'web-abc', 'berth.role': 'sandbox' } } })}\n`);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([{ action: 'create', containerId: 'c1', pod: 'default/web-abc', role: 'sandbox' }]);
    w.close();
  });
});
