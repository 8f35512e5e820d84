import { clipList } from '../../model/excerpt.js';
import type { Reporter } from '../report.js';

/** The kinds the edge will serve (issue 16's later steps), stored and shown until then. Ingress and IngressClass are served. */
const EDGE_KINDS: ReadonlySet<string> = new Set(['GatewayClass', 'Gateway', 'HTTPRoute', 'Issuer', 'ClusterIssuer', 'Certificate']);

interface EdgeEntry {
  info: { kind: string };
  r: Reporter;
}

/**
 * berth knows the edge's kinds before it serves them: applying an Ingress succeeds, and nothing
 * routes its hosts yet. A field is run or refused with the reason, never silently ignored
 * (SPEC §2), so the revision says it once, at the first such object, naming the kinds it holds.
 */
export function checkEdgeNotServed(entries: readonly EdgeEntry[]): void {
  const edge = entries.filter((e) => EDGE_KINDS.has(e.info.kind));
  const first = edge[0];
  if (!first) return;
  const kinds = [...new Set(edge.map((e) => e.info.kind))];
  first.r.report(
    'edge-not-served',
    ['kind'],
    `berth stores, checks and shows ${clipList(kinds)} objects (${edge.length} in this revision) but does not serve them yet: no proxy routes their hosts on this host and no certificate is ordered; expose the Services with a NodePort or LoadBalancer meanwhile (docs/ingress.md)`,
  );
}
