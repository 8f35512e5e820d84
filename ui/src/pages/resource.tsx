import type { ObjectResponse } from '../../../src/runtime/api/contract.js';
import { Badge, ErrorNote, EventsTable, Loading, RevisionId, TableScroll, Time } from '../components/bits.js';
import { ApiError } from '../api.js';
import { useApi, useNow, useSession, useTitle } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import type { ObjectRef } from '../lib/routes.js';
import { Link } from '../router.js';
import { ActionsPanel, useActionRunner, type ActionRunner } from './actions.js';
import { ExecPanel } from './exec.js';
import { LogsPanel } from './logs.js';

/**
 * One live object: for workloads its rollout history and actions, for pods their logs and a
 * terminal, for every kind its events and YAML (a Secret's values masked by the daemon).
 */
export function ResourcePage(props: { objectRef: ObjectRef }) {
  const ref = props.objectRef;
  const obj = useApi<ObjectResponse>(paths.object(ref), ['resources', 'event', 'status']);
  const runner = useActionRunner(ref);
  const { access } = useSession();
  const now = useNow();
  const display = ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name;
  useTitle(`${ref.kind} ${display}`);

  const heading = (
    <h1 tabIndex={-1}>
      <span class="kind">{ref.kind}</span> {display}
    </h1>
  );
  // Gone is gone even with an older answer on screen (a pod a rollout replaced): say so rather than show it.
  if (obj.error instanceof ApiError && obj.error.status === 404) {
    return (
      <>
        {heading}
        <p>
          There is no such object on the host (any more). <Link href="/tree">See the resource tree</Link>.
        </p>
      </>
    );
  }
  if (!obj.data) {
    return (
      <>
        {heading}
        {obj.error ? <ErrorNote error={obj.error} what="the object" /> : <Loading what="the object" />}
      </>
    );
  }
  const data = obj.data;
  const containers = ref.kind === 'Pod' ? podContainers(data) : [];

  return (
    <>
      {heading}
      <ErrorNote error={obj.error} what="the object" />
      <ActionsPanel kind={ref.kind} object={data} runner={runner} />
      {data.rollout ? <RolloutHistory rollout={data.rollout} now={now} runner={runner} canUndo={access.privileged} /> : null}
      {ref.kind === 'Pod' && ref.namespace && !access.privileged ? (
        <section aria-labelledby="logs-h">
          <h2 id="logs-h">Logs and terminal</h2>
          <p class="muted" id="logs-off">
            A pod's logs and a terminal in it need the daemon to run with <code>--token-file</code>; this one has no token. <code>berth logs</code> and <code>berth exec</code> on the daemon's host still work.
          </p>
        </section>
      ) : ref.kind === 'Pod' && ref.namespace ? (
        <>
          <LogsPanel namespace={ref.namespace} pod={ref.name} containers={containers} />
          <ExecPanel namespace={ref.namespace} pod={ref.name} containers={containers.filter((c) => !c.init).map((c) => c.name)} />
        </>
      ) : null}
      <section aria-labelledby="events-h">
        <h2 id="events-h">Events</h2>
        <EventsTable events={data.events} now={now} showObject={false} label="Events of this object" />
      </section>
      <section aria-labelledby="yaml-h">
        <h2 id="yaml-h">YAML</h2>
        <pre class="yaml" tabIndex={0} aria-labelledby="yaml-h">
          {data.yaml}
        </pre>
      </section>
    </>
  );
}

export interface ContainerChoice {
  name: string;
  init: boolean;
}

function podContainers(data: ObjectResponse): ContainerChoice[] {
  const spec = data.object.spec as { containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }> } | undefined;
  return [...(spec?.containers ?? []).map((c) => ({ name: c.name, init: false })), ...(spec?.initContainers ?? []).map((c) => ({ name: c.name, init: true }))];
}

function RolloutHistory(props: { rollout: NonNullable<ObjectResponse['rollout']>; now: number; runner: ActionRunner; canUndo: boolean }) {
  const { revisions } = props.rollout;
  return (
    <section aria-labelledby="history-h">
      <h2 id="history-h">Rollout history</h2>
      {revisions.length === 0 ? (
        <p class="muted">No revisions recorded.</p>
      ) : (
        <TableScroll label="Rollout history">
          <table class="history stack">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Source revision</th>
                <th scope="col">Change cause</th>
                <th scope="col">Outcome</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {[...revisions].reverse().map((r) => (
                <tr key={r.revision} class={r.current ? 'current' : ''}>
                  <th scope="row" data-label="Revision">
                    {r.revision}
                    {r.current ? (
                      <>
                        {' '}
                        <Badge word="current" />
                      </>
                    ) : null}
                  </th>
                  <td data-label="Source revision">
                    <RevisionId id={r.sourceRevision} />
                  </td>
                  <td data-label="Change cause">{r.changeCause ?? <span class="muted">—</span>}</td>
                  <td data-label="Outcome">
                    <Badge word={r.outcome} />
                  </td>
                  <td data-label="Created">
                    <Time iso={r.createdAt} now={props.now} />
                  </td>
                  <td>
                    {r.current || !props.canUndo ? null : (
                      <button type="button" class="small" disabled={props.runner.busy} onClick={() => props.runner.ask({ action: 'undo', toRevision: r.revision }, `Undo to revision ${r.revision}`, `Undo to revision ${r.revision}? Its pods replace the running ones, and the workload stays pinned there until the source changes it.`)}>
                        Undo to {r.revision}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
