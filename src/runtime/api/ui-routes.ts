import type { ExecTicketResponse } from './contract.js';
import { definePrefixRoute, defineRoute, readJsonBody, type Route } from './http.js';
import { LOGS_QUERY, NO_QUERY, OBJECT_QUERY, PASSES_QUERY } from './query.js';
import type { TicketBook } from './tickets.js';
import type { UiHandlers } from './ui-handlers.js';

/**
 * The web UI's routes (docs/daemon.md "Web UI endpoints"). Every one is a 'read' or 'write' as
 * guardRequest knows them: with a token configured, each needs it, reads included; writes also
 * pass the Origin check. Logs, actions and exec tickets are 'privileged': refused (403) while the
 * daemon has no token at all (guard.ts RouteAccess). Bodies are JSON within the server's limit.
 */
export function uiRoutes(ui: UiHandlers, tickets: TicketBook, limit: number): Route[] {
  return [
    defineRoute('GET', '/api/v1/tree', 'read', NO_QUERY, () => ui.tree()),
    defineRoute('GET', '/api/v1/object', 'read', OBJECT_QUERY, (_r, q) => ui.object(q)),
    defineRoute('POST', '/api/v1/actions', 'privileged-write', NO_QUERY, async (req) => {
      const body = await readJsonBody(req, limit);
      return body.ok ? ui.submitAction(body.value) : body.response;
    }),
    definePrefixRoute('GET', '/api/v1/actions/', 'read', NO_QUERY, (_r, _q, rest) => ui.action(rest)),
    defineRoute('GET', '/api/v1/passes', 'read', PASSES_QUERY, (_r, q) => ui.passes(q)),
    defineRoute('GET', '/api/v1/stream', 'read', NO_QUERY, () => ui.stream()),
    defineRoute('GET', '/api/v1/logs', 'privileged-read', LOGS_QUERY, (_r, q) => ui.logs(q)),
    defineRoute('POST', '/api/v1/exec/tickets', 'privileged-write', NO_QUERY, async (req) => {
      const body = await readJsonBody(req, limit);
      if (!body.ok) return body.response;
      const checked = await ui.execTarget(body.value);
      if ('refusal' in checked) return checked.refusal;
      const { ticket, expiresAt } = tickets.issue(checked.target);
      return { status: 201, body: { ticket, expiresAt: new Date(expiresAt).toISOString() } satisfies ExecTicketResponse };
    }),
  ];
}
