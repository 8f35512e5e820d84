import type { EventsResponse, PassesResponse } from '../../../src/runtime/api/contract.js';
import { Badge, ErrorNote, EventsTable, Loading, RevisionId, TableScroll, Time } from '../components/bits.js';
import { useApi, useNow, useTitle } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import { duration } from '../lib/format.js';

const EVENTS_SHOWN = 200;
const PASSES_SHOWN = 50;

/** The reconcile passes (what triggered each, how long, what came of it) and the app's events, newest first. */
export function EventsPage() {
  const passes = useApi<PassesResponse>(paths.passes(PASSES_SHOWN), ['status']);
  const events = useApi<EventsResponse>(paths.events(EVENTS_SHOWN), ['event']);
  const now = useNow();
  useTitle('Events');

  return (
    <>
      <h1 tabIndex={-1}>Events and passes</h1>
      <section aria-labelledby="passes-h">
        <h2 id="passes-h">Reconcile passes</h2>
        <ErrorNote error={passes.error} what="the passes" />
        {!passes.data ? (
          passes.error ? null : <Loading what="the passes" />
        ) : passes.data.length === 0 ? (
          <p class="muted">No pass has run yet.</p>
        ) : (
          <TableScroll label="Reconcile passes">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Result</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Changes</th>
                  <th scope="col">Revision</th>
                </tr>
              </thead>
              <tbody>
                {passes.data.map((p) => (
                  <tr key={p.startedAt}>
                    <td data-label="Started">
                      <Time iso={p.startedAt} now={now} />
                    </td>
                    <td data-label="Trigger">
                      {p.trigger}
                      {p.triggers.length > 1 ? <span class="muted"> (+{p.triggers.filter((t) => t !== p.trigger).join(', ')})</span> : null}
                    </td>
                    <td data-label="Result">
                      <Badge word={p.result} />
                      {p.error ? <span class="msg"> {p.error.message}</span> : null}
                    </td>
                    <td class="num" data-label="Duration">
                      {duration(p.durationMs)}
                    </td>
                    <td class="num" data-label="Changes">
                      {p.changes ?? 0}
                    </td>
                    <td data-label="Revision">
                      <RevisionId id={p.revision} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>
      <section aria-labelledby="app-events-h">
        <h2 id="app-events-h">Events</h2>
        <ErrorNote error={events.error} what="the events" />
        {events.data ? <EventsTable events={events.data.items} now={now} showObject label="Events of the app" /> : events.error ? null : <Loading what="the events" />}
      </section>
    </>
  );
}
