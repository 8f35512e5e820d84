import { clipList } from '../../model/excerpt.js';
import type { Reporter } from '../report.js';

/** The edge's kinds berth does not run yet (ACME, a later step of issue 16); Ingress and Gateway API objects are served. */
const EDGE_KINDS: ReadonlySet<string> = new Set(['Issuer', 'ClusterIssuer', 'Certificate']);

interface EdgeEntry {
  info: { kind: string };
  r: Reporter;
}

/**
 * berth knows cert-manager's kinds before it runs them: applying a Certificate succeeds, and no
 * certificate is ordered yet. A field is run or refused with the reason, never silently ignored
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
    `berth stores, checks and shows ${clipList(kinds)} objects (${edge.length} in this revision) but does not run them yet: no certificate is ordered; put the certificate in a kubernetes.io/tls Secret of the revision meanwhile (docs/ingress.md)`,
  );
}
