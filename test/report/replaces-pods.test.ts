import { describe, expect, it } from 'vitest';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { createDiffReport } from '../../src/report/render/report.js';

/**
 * The live diff decides whether a Deployment's pods are replaced on the template that runs
 * (pinned by `rollout undo`, rolled back, restarted) against the one applying runs, not on the
 * manifests: `replacesPods`. The offline diff passes none and the manifests decide. Either way
 * the fields are the manifests' (the manifest did change).
 */
function web(image: string, replicas = 2): Resource {
  const object = withDefaults({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
    },
  } as unknown as AnyObject);
  return { key: 'Deployment/default/web', object, source: { file: 'web.yaml', line: 1, column: 1 } };
}

const KEY = 'Deployment/default/web';

describe('pods replaced follow what runs (live diff) or the manifests (offline)', () => {
  it.each([
    ['offline: the template changed', web('web:2.0'), web('web:1.0'), undefined, ['rollout.rolling-update']],
    ['live: pinned to what the source now says (undo): nothing rolls', web('web:2.0'), web('web:1.0'), false, ['resource.update']],
    ['live: the running template differs from the new one', web('web:2.0'), web('web:3.0'), true, ['rollout.rolling-update']],
    ['live: only replicas changed, but a pin is lifted: its pods are replaced', web('web:2.0', 2), web('web:2.0', 3), true, ['rollout.rolling-update', 'scale']],
    ['live: only replicas changed, same template runs', web('web:2.0', 2), web('web:2.0', 3), false, ['scale']],
    ['live: paused by rollout pause (not in the manifest): the template waits', web('web:2.0'), web('web:3.0'), 'paused' as const, ['rollout.paused']],
  ])('%s', (_name, before, after, replaces, kinds) => {
    const report = createDiffReport({
      from: { id: 'a', origin: 'a' },
      to: { id: 'b', origin: 'b' },
      before: [before],
      after: [after],
      ...(replaces === undefined ? {} : { replacesPods: new Map([[KEY, replaces]]) }),
    });
    const change = report.changes.find((c) => c.key === KEY)!;
    expect(change.effects.map((e) => e.kind)).toEqual(kinds);
    expect(report.summary.changed).toBe(1);
    if (replaces === false && kinds[0] === 'resource.update') expect(change.effects[0]!.message).toBe('deploy/web updated: its pods already run this template, no pods are replaced');
  });
});
