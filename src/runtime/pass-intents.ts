import type { ActionResult } from '../apply/execute.js';
import { BerthError, isBerthError } from '../model/errors.js';
import type { ApplyReport, DeleteReport, Intent, IntentResult, IntentRevision, PassIntentSpec } from '../model/intent.js';
import { kindInfo } from '../model/kinds.js';
import type { Revision } from '../model/revision.js';
import type { LocalHold } from '../model/state.js';
import { NO_SOURCE_REVISION } from '../model/source-revision.js';
import type { Resource } from '../model/types.js';
import { actionText } from './action-text.js';
import { describeAction } from '../plan/action-text.js';
import type { PassDeps as ConvergeDeps, ProgressEvent } from './pass/index.js';
import type { DeleteOutcome } from './delete.js';
import { executeDelete } from './delete.js';
import type { PassResult, ResourceChange } from './pass/index.js';
import { runPass } from './pass/index.js';

export interface PassIntentOptions {
  /**
   * Set by a daemon that follows a source: a change it makes for a command holds until the
   * source moves past `latest` (plan/local-hold.ts). Absent in a command's own process: without
   * a daemon, the inventory is simply what was last applied.
   */
  follows?: { source: string; latest: string | undefined };
  /** Objects the daemon generates (CronJob Jobs), desired in its every pass. */
  extraResources?: readonly Resource[];
  signal?: AbortSignal;
  /** The command acting on its own intent in process streams its progress, as `apply` always has. */
  onProgress?: (event: ProgressEvent) => void;
  onChanges?: (changes: ResourceChange[]) => void;
  onDeleted?: (result: ActionResult) => void;
}

export interface PassIntentOutcome {
  result: IntentResult;
  pass?: PassResult;
  deleted?: DeleteOutcome;
}

/**
 * Acts on an `apply` or `delete` intent, holding the app's lease (issue 12 F3): the same
 * runPass and delete path the commands ran themselves, here in whichever process holds the
 * app. The intent is taken first (its command can no longer withdraw it, and waits for it
 * however long the pass takes), then finished with what the pass did, so the command prints
 * the same lines, problems with file:line and exit code as when it ran the pass itself.
 * Undefined when the intent was withdrawn before it was taken. A pass that throws finishes the
 * intent with the error, and the error is thrown on.
 */
export async function actOnPassIntent(deps: ConvergeDeps, intent: Intent, options: PassIntentOptions = {}): Promise<PassIntentOutcome | undefined> {
  const spec = intent.spec as PassIntentSpec;
  if (!deps.store.takeIntent(intent.id)) return undefined;
  // Kept done, without the files: a revision can be large, and the inventory holds what was applied.
  const kept = spec.type === 'apply' ? { ...spec, revision: { ...spec.revision, files: [] } } : spec;
  let outcome: PassIntentOutcome;
  try {
    outcome = spec.type === 'apply' ? await applyIntent(deps, intent.app, spec, options) : await deleteIntent(deps, intent.app, spec, options);
  } catch (err) {
    // A daemon stopping mid-pass leaves it taken: the next lease holder (the waiting command
    // itself, or the daemon restarted) takes it up again. A command interrupted here gave up.
    if (options.signal?.aborted && options.follows) throw err;
    const e = isBerthError(err) ? err : new BerthError('INTERNAL', (err as Error)?.message ?? String(err), {});
    deps.store.finishIntent(intent.id, { ok: false, message: e.message, error: { code: e.code, message: e.message, data: { ...e.data } } }, kept);
    throw err;
  }
  deps.store.finishIntent(intent.id, outcome.result, kept);
  return outcome;
}

async function applyIntent(deps: ConvergeDeps, app: string, spec: Extract<PassIntentSpec, { type: 'apply' }>, options: PassIntentOptions): Promise<PassIntentOutcome> {
  const revision = revisionOf(spec.revision);
  const pass = await runPass(deps, {
    app,
    target: {
      kind: 'revision',
      revision,
      validate: { skipUnsupported: spec.skipUnsupported, ...(spec.hostPolicy ? { hostPolicy: spec.hostPolicy } : {}) },
      allowEmpty: spec.allowEmpty,
      // The command gets the problems with file:line; they are not the source's (the daemon's
      // refused revision, status Failed) and must not look like it.
      recordInvalid: false,
      ...(options.onChanges ? { onChanges: options.onChanges } : {}),
    },
    prune: spec.prune,
    ...(spec.pruneScope ? { pruneScope: spec.pruneScope } : {}),
    waitForReady: spec.wait,
    timeoutMs: spec.timeoutMs,
    ...(options.extraResources ? { extraResources: options.extraResources } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // Applying exactly what the daemon's source holds is the source, not a change to keep.
  const same = options.follows?.latest !== undefined && options.follows.latest === spec.revision.id;
  const hold = pass.valid ? holdChange(deps, app, options, 'apply', spec.revision.origin || `revision ${spec.revision.id.slice(0, 12)}`, !same) : undefined;
  const report = applyReportOf(pass);
  return { result: { ok: true, message: pass.valid ? 'applied' : 'invalid', report, ...(hold ? { hold } : {}) }, pass };
}

async function deleteIntent(deps: ConvergeDeps, app: string, spec: Extract<PassIntentSpec, { type: 'delete' }>, options: PassIntentOptions): Promise<PassIntentOutcome> {
  const applied = new Set(deps.store.getInventory(app).map((e) => e.key));
  const deleted = await executeDelete(deps, {
    app,
    targets: spec.targets,
    ...(spec.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: spec.gracePeriodSeconds } : {}),
    verify: spec.verify,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onDeleted ? { onResult: options.onDeleted } : {}),
  });
  // Only what the app applied is kept deleted: a pod of a controller (the commonest kubectl
  // delete) comes back by design, and holding the app OutOfSync for it would say otherwise.
  const done = deleted.targets.filter((t) => t.ok && applied.has(t.key));
  const hold = done.length > 0 ? holdChange(deps, app, options, 'delete', done.map((t) => displayTarget(t.target)).join(', '), true) : undefined;
  return { result: { ok: true, message: 'deleted', report: deleteReportOf(deleted), ...(hold ? { hold } : {}) }, deleted };
}

/**
 * Under a daemon that follows a source: record the hold, so its next passes keep this change
 * (`keep` false: the change is the source itself, so an earlier hold ends). Without a daemon
 * nothing holds: what this command applied replaces what an earlier hold kept, and a daemon
 * started later applies its source.
 */
function holdChange(deps: ConvergeDeps, app: string, options: PassIntentOptions, change: LocalHold['change'], what: string, keep: boolean): IntentResult['hold'] {
  if (!options.follows || !keep) {
    if (deps.store.getSourceStatus(app)?.localHold) deps.store.updateSourceStatus(app, { localHold: null });
    return undefined;
  }
  const status = deps.store.getSourceStatus(app);
  const sourceRevision = options.follows.latest ?? status?.lastFetched?.revision ?? status?.lastApplied?.revision ?? NO_SOURCE_REVISION;
  const hold: LocalHold = { change, what, sourceRevision, source: options.follows.source, at: deps.clock.now() };
  deps.store.updateSourceStatus(app, { localHold: hold });
  return { source: hold.source, sourceRevision };
}

/** A revision as an apply intent stores it (JSON: contents in base64). */
export function intentRevisionOf(revision: Revision): IntentRevision {
  return {
    id: revision.id,
    origin: revision.origin,
    files: revision.files.map((f) => ({ path: f.path, ...(f.idPath !== undefined ? { idPath: f.idPath } : {}), content: f.content.toString('base64'), ...(f.refused ? { refused: f.refused } : {}) })),
  };
}

function revisionOf(r: IntentRevision): Revision {
  return { id: r.id, origin: r.origin, files: r.files.map((f) => ({ path: f.path, ...(f.idPath !== undefined ? { idPath: f.idPath } : {}), content: Buffer.from(f.content, 'base64'), ...(f.refused ? { refused: f.refused } : {}) })) };
}

/** What an apply pass did, as plain data: what the command prints, with or without a daemon. */
export function applyReportOf(result: PassResult): ApplyReport {
  return {
    type: 'apply',
    revision: result.revision,
    valid: result.valid,
    ok: result.ok,
    problems: result.problems,
    changes: result.changes,
    planned: result.swarm ? result.swarm.planned : (result.converge?.firstPlan.actions ?? []).map((a) => ({ action: a.type, key: a.key, text: describeAction(a) })),
    actions: [
      ...(result.converge?.results ?? []).map((r) => ({ action: r.action.type as string, key: r.action.key, text: actionText(r), ok: r.ok, error: r.error, durationMs: r.durationMs })),
      ...(result.swarm?.results ?? []).map((r) => ({ action: r.action.type as string, key: r.action.key, text: r.text, ok: r.ok, error: r.error, durationMs: r.durationMs })),
    ].map(({ error, ...r }) => ({ ...r, ...(error ? { error: { code: error.code, message: error.message } } : {}) })),
    waits: result.converge?.waits ?? result.swarm?.waits ?? [],
    timedOut: result.converge?.timedOut ?? result.swarm?.timedOut ?? false,
    rolloutsFailed: result.rolloutsFailed,
    divergences: result.divergences,
  };
}

export function deleteReportOf(outcome: DeleteOutcome): DeleteReport {
  const error = (e: BerthError) => ({ code: e.code, message: e.message });
  return {
    type: 'delete',
    targets: outcome.targets.map((t) => ({ target: t.target, key: t.key, found: t.found, ok: t.ok, errors: t.errors.map(error) })),
    leftovers: outcome.leftovers,
    otherErrors: outcome.otherErrors.map(error),
  };
}

/** kubectl's name of a deleted object: `deployment.apps/web`, `service/web`. */
function displayTarget(t: { kind: string; name: string }): string {
  const info = kindInfo(t.kind);
  const group = info && info.apiVersion.includes('/') ? info.apiVersion.split('/')[0] : '';
  return `${t.kind.toLowerCase()}${group ? `.${group}` : ''}/${t.name}`;
}
