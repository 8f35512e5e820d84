import type { ResourceChange } from '../resource-diff.js';

/** Stable codes: documented in docs/diff-json.md; consumers may branch on them. */
export type EffectKind =
  | 'workload.create'
  | 'workload.delete'
  | 'rollout.rolling-update'
  | 'rollout.on-delete'
  | 'rollout.recreate'
  | 'rollout.paused'
  | 'rollout.pause'
  | 'rollout.resume'
  | 'rollout.settings'
  | 'rollout.config-change'
  | 'pods.replace'
  | 'pod.replace'
  | 'scale'
  | 'job.run'
  | 'job.rerun'
  | 'job.delete'
  | 'cronjob.schedule'
  | 'cronjob.template'
  | 'cronjob.suspend'
  | 'cronjob.resume'
  | 'cronjob.delete'
  | 'service.create'
  | 'service.delete'
  | 'service.type'
  | 'service.selector'
  | 'service.publish'
  | 'service.unpublish'
  | 'volume.create'
  | 'volume.update'
  | 'volume.delete'
  | 'namespace.create'
  | 'namespace.delete'
  | 'config.consumers'
  | 'routing.host-add'
  | 'routing.host-remove'
  | 'routing.route'
  | 'routing.tls'
  | 'routing.redirect'
  | 'routing.default'
  | 'resource.create'
  | 'resource.update'
  | 'resource.delete';

export interface Effect {
  kind: EffectKind;
  message: string;
  /** Loses data (volumes, namespaces) or stops pods without a rolling replacement. */
  destructive: boolean;
}

export interface PlannedChange extends ResourceChange {
  effects: Effect[];
  /** True when any effect is destructive. */
  destructive: boolean;
}
