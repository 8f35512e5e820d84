import { dump } from 'js-yaml';
import { readdirSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DiffResponse } from '../../src/runtime/api/contract.js';
import type { ReportChange } from '../../src/report/redact.js';
import type { ReportChangeBody } from '../../src/report/report-change.js';
import { createDiffReport, type DiffReport } from '../../src/report/render/report.js';
import { renderText } from '../../src/report/render/text.js';
import { diffText, diffView } from '../../ui/src/lib/diff.js';
import { yamlLines } from '../../ui/src/lib/yaml.js';
import { FIXTURES, loadFixtureResources } from '../support/diff-fixtures.js';

/**
 * The diff page must read like `berth diff`. Rather than restate its format, these tests hold
 * the page's renderer to the CLI's own (renderText, js-yaml's dump) over the same reports.
 */
describe('one declaration of a report change', () => {
  // Checked by `npm run typecheck` (tsc reads test/): the API's diff answer carries the report's
  // own change type, not `unknown[]` the page would cast, and a redacted change is one of them.
  it('the contract, the redactor and the page share report/report-change.ts', () => {
    expectTypeOf<NonNullable<DiffResponse['report']>['changes'][number]>().toEqualTypeOf<ReportChangeBody>();
    expectTypeOf<ReportChange>().toMatchTypeOf<ReportChangeBody>();
    expectTypeOf(diffView).parameter(0).toEqualTypeOf<NonNullable<DiffResponse['report']>>();
  });
});

describe('diff page text equals `berth diff`', () => {
  const cases = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  // Each fixture three ways: its change, and every object created and deleted whole (YAML bodies).
  it.each(cases)('fixture %s', (name) => {
    const from = loadFixtureResources(name, 'from');
    const to = loadFixtureResources(name, 'to');
    for (const [before, after] of [[from, to], [[], to], [from, []]] as const) {
      const report = createDiffReport({ from: { id: 'a'.repeat(40), origin: 'git from' }, to: { id: 'b'.repeat(40), origin: 'git to' }, before, after });
      expect(diffText(diffView(report))).toBe(renderText(report, { color: false }));
    }
  });

  it('drift and divergences as the live diff reports them', () => {
    const report: DiffReport = {
      apiVersion: 'berth.dev/v1',
      kind: 'DiffReport',
      from: { id: 'live', origin: 'live' },
      to: { id: 'c'.repeat(40), origin: 'git' },
      summary: { added: 0, changed: 0, removed: 0, destructive: 0 },
      changes: [],
      drift: [{ key: 'Deployment/shop/web', action: 'create-container', message: 'recreate container web of pod web-1 (removed by hand)' }],
      divergences: [{ deployment: 'Deployment/shop/web', reason: 'pinned', revision: 1, message: 'pinned to revision 1 by rollout undo until the source changes' }],
    };
    const view = diffView(report);
    expect(view.summary).toBe('Summary: 1 drift repair; 1 divergence kept (OutOfSync)');
    expect(diffText(view)).toBe(renderText(report, { color: false }));
  });

  it('says "no differences" for an empty report', () => {
    const report = createDiffReport({ from: { id: 'a', origin: 'a' }, to: { id: 'b', origin: 'b' }, before: [], after: [] });
    expect(diffText(diffView(report))).toBe('Summary: no differences\n');
  });

  it('shows a redacted field as changed, never its value', () => {
    const view = diffView({
      apiVersion: 'berth.dev/v1',
      kind: 'DiffReport',
      from: { id: 'a', origin: 'a' },
      to: { id: 'b', origin: 'b' },
      summary: { added: 0, changed: 1, removed: 0, destructive: 0 },
      changes: [{ action: 'update', key: 'Secret/shop/db', kind: 'Secret', namespace: 'shop', name: 'db', destructive: false, effects: [], fields: [{ path: 'data.password', op: 'replace', redacted: true }] }],
    });
    expect(view.blocks[0]!.lines).toEqual([{ sign: '~', text: 'data.password: (secret value changed)' }]);
  });
});

describe('YAML values as js-yaml dumps them', () => {
  const values: Array<[string, unknown]> = [
    ['flat map', { image: 'nginx:1.27', replicas: 3, paused: false, note: null }],
    ['nested map', { metadata: { labels: { app: 'web', 'app.kubernetes.io/name': 'web' } } }],
    ['list of scalars', { args: ['--port', '8080', 'serve'] }],
    ['list of maps', { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] }],
    ['top-level list', [{ a: 1 }, 'b', [1, 2]]],
    ['empty collections', { a: {}, b: [], c: [{}] }],
    ['strings that look like other things', { a: 'true', b: '80', c: '1.5', d: 'null', e: '', f: 'yes', g: '~', h: '0x1F', i: '-1' }],
    ['image references and percentages', { a: 'example/migrate:2', b: '25%', c: 'http://x/y?a=b&c=d', d: 'key=value', e: '1.2.3', f: 'v1', g: '3d' }],
    ['YAML 1.1 words, numbers and times', { a: 'Yes', b: 'on', c: 'N', d: '1_000', e: '0o17', f: '1:20', g: '.inf', h: '2026-12-06', i: '12:30:00', j: '1e3', k: '.5', l: '<<', m: '=' }],
    ['indicators', { a: '-x', b: '- x', c: '?x', d: ':x', e: '&a', f: '!x', g: '|x', h: '%x', i: '@x', j: '`x', k: 'x#y', l: 'a:', m: '---', n: 'a  b', o: 'ünï' }],
    ['strings with punctuation', { a: 'a: b', b: '#x', c: "it's", d: '*star', e: 'x #y', f: '[1]', g: ' lead', h: 'trail ', i: '{a}', j: 'a,b' }],
    ['multi-line strings', { script: 'echo one\necho two\n', kept: 'line\nno newline at end' }],
    ['control characters', { a: 'tab\there', b: 'bell\u0007', c: 'esc\u001b[0m', d: 'nbsp\u00a0', e: 'nul\u0000' }],
    ['keys that need quotes', { 'a b': 1, '80': 2, 'x:y': 3, 'a: b': 4 }],
    ['multi-line strings in lists', { command: ['sh', '-c', 'set -e\nrun\n'] }],
    ['scalars', 42],
    ['a document marker at the top level', '---'],
    ['multi-line text at the top level', 'a\nb'],
    ['empty map', {}],
  ];
  it.each(values)('%s', (_name, value) => {
    expect(yamlLines(value)).toEqual(dump(value, { lineWidth: -1, noRefs: true }).replace(/\n$/, '').split('\n'));
  });
});
