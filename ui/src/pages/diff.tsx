import { useMemo, useState } from 'preact/hooks';
import type { DiffResponse, SyncResponse } from '../../../src/runtime/api/contract.js';
import { ErrorNote, Loading, Problems, RevisionId } from '../components/bits.js';
import { useApi, useSession, useTitle } from '../hooks.js';
import { paths } from '../lib/api-paths.js';
import { diffView } from '../lib/diff.js';

/**
 * What the next sync would change: the report `berth diff` prints for the newest fetched
 * revision against the host, with drift and divergences, and a button that asks the daemon
 * for a sync now (fetch and a pass, as POST /api/v1/sync always did).
 */
export function DiffPage() {
  const { api } = useSession();
  const diff = useApi<DiffResponse>(paths.diff, ['status', 'resources']);
  const [sync, setSync] = useState<{ phase: 'idle' | 'sending' | 'sent' | 'error'; message?: string }>({ phase: 'idle' });
  useTitle('Diff');
  const view = useMemo(() => (diff.data?.report ? diffView(diff.data.report) : undefined), [diff.data]);

  const syncNow = async () => {
    setSync({ phase: 'sending' });
    try {
      await api.post<SyncResponse>(paths.sync, {});
      setSync({ phase: 'sent', message: 'Sync requested: the daemon fetches the source and runs a pass. This page follows it.' });
    } catch (err) {
      setSync({ phase: 'error', message: (err as Error).message });
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Diff</h1>
      <p class="toolbar">
        <button type="button" onClick={() => void syncNow()} disabled={sync.phase === 'sending'}>
          Sync now
        </button>
        <span role="status" class={sync.phase === 'error' ? 'error' : 'muted'}>
          {sync.message ?? ''}
        </span>
      </p>
      <ErrorNote error={diff.error} what="the diff" />
      {!diff.data ? (
        diff.error ? null : <Loading what="the diff" />
      ) : (
        <>
          <p>
            Revision <RevisionId id={diff.data.revision.id} /> <span class="muted">({diff.data.revision.origin})</span> against the host.
          </p>
          {!diff.data.valid ? (
            <section class="alert-box" aria-labelledby="invalid-h">
              <h2 id="invalid-h">This revision is invalid: a sync applies nothing from it</h2>
              <Problems problems={diff.data.problems} />
            </section>
          ) : null}
          {view ? (
            <div class="diff" aria-label="Changes">
              {view.blocks.map((b) => (
                <section key={b.key} class={`diff-block sign-${b.sign === '+' ? 'add' : b.sign === '-' ? 'del' : 'mod'}`} aria-label={b.title}>
                  <h2 class="diff-title">
                    <span aria-hidden="true">{b.sign} </span>
                    {b.title}
                    {b.source ? <span class="muted"> ({b.source})</span> : null}
                  </h2>
                  {b.effects.length > 0 ? (
                    <ul class="effects">
                      {b.effects.map((e, i) => (
                        <li key={i} class={e.destructive ? 'destructive' : ''}>
                          {e.destructive ? '⚠ ' : '→ '}
                          {e.text}
                          {e.destructive ? ' [destructive]' : ''}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {b.lines.length > 0 ? (
                    <pre class="diff-lines" tabIndex={0}>
                      {b.lines.map((l, i) => (
                        <span key={i} class={`line sign-${l.sign === '+' ? 'add' : l.sign === '-' ? 'del' : 'mod'}`}>
                          {`${l.sign} ${l.text}\n`}
                        </span>
                      ))}
                    </pre>
                  ) : null}
                </section>
              ))}
              {view.drift.length > 0 ? (
                <section class="diff-block sign-mod" aria-labelledby="drift-h">
                  <h2 class="diff-title" id="drift-h">
                    ~ drift on the host (manifests unchanged)
                  </h2>
                  <ul class="effects">
                    {view.drift.map((d, i) => (
                      <li key={i}>→ {d}</li>
                    ))}
                  </ul>
                </section>
              ) : null}
              {view.notes.map((n, i) => (
                <p key={i} class="muted">
                  {n}
                </p>
              ))}
              <p class={`summary ${view.destructive ? 'destructive' : ''}`} id="diff-summary">
                {view.summary}
              </p>
            </div>
          ) : null}
        </>
      )}
    </>
  );
}
