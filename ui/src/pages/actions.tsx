import { useEffect, useRef, useState } from 'preact/hooks';
import type { ActionAccepted, ActionRequest, ActionStatusResponse, ObjectResponse } from '../../../src/runtime/api/contract.js';
import { useSession } from '../hooks.js';
import { actionsFor, paths } from '../lib/api-paths.js';
import type { ObjectRef } from '../lib/routes.js';

/**
 * Undo, restart, pause/resume and scale, as the CLI's `rollout` and `scale` do them: the daemon
 * records the change (an intent) and its next pass acts. The UI then asks for the outcome
 * until the pass has acted, and says it.
 */
export type ActionRun =
  | { phase: 'idle' }
  | { phase: 'pending'; what: string }
  | { phase: 'done'; what: string; ok: boolean; withdrawn?: true; message: string };

const POLL_MS = 500;

export interface ActionRunner {
  run: ActionRun;
  busy: boolean;
  start(req: Omit<ActionRequest, 'kind' | 'namespace' | 'name'>, what: string): void;
}

export function useActionRunner(target: ObjectRef): ActionRunner {
  const { api } = useSession();
  const [run, setRun] = useState<ActionRun>({ phase: 'idle' });
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const start = async (req: Omit<ActionRequest, 'kind' | 'namespace' | 'name'>, what: string) => {
    if (!target.namespace) return;
    setRun({ phase: 'pending', what });
    try {
      const accepted = await api.post<ActionAccepted>(paths.actions, { ...req, kind: target.kind, namespace: target.namespace, name: target.name } satisfies ActionRequest);
      // The daemon decides when to stop waiting: an action its pass has not taken within the CLI's
      // timeout is withdrawn there (state `withdrawn`), so the page asks until it has an answer.
      let status: ActionStatusResponse = { id: accepted.intent, state: accepted.state };
      while (status.state === 'pending' && alive.current) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        status = await api.get<ActionStatusResponse>(paths.action(accepted.intent));
      }
      if (!alive.current) return;
      const result = status.result;
      const ok = status.state === 'done' && (result?.ok ?? true);
      setRun({ phase: 'done', what, ok, ...(status.state === 'withdrawn' ? { withdrawn: true as const } : {}), message: result?.error?.message ?? result?.message ?? (ok ? 'done' : 'refused') });
    } catch (err) {
      if (alive.current) setRun({ phase: 'done', what, ok: false, message: (err as Error).message });
    }
  };

  return {
    run,
    busy: run.phase === 'pending',
    start: (req, what) => void start(req, what),
  };
}

/** The outcome line, in a live region so it is announced when the pass has acted. */
export function ActionOutcome(props: { run: ActionRun }) {
  const r = props.run;
  return (
    <p class={`outcome ${r.phase === 'done' ? (r.ok ? 'ok' : 'bad') : ''}`} role="status" id="action-outcome">
      {r.phase === 'pending' ? `${r.what}: waiting for the daemon…` : r.phase === 'done' ? `${r.what}: ${r.ok ? 'done' : r.withdrawn ? 'withdrawn' : 'failed'} — ${r.message}` : ''}
    </p>
  );
}

export function ActionsPanel(props: { kind: string; object: ObjectResponse; runner: ActionRunner }) {
  const offered = actionsFor(props.kind);
  const { runner } = props;
  const rollout = props.object.rollout;
  const specReplicas = (props.object.object.spec as { replicas?: number } | undefined)?.replicas;
  const [replicas, setReplicas] = useState(String(rollout?.replicas ?? specReplicas ?? 1));
  if (offered.size === 0) return null;

  const scale = (e: Event) => {
    e.preventDefault();
    const n = Number(replicas);
    if (!Number.isInteger(n) || n < 0) return;
    runner.start({ action: 'scale', replicas: n }, `Scale to ${n}`);
  };

  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">Actions</h2>
      <div class="actions">
        {offered.has('restart') ? (
          <button type="button" disabled={runner.busy} onClick={() => runner.start({ action: 'restart' }, 'Restart')}>
            Restart
          </button>
        ) : null}
        {offered.has('pause') && rollout && !rollout.paused ? (
          <button type="button" disabled={runner.busy} onClick={() => runner.start({ action: 'pause' }, 'Pause')}>
            Pause rollout
          </button>
        ) : null}
        {offered.has('resume') && rollout?.paused ? (
          <button type="button" disabled={runner.busy} onClick={() => runner.start({ action: 'resume' }, 'Resume')}>
            Resume rollout
          </button>
        ) : null}
        {offered.has('scale') ? (
          <form class="inline" onSubmit={scale}>
            <label for="replicas">Replicas</label>
            <input id="replicas" type="number" min={0} step={1} inputMode="numeric" value={replicas} onInput={(e) => setReplicas((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={runner.busy}>
              Scale
            </button>
          </form>
        ) : null}
      </div>
      {rollout?.paused ? <p class="notice">The rollout is paused: template changes wait until it is resumed.</p> : null}
      <ActionOutcome run={runner.run} />
    </section>
  );
}
