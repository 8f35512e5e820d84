import type { StatusResponse, TreeResponse } from '../../../src/runtime/api/contract.js';
import { Badge, ErrorNote, Loading, ObjectLink, Problems, RevisionId, Time } from '../components/bits.js';
import { useApi, useNow, useOnce, useTitle } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import { duration, shortId, subject } from '../lib/format.js';
import { routePath } from '../lib/routes.js';
import { nodeRef, workloads } from '../lib/tree.js';
import { Link } from '../router.js';

/**
 * The app at a glance: is the host what the source says (sync), does it work (health), which
 * revision runs, and, for a refused revision, every problem where it is.
 */
export function Overview() {
  const status = useApi<StatusResponse>(paths.status, ['status']);
  const tree = useApi<TreeResponse>(paths.tree, ['resources', 'status']);
  const now = useNow();
  useTitle('Overview', status.data?.app);
  useOnce(status.data !== undefined && tree.data !== undefined, () => performance.mark('berth:overview-ready'));

  if (!status.data) return status.error ? <ErrorNote error={status.error} what="the app's status" /> : <Loading what="the app's status" />;
  const s = status.data;
  // The daemon judges the app's health (runtime/api/tree.ts appHealth); the page only shows it.
  const counts = tree.data?.healthCounts;
  const health = tree.data?.health ?? 'Unknown';

  return (
    <>
      <h1 tabIndex={-1}>
        App <span class="app-name">{s.app}</span>
      </h1>
      <ErrorNote error={status.error} what="the app's status" />
      <section class="cards" aria-label="Summary">
        <div class="card">
          <h2>Sync</h2>
          <p class="big" id="sync-state">
            <Badge word={s.sync.state} label="Sync state" />
          </p>
          <p class="muted">
            since <Time iso={s.sync.since} now={now} />
          </p>
        </div>
        <div class="card">
          <h2>Health</h2>
          <p class="big" id="app-health">
            <Badge word={health} label="Health" />
          </p>
          {counts ? (
            <p class="muted">
              {Object.entries(counts)
                .filter(([, n]) => n > 0)
                .map(([h, n]) => `${n} ${h}`)
                .join(', ') || 'no objects'}
            </p>
          ) : null}
        </div>
        <Revision status={s} now={now} />
      </section>
      <Refused status={s} />
      <Notes status={s} />
      <section aria-labelledby="workloads-h">
        <h2 id="workloads-h">Workloads</h2>
        <ErrorNote error={tree.error} what="the resource tree" />
        {tree.data ? <Workloads tree={tree.data} /> : tree.error ? null : <Loading what="the resource tree" />}
      </section>
    </>
  );
}

function Revision(props: { status: StatusResponse; now: number }) {
  const { source, sync, lastPass } = props.status;
  const applied = sync.appliedRevision;
  // The source's commit details describe the newest fetched revision: shown when that is the one applied.
  const commit = source.commit && source.revision === applied ? source.commit : undefined;
  return (
    <div class="card">
      <h2>Revision</h2>
      <p class="big">
        {applied ? (
          <RevisionId id={applied} elementId="applied-revision" />
        ) : (
          'none applied yet'
        )}
      </p>
      {commit ? (
        <p>
          {subject(commit.message)} <span class="muted">— {commit.author}</span>
        </p>
      ) : applied && source.description.startsWith('folder') ? (
        <p class="muted">content id of the folder</p>
      ) : null}
      <p class="muted">{source.description}</p>
      <p class="muted">
        applied <Time iso={sync.appliedAt} now={props.now} />
        {lastPass ? (
          <>
            ; last pass <Badge word={lastPass.result} /> in {duration(lastPass.durationMs)} <Time iso={lastPass.startedAt} now={props.now} />
          </>
        ) : null}
      </p>
    </div>
  );
}

/**
 * A refused revision: every problem as file:line:col. The live region is always in the page
 * (empty while all is well), so a refusal that arrives later is announced.
 */
function Refused(props: { status: StatusResponse }) {
  const { sync, source } = props.status;
  const problems = sync.lastError?.problems ?? [];
  const failed = sync.failedRevision !== null || sync.lastError !== null;
  return (
    <div aria-live="polite">
      {failed || source.lastError ? (
        <section aria-labelledby="refused-h" class="alert-box" id="refused">
          <h2 id="refused-h">{sync.failedRevision ? `Revision ${shortId(sync.failedRevision)} was refused` : failed ? 'The last pass failed' : 'The source cannot be read'}</h2>
          {source.commit && sync.failedRevision && source.revision === sync.failedRevision ? (
            <p>
              {subject(source.commit.message)} <span class="muted">— {source.commit.author}</span>
            </p>
          ) : null}
          {sync.lastError ? <p>{sync.lastError.message}</p> : null}
          {problems.length > 0 ? <Problems problems={problems} /> : null}
          {source.lastError ? (
            <p class="error">
              The source cannot be read ({source.consecutiveFailures} failures in a row): {source.lastError.message}
            </p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function Notes(props: { status: StatusResponse }) {
  const { divergences, localHold } = props.status.sync;
  if (!divergences?.length && !localHold) return null;
  return (
    <section aria-labelledby="divergences-h">
      <h2 id="divergences-h">Divergences</h2>
      <ul>
        {(divergences ?? []).map((d) => (
          <li key={d.deployment + d.reason}>
            <ObjectLink objectKey={d.deployment} /> <Badge word={d.reason} /> {d.message}
          </li>
        ))}
        {localHold ? <li>{localHold.message}</li> : null}
      </ul>
    </section>
  );
}

function Workloads(props: { tree: TreeResponse }) {
  const list = workloads(props.tree.namespaces);
  if (list.length === 0) return <p class="muted">No workloads.</p>;
  return (
    <ul class="workloads">
      {list.map(({ node, pods }) => {
        const ref = nodeRef(node)!;
        return (
          <li key={`${node.kind}/${node.namespace}/${node.name}`} class="card">
            <p>
              <span class="kind">{node.kind}</span> <Link href={routePath({ page: 'resource', ref })}>{node.namespace ? `${node.namespace}/${node.name}` : node.name}</Link>{' '}
              <Badge word={node.health} label="Health" /> <span class="status">{node.status}</span>
            </p>
            {pods.length > 0 ? (
              <ul class="pods" aria-label={`Pods of ${node.name}`}>
                {pods.map((p) => (
                  <li key={p.name}>
                    <Link href={routePath({ page: 'resource', ref: nodeRef(p)! })}>{p.name}</Link> <Badge word={p.health} label="Health" /> <span class="status">{p.status}</span>
                    {p.ready ? <span class="muted"> ready {p.ready}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
