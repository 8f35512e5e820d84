import { describe, expect, it } from 'vitest';
import { OWN_CREATE_MS, trackOwnCreates } from '../../../src/runtime/daemon/own-creates.js';
import { FakeClock } from '../../support/fake-clock.js';

const create = (name?: string) => ({ action: 'create', containerId: 'c1', pod: 'default/web-abc', role: 'container', ...(name ? { name } : {}) });

describe('runtime/daemon/own-creates: the create events of containers this daemon asked for', () => {
  it.each([
    { what: 'the create of a name it asked for', asked: ['berth_a_default_web-abc_main'], event: create('berth_a_default_web-abc_main'), own: true },
    { what: "Docker's leading slash on either side", asked: ['/berth_a_default_web-abc_main'], event: create('berth_a_default_web-abc_main'), own: true },
    { what: 'a create it did not ask for (a killed daemon\'s last request, a command)', asked: ['berth_a_default_web-abc_main'], event: create('berth_a_default_web-xyz_main'), own: false },
    { what: 'a create without a name', asked: ['berth_a_default_web-abc_main'], event: create(), own: false },
    { what: 'the die of a container it created', asked: ['berth_a_default_web-abc_main'], event: { ...create('berth_a_default_web-abc_main'), action: 'die' }, own: false },
    { what: 'the destroy of a container it created', asked: ['berth_a_default_web-abc_main'], event: { ...create('berth_a_default_web-abc_main'), action: 'destroy' }, own: false },
  ])('$what: own=$own', ({ asked, event, own }) => {
    const t = trackOwnCreates(new FakeClock());
    for (const name of asked) t.noted(name);
    expect(t.own(event)).toBe(own);
  });

  it('each request counts once: a second create of the same name is judged afresh', () => {
    const t = trackOwnCreates(new FakeClock());
    t.noted('berth_a_default_web-abc_main');
    expect(t.own(create('berth_a_default_web-abc_main'))).toBe(true);
    expect(t.own(create('berth_a_default_web-abc_main'))).toBe(false);
  });

  it('a request that produced no event (it failed) stops counting after the window', async () => {
    const clock = new FakeClock();
    const t = trackOwnCreates(clock);
    t.noted('berth_a_default_web-abc_main');
    t.noted('berth_a_default_web-def_main');
    await clock.advance(OWN_CREATE_MS - 1);
    expect(t.own(create('berth_a_default_web-def_main'))).toBe(true);
    await clock.advance(1);
    expect(t.own(create('berth_a_default_web-abc_main'))).toBe(false);
  });

  it('asking again for a name renews its window', async () => {
    const clock = new FakeClock();
    const t = trackOwnCreates(clock);
    t.noted('berth_a_default_web-abc_main');
    await clock.advance(OWN_CREATE_MS - 1);
    t.noted('berth_a_default_web-abc_main');
    await clock.advance(OWN_CREATE_MS - 1);
    expect(t.own(create('berth_a_default_web-abc_main'))).toBe(true);
  });
});
