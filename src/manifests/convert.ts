import type { KindInfo } from '../model/kinds.js';
import { KNOWN_UNSUPPORTED_KINDS, SUPPORTED_KIND_NAMES, kindInfo } from '../model/kinds.js';
import type { Rec } from './checks/values.js';
import { isRecord, rec } from './checks/values.js';
import { didYouMean } from './did-you-mean.js';
import type { Reporter } from './report.js';
import { clip, quote } from '../model/excerpt.js';
import { convertLegacyIngress } from './convert-ingress.js';

/** Kubernetes' "no limit" for fields legacy versions left unset (math.MaxInt32). */
const MAX_INT32 = 2147483647;

/** API groups whose kinds berth knows; an unknown kind in one of them is more likely a typo than a CRD. */
const CORE_GROUPS = new Set(['', 'apps', 'batch', 'extensions']);

export type Identified = { info: KindInfo } | { skip: true } | undefined;

/**
 * Which supported kind a document is, and whether berth can take its apiVersion. Unsupported
 * kinds are errors listing what berth runs (warnings, skipped, with --skip-unsupported, unless
 * the kind looks like a typo of a supported one in a core API group).
 */
export function identifyKind(object: Rec, r: Reporter, skipUnsupported: boolean): Identified {
  const { apiVersion, kind } = object;
  let ok = true;
  for (const [field, value] of [['apiVersion', apiVersion], ['kind', kind]] as const) {
    if (value === undefined || value === null || value === '') {
      r.report('missing-field', [field], `the object is missing required field "${field}"`, { locate: [], at: 'key' });
      ok = false;
    } else if (typeof value !== 'string') {
      r.report('invalid-type', [field], `${field} must be a string`);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const version = apiVersion as string;
  const name = kind as string;
  const info = kindInfo(name);
  if (!info) return unsupported(version, name, r, skipUnsupported);
  if (version === info.apiVersion) return { info };
  if (info.legacyApiVersions.includes(version)) {
    r.report('deprecated-api-version', ['apiVersion'], `${clip(version)} ${clip(name)} is deprecated and removed from Kubernetes; berth converts it to ${info.apiVersion} (update the manifest to apiVersion: ${info.apiVersion})`);
    convertLegacy(info, version, object, r);
    return { info };
  }
  const legacy = info.legacyApiVersions.length > 0 ? ` (legacy ${info.legacyApiVersions.join(', ')} are converted)` : '';
  r.report('unsupported-api-version', ['apiVersion'], `${clip(name)} is served as apiVersion ${info.apiVersion}${legacy}, not ${quote(version)}`);
  return undefined;
}

/** What a document's kind may be: every kind of the table (model/kinds.ts), and `List` (documents.ts). */
const ACCEPTED_KIND_NAMES: readonly string[] = [...SUPPORTED_KIND_NAMES, 'List'];

function unsupported(apiVersion: string, kind: string, r: Reporter, skipUnsupported: boolean): Identified {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const suggestion = didYouMean(kind, ACCEPTED_KIND_NAMES);
  const likelyTypo = CORE_GROUPS.has(group) && !KNOWN_UNSUPPORTED_KINDS.has(kind) && suggestion !== undefined;
  const what = KNOWN_UNSUPPORTED_KINDS.has(kind) ? `kind ${clip(kind)} is not supported by berth` : `kind ${clip(kind)} (${clip(apiVersion)}) is not supported by berth`;
  const hint = likelyTypo ? `; did you mean ${suggestion}?` : `; supported kinds: ${ACCEPTED_KIND_NAMES.join(', ')}`;
  if (skipUnsupported && !likelyTypo) {
    r.report('unsupported-kind', ['kind'], `${what}; skipped (--skip-unsupported)`, { severity: 'warning' });
    return { skip: true };
  }
  r.report('unsupported-kind', ['kind'], `${what}${hint}`);
  return undefined;
}

/**
 * Legacy apiVersions → current ones, as the API server's conversion did: the legacy version's
 * own defaults are applied first where they differ from the current version's.
 *
 * - extensions/v1beta1 Deployment (pkg/apis/extensions/v1beta1/defaults.go SetDefaults_Deployment):
 *   selector and metadata.labels default to the template labels; RollingUpdate maxSurge and
 *   maxUnavailable default to 1; revisionHistoryLimit and progressDeadlineSeconds are unset,
 *   which apps/v1 represents as MaxInt32 ("retain all old ReplicaSets", "no deadline"; see the
 *   ExtensionsV1beta1DeploymentSpec API reference).
 * - apps/v1beta1 Deployment (pkg/apis/apps/v1beta1/defaults.go): selector and labels from the
 *   template; revisionHistoryLimit 2; otherwise the apps/v1 defaults (25%, 25%, 600s).
 * - extensions/v1beta1 ReplicaSet: selector and labels from the template.
 * - apps/v1beta2 Deployment/ReplicaSet: same defaults as apps/v1; selector was already required.
 * - batch/v1beta1 and batch/v2alpha1 CronJob: same shape and defaults as batch/v1.
 * - `spec.rollbackTo` (extensions/v1beta1, apps/v1beta1) no longer exists and is dropped.
 * - policy/v1beta1 PodDisruptionBudget: an empty selector matched no pods (policy/v1: every pod).
 * - extensions/v1beta1 and networking.k8s.io/v1beta1 Ingress: convert-ingress.ts.
 * - extensions/v1beta1 DaemonSet (SetDefaults_DaemonSet there): selector and labels from the
 *   template, updateStrategy OnDelete; `spec.templateGeneration` no longer exists and is
 *   dropped. apps/v1beta2 DaemonSet: same defaults as apps/v1.
 * - apps/v1beta1 StatefulSet: selector and labels from the template; updateStrategy OnDelete.
 *   apps/v1beta2 StatefulSet: the apps/v1 shape and defaults.
 */
export function convertLegacy(info: KindInfo, apiVersion: string, object: Rec, r: Reporter): void {
  object.apiVersion = info.apiVersion;
  const spec = rec(object.spec);
  if (!spec) return;
  if (info.kind === 'Ingress') return convertLegacyIngress(spec);
  if (info.kind === 'PodDisruptionBudget') {
    // policy/v1beta1's empty selector selected no pods, policy/v1's selects them all: dropped, it stays none.
    const selector = rec(spec.selector);
    if (selector && Object.values(selector).every((v) => v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : Object.keys(rec(v) ?? {}).length === 0))) delete spec.selector;
    return;
  }
  const derivesSelector =
    (info.kind === 'Deployment' && (apiVersion === 'extensions/v1beta1' || apiVersion === 'apps/v1beta1')) ||
    ((info.kind === 'ReplicaSet' || info.kind === 'DaemonSet') && apiVersion === 'extensions/v1beta1') ||
    (info.kind === 'StatefulSet' && apiVersion === 'apps/v1beta1');
  if (derivesSelector) deriveSelector(object, spec);
  if (info.kind === 'DaemonSet' && apiVersion === 'extensions/v1beta1') convertLegacyDaemonSet(spec, r);
  // apps/v1beta1 StatefulSets updated only when a pod was deleted (its SetDefaults_StatefulSet).
  if (info.kind === 'StatefulSet' && apiVersion === 'apps/v1beta1' && spec.updateStrategy === undefined) spec.updateStrategy = { type: 'OnDelete' };
  if (info.kind !== 'Deployment') return;
  if (spec.rollbackTo !== undefined) {
    r.report('legacy-field-dropped', ['spec', 'rollbackTo'], `spec.rollbackTo was removed after ${apiVersion}; use berth rollout undo`, { at: 'key' });
    delete spec.rollbackTo;
  }
  if (apiVersion === 'extensions/v1beta1') {
    const strategy = spec.strategy === undefined ? (spec.strategy = {}) : rec(spec.strategy);
    if (strategy) {
      strategy.type ??= 'RollingUpdate';
      if (strategy.type === 'RollingUpdate' || strategy.rollingUpdate !== undefined) {
        const ru = strategy.rollingUpdate === undefined ? (strategy.rollingUpdate = {}) : rec(strategy.rollingUpdate);
        if (ru) {
          ru.maxSurge ??= 1;
          ru.maxUnavailable ??= 1;
        }
      }
    }
    spec.revisionHistoryLimit ??= MAX_INT32;
    spec.progressDeadlineSeconds ??= MAX_INT32;
  } else if (apiVersion === 'apps/v1beta1') {
    spec.revisionHistoryLimit ??= 2;
  }
}

function deriveSelector(object: Rec, spec: Rec): void {
  const labels = rec(rec(rec(spec.template)?.metadata)?.labels);
  if (!labels) return;
  if (spec.selector === undefined || spec.selector === null) spec.selector = { matchLabels: { ...labels } };
  const meta = rec(object.metadata);
  if (meta && (!isRecord(meta.labels) || Object.keys(meta.labels).length === 0)) meta.labels = { ...labels };
}

function convertLegacyDaemonSet(spec: Rec, r: Reporter): void {
  if (spec.templateGeneration !== undefined) {
    r.report('legacy-field-dropped', ['spec', 'templateGeneration'], 'spec.templateGeneration was removed after extensions/v1beta1; berth tracks revisions itself', { at: 'key' });
    delete spec.templateGeneration;
  }
  // OnDelete was that version's default: a converted manifest keeps not replacing pods on its own.
  if (spec.updateStrategy === undefined || spec.updateStrategy === null) spec.updateStrategy = { type: 'OnDelete' };
  else {
    const strategy = rec(spec.updateStrategy);
    if (strategy) strategy.type ??= 'OnDelete';
  }
}
