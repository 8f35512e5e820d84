import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ActionAccepted, ActionRequest, ActionStatusResponse, ObjectResponse } from '../../../src/runtime/api/contract.js';
import { useSession } from '../hooks.js';
import { actionsFor, paths } from '../lib/api-paths.js';
import { parseReplicas } from '../lib/replicas.js';
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

type ActionBody = Omit<ActionRequest, 'kind' | 'namespace' | 'name'>;

/** An action waiting for the person's Confirm: what it does, asked in words. */
export interface PendingConfirm {
  req: ActionBody;
  what: string;
  question: string;
}

export interface ActionRunner {
  run: ActionRun;
  busy: boolean;
  start(req: ActionBody, what: string): void;
  /** Asks first (Argo CD confirms restart and rollback): the action starts only on Confirm. */
  ask(req: ActionBody, what: string, question: string): void;
  confirming?: PendingConfirm;
  confirm(): void;
  cancel(): void;
}

export function useActionRunner(target: ObjectRef): ActionRunner {
  const { api } = useSession();
  const [run, setRun] = useState<ActionRun>({ phase: 'idle' });
  const [confirming, setConfirming] = useState<PendingConfirm | undefined>();
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const start = async (req: ActionBody, what: string) => {
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
    ask: (req, what, question) => setConfirming({ req, what, question }),
    ...(confirming ? { confirming } : {}),
    confirm: () => {
      if (!confirming) return;
      setConfirming(undefined);
      void start(confirming.req, confirming.what);
    },
    cancel: () => setConfirming(undefined),
  };
}

/**
 * The confirm step, inline where the actions are: a labelled group whose Confirm button takes the
 * focus when it appears (so a keyboard user is on it at once); Escape or Cancel goes back.
 */
export function ConfirmStep(props: { runner: ActionRunner }) {
  const pending = props.runner.confirming;
  const confirmButton = useRef<HTMLButtonElement>(null);
  // Before paint, not after: a key pressed as the question appears must land on Confirm.
  useLayoutEffect(() => confirmButton.current?.focus(), [pending]);
  if (!pending) return null;
  return (
    <div class="confirm" role="group" aria-labelledby="confirm-q" id="action-confirm" onKeyDown={(e) => e.key === 'Escape' && props.runner.cancel()}>
      <p id="confirm-q">{pending.question}</p>
      <button type="button" ref={confirmButton} onClick={props.runner.confirm}>
        Confirm {pending.what}
      </button>{' '}
      <button type="button" class="quiet" onClick={props.runner.cancel}>
        Cancel
      </button>
    </div>
  );
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
  const [replicasError, setReplicasError] = useState<string | undefined>();
  const { access } = useSession();
  if (offered.size === 0) return null;
  const name = props.object.object.metadata.name;
  // The daemon refuses them (403) without a token: say so rather than fail after a click.
  if (!access.privileged)
    return (
      <section aria-labelledby="actions-h">
        <h2 id="actions-h">Actions</h2>
        <p class="muted" id="actions-off">
          Undo, restart, pause and scale need the daemon to run with <code>--token-file</code>; this one has no token, so the page offers none.
        </p>
      </section>
    );

  const scale = (e: Event) => {
    e.preventDefault();
    const parsed = parseReplicas(replicas);
    if (!parsed.ok) return setReplicasError(parsed.error);
    setReplicasError(undefined);
    const n = parsed.replicas;
    if (n === 0) runner.ask({ action: 'scale', replicas: 0 }, 'Scale to 0', `Scale ${props.kind} ${name} to 0? Every pod of it stops.`);
    else runner.start({ action: 'scale', replicas: n }, `Scale to ${n}`);
  };

  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">Actions</h2>
      <div class="actions">
        {offered.has('restart') ? (
          <button type="button" disabled={runner.busy} onClick={() => runner.ask({ action: 'restart' }, 'Restart', `Restart ${props.kind} ${name}? Every pod of it is replaced, one by one as its rollout allows.`)}>
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
            <input
              id="replicas"
              type="text"
              inputMode="numeric"
              class="narrow"
              autoComplete="off"
              value={replicas}
              onInput={(e) => setReplicas((e.target as HTMLInputElement).value)}
              aria-invalid={replicasError ? true : undefined}
              aria-describedby={replicasError ? 'replicas-error' : undefined}
            />
            <button type="submit" disabled={runner.busy}>
              Scale
            </button>
          </form>
        ) : null}
      </div>
      {replicasError ? (
        <p id="replicas-error" class="error" role="alert">
          {replicasError}
        </p>
      ) : null}
      <ConfirmStep runner={runner} />
      {rollout?.paused ? <p class="notice">The rollout is paused: template changes wait until it is resumed.</p> : null}
      <ActionOutcome run={runner.run} />
    </section>
  );
}
