import type { ExecTicketResponse } from './contract.js';
import { definePrefixRoute, defineRoute, readJsonBody, type ApiResponse, type Route } from './http.js';
import { LOGS_QUERY, NO_QUERY, OBJECT_QUERY, PASSES_QUERY } from './query.js';
import { createSlots, type Slots } from './slots.js';
import type { TicketBook } from './tickets.js';
import type { UiHandlers } from './ui-handlers.js';

/**
 * The web UI's routes (docs/daemon.md "Web UI endpoints"). Every one is a 'read' or 'write' as
 * guardRequest knows them: with a token configured, each needs it, reads included; writes also
 * pass the Origin check. Logs, actions and exec tickets are 'privileged': refused (403) while the
 * daemon has no token at all (guard.ts RouteAccess). Bodies are JSON within the server's limit.
 * Log and event streams are held open for as long as their page is: each kind has a cap, as the
 * exec socket has (16 terminals), past which a new one is answered 503 (streamed()).
 */
export function uiRoutes(ui: UiHandlers, tickets: TicketBook, limit: number, options: { exec: boolean }): Route[] {
  // Made per server, not per module: two servers in one process (tests) count apart.
  const eventStreams = createSlots(MAX_EVENT_STREAMS);
  const logStreams = createSlots(MAX_LOG_STREAMS);
  return [
    defineRoute('GET', '/api/v1/tree', 'read', NO_QUERY, () => ui.tree()),
    defineRoute('GET', '/api/v1/object', 'read', OBJECT_QUERY, (_r, q) => ui.object(q)),
    defineRoute('POST', '/api/v1/actions', 'privileged-write', NO_QUERY, async (req) => {
      const body = await readJsonBody(req, limit);
      return body.ok ? ui.submitAction(body.value) : body.response;
    }),
    definePrefixRoute('GET', '/api/v1/actions/', 'read', NO_QUERY, (_r, _q, rest) => ui.action(rest)),
    defineRoute('GET', '/api/v1/passes', 'read', PASSES_QUERY, (_r, q) => ui.passes(q)),
    defineRoute('GET', '/api/v1/stream', 'read', NO_QUERY, () =>
      streamed(eventStreams, `${MAX_EVENT_STREAMS} event streams are open already (one per open page of the web UI); close some of its tabs, then reload`, () => ui.stream()),
    ),
    defineRoute('GET', '/api/v1/logs', 'privileged-read', LOGS_QUERY, (_r, q) =>
      streamed(logStreams, `${MAX_LOG_STREAMS} log streams are open already; close a followed log (a pod page's Logs, or another client of /api/v1/logs) and try again`, () => ui.logs(q)),
    ),
    defineRoute('POST', '/api/v1/exec/tickets', 'privileged-write', NO_QUERY, async (req) => {
      if (!options.exec) return { status: 403, body: { error: EXEC_OFF } };
      const body = await readJsonBody(req, limit);
      if (!body.ok) return body.response;
      const checked = await ui.execTarget(body.value);
      if ('refusal' in checked) return checked.refusal;
      const { ticket, expiresAt } = tickets.issue(checked.target);
      return { status: 201, body: { ticket, expiresAt: new Date(expiresAt).toISOString() } satisfies ExecTicketResponse };
    }),
  ];
}

/** Why a terminal is refused on a daemon started with `--no-exec`. */
export const EXEC_OFF = 'exec is turned off on this daemon (it was started with --no-exec): no terminals; logs and actions still work';
/** Why `/` answers 404 on a daemon started with `--no-web-ui`. */
export const WEB_UI_OFF = 'the web UI is turned off on this daemon (it was started with --no-web-ui)';

/**
 * Event streams open at once: one per open page of the web UI (every tab of every person
 * looking). A team's dashboards stay far below; a client reconnecting in a loop without closing
 * would otherwise hold a socket and a feed listener each, without end.
 */
export const MAX_EVENT_STREAMS = 64;

/**
 * Log streams open at once: each followed log holds a Docker logs stream (a connection to the
 * engine the passes use) besides its socket. Twice the 16 terminals: a log is cheaper than a
 * shell, but as easy to leave open in a forgotten tab.
 */
export const MAX_LOG_STREAMS = 32;

/**
 * A streamed answer within its cap: a slot is taken before the handler runs (so refused requests
 * cost no Docker read), given back at once when the answer is no stream (a 404, a bad query),
 * and else when the answer is over, however it ends (ApiResponse.release).
 */
async function streamed(slots: Slots, full: string, run: () => Promise<ApiResponse> | ApiResponse): Promise<ApiResponse> {
  const release = slots.take();
  if (!release) return { status: 503, headers: { 'Retry-After': '5' }, body: { error: full } };
  try {
    const response = await run();
    if (!response.stream) release();
    return response.stream ? { ...response, release } : response;
  } catch (err) {
    release();
    throw err;
  }
}
