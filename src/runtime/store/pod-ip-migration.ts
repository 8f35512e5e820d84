/**
 * Schema v14 (issue 18, single-container pods): the addresses berth assigned to pods from the
 * pod range of their namespace network (apply/pod-ips.ts). A pod keeps its address while its
 * container restarts or is re-created under the same pod; the claim goes when the pod is
 * deleted. `pod_ip_cursors` is where the next claim on a network starts looking (round-robin);
 * its `app` column lets the app's deletion (deleteAppState) take it with the rest.
 */
export const V14 = `
CREATE TABLE pod_ips (
  network TEXT NOT NULL,
  pod TEXT NOT NULL,
  app TEXT NOT NULL,
  ip TEXT NOT NULL,
  claimed_at INTEGER NOT NULL,
  PRIMARY KEY (network, pod),
  UNIQUE (network, ip)
) STRICT;

CREATE TABLE pod_ip_cursors (
  network TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  next INTEGER NOT NULL
) STRICT;
`;
