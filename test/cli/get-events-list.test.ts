import { describe, expect, it } from 'vitest';
import { eventsInList } from '../../src/cli/commands/get-events.js';

/** `berth get sts,ds,events` lists events beside the other kinds, as kubectl does (it was "no resource type events"). */
describe('events in a comma list of kinds', () => {
  it.each([
    { args: ['sts,ds,pv,pvc,sc,sa,pdb,events'], want: { others: ['sts,ds,pv,pvc,sc,sa,pdb'] } },
    { args: ['ev,po'], want: { others: ['po'] } },
    { args: ['Events,events'], want: { others: [] } },
    { args: ['events'], want: undefined },
    { args: ['po,svc'], want: undefined },
    { args: ['po', 'events'], want: undefined },
  ])('$args', ({ args, want }) => {
    expect(eventsInList(args)).toEqual(want);
  });
});
