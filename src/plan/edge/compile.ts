/**
 * The route compiler: an app's manifests → the edge's route table (compiled.ts), the statuses of
 * its edge objects and notes, from the manifests alone (backends and certificates stay symbolic;
 * bind.ts resolves them). Pure and deterministic: the same resources give the same table, so the
 * offline diff, the views and the edge agree on what routes where. docs/ingress.md.
 */
import type { Resource } from '../../model/types.js';
import { compileHTTPRoutes } from './compile-gateway.js';
import { compileIngresses } from './compile-ingress.js';
import type { CompileOptions, CompileResult } from './compiled.js';
import { compileGateways, gatewayStatus } from './gateway-listeners.js';
import { EdgeResources } from './resources.js';
import { TableBuilder } from './table.js';

export function compileRoutes(resources: readonly Resource[], opts: CompileOptions): CompileResult {
  const res = new EdgeResources(resources, opts);
  const table = new TableBuilder();
  const ingress = compileIngresses(res, table);
  const gateways = compileGateways(res);
  const routes = compileHTTPRoutes(res, gateways, table);
  const edge = table.finish();
  // Gateway statuses last: attachedRoutes counts the routes that attached above.
  const statuses = [...ingress.statuses, ...gateways.statuses, ...[...gateways.gateways.values()].map(gatewayStatus), ...routes.statuses];
  statuses.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
  return { edge, statuses, notes: [...ingress.notes, ...gateways.notes, ...routes.notes, ...table.notes] };
}
