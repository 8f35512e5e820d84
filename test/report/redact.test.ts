import { describe, expect, it } from 'vitest';
import { planEffects } from '../../src/report/effects/index.js';
import { redactChange, REDACTED } from '../../src/report/redact.js';
import { renderJson } from '../../src/report/render/json.js';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import type { DiffReport } from '../../src/report/render/report.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { renderText } from '../../src/report/render/text.js';
import { diffResources } from '../../src/report/resource-diff.js';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { loadFixtureResources } from '../support/diff-fixtures.js';

/** Every secret value used by the secret-change fixture, plain. */
const SECRET_VALUES = [
  's3cr3t-T0ken-value',
  'n3w-T0ken-value-xyz',
  'old-value-123',
  'brand-new-secret',
  'hunter2-db-pass',
  'legacy-secret-value',
  'admin',
];

/** Each value as it may appear: plain, base64, base64 without padding, and JSON-escaped. */
function forms(value: string): string[] {
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  return [value, b64, b64.replace(/=+$/, ''), JSON.stringify(value).slice(1, -1)];
}

const RENDERERS: Array<[string, (r: DiffReport) => string]> = [
  ['json', renderJson],
  ['text', (r) => renderText(r, { color: false })],
  ['text (colour)', (r) => renderText(r, { color: true })],
  ['markdown', (r) => renderMarkdown(r)],
];

function secret(name: string, fields: Record<string, unknown>): Resource {
  const object = withDefaults({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...fields } as AnyObject);
  return { key: `Secret/default/${name}`, object, source: { file: 's.yaml', line: 1, column: 1 } };
}

function report(before: Resource[], after: Resource[]): DiffReport {
  return createDiffReport({ from: { id: 'a', origin: 'a' }, to: { id: 'b', origin: 'b' }, before, after });
}

describe('no output format contains a secret value', () => {
  const fixture = report(loadFixtureResources('secret-change', 'from'), loadFixtureResources('secret-change', 'to'));
  // A secret that gains its first data, loses all of it, and one whose values were given as stringData.
  const wholeMaps = report(
    [secret('empty', {}), secret('full', { stringData: { TOKEN: 's3cr3t-T0ken-value' } })],
    [secret('empty', { data: { TOKEN: Buffer.from('hunter2-db-pass').toString('base64') } }), secret('full', {})],
  );

  it.each(RENDERERS)('%s', (_format, render) => {
    for (const r of [fixture, wholeMaps]) {
      const out = render(r);
      for (const value of SECRET_VALUES) for (const form of forms(value)) expect(out).not.toContain(form);
    }
  });

  it.each(RENDERERS)('%s still shows that secrets changed, and which keys', (_format, render) => {
    const out = render(fixture);
    for (const key of ['data.API_TOKEN', 'data.NEW_KEY', 'data.OLD_KEY']) expect(out).toContain(key);
    expect(render(wholeMaps)).toContain('data.TOKEN');
  });
});

describe('redactChange', () => {
  function changesOf(before: Resource[], after: Resource[]) {
    return planEffects(diffResources(before, after)).map((c) => redactChange(c).fields);
  }

  it.each([
    {
      title: 'a whole data map added is listed key by key, without values',
      before: [secret('s', {})],
      after: [secret('s', { data: { A: 'YQ==', B: 'Yg==' } })],
      fields: [[
        { path: 'data.A', op: 'add', redacted: true },
        { path: 'data.B', op: 'add', redacted: true },
      ]],
    },
    {
      title: 'a whole data map removed likewise',
      before: [secret('s', { data: { A: 'YQ==' } })],
      after: [secret('s', {})],
      fields: [[{ path: 'data.A', op: 'remove', redacted: true }]],
    },
    {
      title: 'non-secret fields of a Secret keep their values',
      before: [secret('s', { type: 'Opaque', data: { A: 'YQ==' } })],
      after: [secret('s', { type: 'kubernetes.io/tls', data: { A: 'Yg==' }, metadata: { name: 's', labels: { a: 'b' } } })],
      fields: [[
        { path: 'data.A', op: 'replace', redacted: true },
        { path: 'metadata.labels', op: 'add', after: { a: 'b' } },
        { path: 'type', op: 'replace', before: 'Opaque', after: 'kubernetes.io/tls' },
      ]],
    },
    {
      title: 'the last-applied annotation, a copy of the values, is masked',
      before: [secret('s', {})],
      after: [
        secret('s', {
          metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"A":"YQ=="}}', team: 'x' } },
        }),
      ],
      fields: [[
        {
          path: 'metadata.annotations',
          op: 'add',
          after: { 'kubectl.kubernetes.io/last-applied-configuration': REDACTED, team: 'x' },
        },
      ]],
    },
    {
      title: 'any annotation that copies the object or holds a value is masked too; others keep their values',
      before: [secret('s', { data: { A: Buffer.from('lastapplied-s3cret').toString('base64') } })],
      after: [
        secret('s', {
          data: { A: Buffer.from('lastapplied-s3cret').toString('base64') },
          metadata: { name: 's', annotations: { 'backup.example.com/copy': '{"stringData":{"A":"x"}}', hint: 'is lastapplied-s3cret', team: 'x' } },
        }),
      ],
      fields: [[{ path: 'metadata.annotations', op: 'add', after: { 'backup.example.com/copy': REDACTED, hint: REDACTED, team: 'x' } }]],
    },
    {
      title: 'one such annotation changed alone is listed without values',
      before: [secret('s', { metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"A":"YQ=="}}', note: 'a' } } })],
      after: [secret('s', { metadata: { name: 's', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"A":"Yg=="}}', note: 'b' } } })],
      fields: [[
        { path: 'metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]', op: 'replace', redacted: true },
        { path: 'metadata.annotations.note', op: 'replace', before: 'a', after: 'b' },
      ]],
    },
    {
      title: 'a created secret is shown whole with its values masked',
      before: [],
      after: [secret('s', { stringData: { A: 'a' } })],
      fields: [[
        {
          path: '',
          op: 'add',
          after: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { A: REDACTED } },
        },
      ]],
    },
    {
      title: 'ConfigMaps are not secret',
      before: [
        { key: 'ConfigMap/default/c', object: withDefaults({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { A: '1' } } as AnyObject), source: { file: 'c.yaml', line: 1, column: 1 } },
      ],
      after: [
        { key: 'ConfigMap/default/c', object: withDefaults({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { A: '2' } } as AnyObject), source: { file: 'c.yaml', line: 1, column: 1 } },
      ],
      fields: [[{ path: 'data.A', op: 'replace', before: '1', after: '2' }]],
    },
  ])('$title', ({ before, after, fields }) => {
    expect(changesOf(before, after)).toEqual(fields);
  });
});
