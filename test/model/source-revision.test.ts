import { describe, expect, it } from 'vitest';
import { NO_SOURCE_REVISION, sourceRevisionOf } from '../../src/model/source-revision.js';

/** Issue 12 F7: the pass, the daemon, `rollout undo`, the views and the live diff all ask here. */
describe('sourceRevisionOf: the revision a pin is set against and compared with', () => {
  const applied = { lastApplied: { revision: 'applied', at: 1 } };
  const inventory = [{ sourceRevision: 'inventory' }];
  it.each([
    { name: 'a pass applying a revision runs under it', status: applied, inventory, applying: { id: 'new' }, expected: 'new' },
    { name: 'else the revision last applied', status: applied, inventory, expected: 'applied' },
    { name: 'else the one that introduced the inventory (apps applied before source status was kept)', status: undefined, inventory, expected: 'inventory' },
    { name: 'else one constant, the same for every caller', status: {}, inventory: [], expected: NO_SOURCE_REVISION },
  ])('$name', ({ status, inventory, applying, expected }) => {
    expect(sourceRevisionOf(status, inventory, applying)).toBe(expected);
  });
});
