import { describe, expect, it } from 'vitest';
import type { StatefulSet } from '../../src/model/types.js';
import { statefulSetRollout } from '../../src/report/effects/statefulset.js';
import { res } from '../support/builders.js';

const set = (updateStrategy: unknown) =>
  res<StatefulSet>({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { replicas: 3, updateStrategy, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } } },
  }).object;

describe('diff effects of a StatefulSet template change', () => {
  it.each<{ name: string; strategy: unknown; want: { kind: string; message: string } }>([
    { name: 'RollingUpdate', strategy: { type: 'RollingUpdate' }, want: { kind: 'rollout.rolling-update', message: 'rolling update of sts/db: 3 pods replaced in reverse ordinal order (db-2 first, down to db-0)' } },
    {
      name: 'a partition',
      strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } },
      want: { kind: 'rollout.rolling-update', message: 'rolling update of sts/db: 2 pods replaced in reverse ordinal order (db-2 first, down to db-1); 1 pod below partition 1 kept' },
    },
    { name: 'OnDelete', strategy: { type: 'OnDelete' }, want: { kind: 'rollout.on-delete', message: 'sts/db uses OnDelete: running pods keep the old template until each is deleted' } },
  ])('$name', ({ strategy, want }) => {
    expect(statefulSetRollout(set(strategy), 'sts/db', 3)).toEqual([{ ...want, destructive: false }]);
  });
});
