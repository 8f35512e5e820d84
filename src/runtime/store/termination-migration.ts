/**
 * Schema v13 (issue 18, termination in the background): when a terminating pod's grace period ends.
 * Any berth process (the daemon, the next CLI command, the finisher a CLI leaves behind) kills
 * and removes a pod past it, so a berth restart mid-termination neither forgets the pod nor
 * restarts its grace period.
 */
export const V13 = `
ALTER TABLE pod_status ADD COLUMN terminating_deadline INTEGER;
`;
