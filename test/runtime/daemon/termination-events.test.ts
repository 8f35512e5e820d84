import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/runtime/log.js';
import { createTerminations } from '../../../src/runtime/terminations.js';
import { watchTerminationEvents } from '../../../src/runtime/daemon/termination-events.js';
import { FakeClock } from '../../support/fake-clock.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A daemon's view: one termination of default/old running until `end()`. */
function setup(passWaits: boolean) {
  const clock = new FakeClock();
  const terminations = createTerminations(silentLogger());
  let triggers = 0;
  const events = watchTerminationEvents({ terminations, clock, passWaits: () => passWaits, trigger: () => triggers++ });
  const gate = deferred();
  terminations.run('default/old', () => gate.promise);
  return {
    clock,
    events,
    triggers: () => triggers,
    end: async () => {
      gate.resolve();
      await terminations.idle();
    },
  };
}

describe('runtime/daemon/termination-events: the Docker events of the daemon\'s own background terminations', () => {
  it.each([
    { event: { action: 'die', containerId: 'c1', pod: 'default/old', role: 'container' }, own: true },
    { event: { action: 'destroy', containerId: 's1', pod: 'default/old', role: 'sandbox' }, own: true },
    { event: { action: 'oom', containerId: 'c1', pod: 'default/old', role: 'container' }, own: true },
    { event: { action: 'create', containerId: 'c2', pod: 'default/old', role: 'container' }, own: false },
    { event: { action: 'die', containerId: 'c3', pod: 'default/live', role: 'container' }, own: false },
    { event: { action: 'die', containerId: 'c4' }, own: false },
  ])('$event.action of $event.pod while it terminates here: own=$own', ({ event, own }) => {
    const t = setup(false);
    expect(t.events.own(event)).toBe(own);
  });

  it('late events of a termination that just ended are still its own, for a few seconds only', async () => {
    const t = setup(false);
    await t.end();
    const destroy = { action: 'destroy', containerId: 's1', pod: 'default/old', role: 'sandbox' };
    expect(t.events.own(destroy)).toBe(true);
    await t.clock.advance(5_000);
    expect(t.events.own(destroy)).toBe(false);
  });

  it.each([
    { passWaits: true, triggers: 1 },
    { passWaits: false, triggers: 0 },
  ])('a termination that ends asks for a pass when a pass waits ($passWaits): $triggers', async ({ passWaits, triggers }) => {
    const t = setup(passWaits);
    expect(t.triggers()).toBe(0);
    await t.end();
    expect(t.triggers()).toBe(triggers);
  });

  it('stop() stops asking for passes', async () => {
    const t = setup(true);
    t.events.stop();
    await t.end();
    expect(t.triggers()).toBe(0);
  });
});
