/** The store's records are plain data the planner reads and writes as changes: they live in model/. */
export type * from '../../model/state.js';
