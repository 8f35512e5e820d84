import { describe, expect, it } from 'vitest';
import { describeView } from '../../src/cli/output/describe-kinds.js';
import { outputDocument, renderDocument } from '../../src/cli/output/kube-objects.js';
import { REDACTED } from '../../src/report/redact.js';
import { buildViews, type ViewOf } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW } from '../runtime/views-support.js';

/**
 * A Secret exported from a cluster carries kubectl's last-applied annotation: a JSON copy of
 * the manifest, values and all (issue 11, finding 8c). Every printer of a Secret (describe,
 * get -o yaml/json, and through the same view the daemon's API) shows the annotation redacted;
 * other annotations that copy the object or a value likewise; harmless annotations stay.
 */
const VALUE = 'lastapplied-s3cret';
const B64 = Buffer.from(VALUE).toString('base64');
const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'exported', namespace: 'default' }, stringData: { password: VALUE } };
const SECRET = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'exported',
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(manifest)}\n`,
      'backup.example.com/copy': `data:\n  password: ${B64}\n`,
      'example.com/hint': `starts with ${VALUE}`,
      team: 'payments',
    },
  },
  type: 'Opaque',
  data: { password: B64 },
};
const view = buildViews(liveState({ inventory: [entry(SECRET)], pods: [] }), ['Secret']).find((v): v is ViewOf<'Secret'> => v.kind === 'Secret' && v.name === 'exported')!;

describe('a Secret with annotations that copy its values', () => {
  it('the view redacts every annotation that may carry a value and keeps the others', () => {
    expect(view.object.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': REDACTED,
      'backup.example.com/copy': REDACTED,
      'example.com/hint': REDACTED,
      team: 'payments',
      // berth's own: the revision the Secret was applied from, not a value.
      'berth.dev/source-revision': 'rev1',
    });
  });

  it.each([
    ['describe', () => describeView(view, { events: [], now: NOW, pods: [], replicaSets: [] })],
    ['get -o yaml', () => renderDocument(outputDocument([view], true), 'yaml')],
    ['get -o json', () => renderDocument(outputDocument([view], false), 'json')],
  ])('%s prints no value but the base64 data get shows as kubectl does', (name, print) => {
    const out = print();
    expect(out).not.toContain(VALUE);
    expect(out).toContain('team');
    if (name === 'describe') expect(out).not.toContain(B64);
    else expect(out.split(B64)).toHaveLength(2);
  });
});
