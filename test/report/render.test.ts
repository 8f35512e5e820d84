import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/report/render/markdown.js';
import type { DiffReport } from '../../src/report/render/report.js';
import { createDiffReport } from '../../src/report/render/report.js';
import { renderText } from '../../src/report/render/text.js';
import { withDefaults } from '../../src/model/defaults.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { loadFixtureResources } from '../support/diff-fixtures.js';

const FROM = { id: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0', origin: 'git /repo@origin/main' };
const TO = { id: '0123456789abcdef0123456789abcdef01234567', origin: 'git /repo@HEAD' };

function fixtureReport(name: string): DiffReport {
  return createDiffReport({ from: FROM, to: TO, before: loadFixtureResources(name, 'from'), after: loadFixtureResources(name, 'to') });
}

function configMap(name: string, data: Record<string, string>): Resource {
  const object = withDefaults({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data } as AnyObject);
  return { key: `ConfigMap/default/${name}`, object, source: { file: `${name}.yaml`, line: 1, column: 1 } };
}

const ESC = String.fromCharCode(27);
const stripAnsi = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

describe('renderText', () => {
  it('prints a kubectl-diff-like block per resource and a summary line', () => {
    expect(renderText(fixtureReport('rolling-update'), { color: false })).toEqual(
      [
        '~ update Deployment default/web  (web.yaml:1)',
        '    → rolling update of deploy/web: 3 pods replaced (maxSurge 1, maxUnavailable 0)',
        '  + spec.template.spec.containers[web].env:',
        '  +   - name: LOG_LEVEL',
        '  +     value: debug',
        '  - spec.template.spec.containers[web].image: "nginx:1.25"',
        '  + spec.template.spec.containers[web].image: "nginx:1.27"',
        '',
        'Summary: 0 to add, 1 to change, 0 to delete',
        '',
      ].join('\n'),
    );
  });

  it('marks destructive effects and counts them in the summary', () => {
    const out = renderText(fixtureReport('destructive'), { color: false });
    expect(out).toContain('    ⚠ volume data deleted with all its data [destructive]\n');
    expect(out.endsWith('Summary: 0 to add, 1 to change, 6 to delete (5 destructive)\n')).toBe(true);
  });

  it('colours only when asked: the same text underneath', () => {
    const report = fixtureReport('rolling-update');
    const plain = renderText(report, { color: false });
    const coloured = renderText(report, { color: true });
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}[32m  + spec.template.spec.containers[web].image: "nginx:1.27"${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[31m  - spec.template.spec.containers[web].image: "nginx:1.25"${ESC}[0m`);
    expect(coloured).toContain(`${ESC}[1m${ESC}[33m~ update Deployment default/web${ESC}[0m`);
    expect(stripAnsi(coloured)).toEqual(plain);
  });

  it('says so when there is nothing to do', () => {
    expect(renderText(fixtureReport('reordered-lists'), { color: false })).toEqual('Summary: no differences\n');
  });
});

const PINNED = { deployment: 'Deployment/default/web', reason: 'pinned' as const, revision: 1, message: 'pinned to revision 1 by rollout undo until the source changes' };
const SCALED = { deployment: 'Deployment/default/web', reason: 'scaled' as const, message: 'scaled to 3 by berth scale (the manifest says 2) until the manifest changes' };

describe('divergences (live diff): kept on purpose, neither a change nor drift', () => {
  it('the offline diff has none: its JSON stays as it was', () => {
    expect(fixtureReport('rolling-update')).not.toHaveProperty('divergences');
  });

  // The status says OutOfSync for each (runtime/pass/status.ts): a bare "no differences" beside it read as a contradiction.
  it.each([
    { name: 'a pin', divergences: [PINNED], lines: ['note: Deployment/default/web pinned to revision 1 by rollout undo until the source changes'], summary: 'no differences; 1 divergence kept (OutOfSync)' },
    {
      name: 'a pin and a scale',
      divergences: [PINNED, SCALED],
      lines: ['note: Deployment/default/web pinned to revision 1 by rollout undo until the source changes', 'note: Deployment/default/web scaled to 3 by berth scale (the manifest says 2) until the manifest changes'],
      summary: 'no differences; 2 divergences kept (OutOfSync)',
    },
  ])('text: one note line each before the summary, which says nothing changes and that they are kept ($name)', ({ divergences, lines, summary }) => {
    const report = { ...fixtureReport('reordered-lists'), divergences };
    expect(renderText(report, { color: false })).toEqual([...lines, `Summary: ${summary}`, ''].join('\n'));
    expect(stripAnsi(renderText(report, { color: true }))).toEqual(renderText(report, { color: false }));
  });

  it('text: the notes follow the changes', () => {
    const out = renderText({ ...fixtureReport('rolling-update'), divergences: [SCALED] }, { color: false });
    expect(out.endsWith(`\nnote: Deployment/default/web ${SCALED.message}\nSummary: 0 to add, 1 to change, 0 to delete; 1 divergence kept (OutOfSync)\n`)).toBe(true);
  });

  it('markdown: listed under the heading, which counts them', () => {
    const out = renderMarkdown({ ...fixtureReport('reordered-lists'), divergences: [PINNED, SCALED] });
    expect(out.split('\n')).toEqual([
      '### berth diff: no differences; 2 divergences kept (OutOfSync)',
      '',
      '`git /repo@origin/main` (`a1b2c3d`) → `git /repo@HEAD` (`0123456`)',
      '',
      '**Kept on purpose** (applying keeps them):',
      '',
      `- \`Deployment/default/web\` ${PINNED.message}`,
      `- \`Deployment/default/web\` ${SCALED.message}`,
      '',
    ]);
  });
});

describe('renderMarkdown', () => {
  it('renders a pull-request comment: heading, table, collapsible details', () => {
    expect(renderMarkdown(fixtureReport('rolling-update'))).toEqual(
      [
        '### berth diff: 0 to add, 1 to change, 0 to delete',
        '',
        '`git /repo@origin/main` (`a1b2c3d`) → `git /repo@HEAD` (`0123456`)',
        '',
        '| | Resource | Action | Effect |',
        '|---|---|---|---|',
        '| ✏️ | `Deployment default/web` | update | rolling update of deploy/web: 3 pods replaced (maxSurge 1, maxUnavailable 0) |',
        '',
        '<details>',
        '<summary>✏️ <b>update</b> <code>Deployment default/web</code> <sub>web.yaml:1</sub></summary>',
        '',
        '```diff',
        '+ spec.template.spec.containers[web].env:',
        '+   - name: LOG_LEVEL',
        '+     value: debug',
        '- spec.template.spec.containers[web].image: "nginx:1.25"',
        '+ spec.template.spec.containers[web].image: "nginx:1.27"',
        '```',
        '',
        '</details>',
        '',
      ].join('\n'),
    );
  });

  it('puts destructive changes first, with a warning', () => {
    const md = renderMarkdown(fixtureReport('config-restart'));
    expect(md.split('\n').slice(0, 12)).toEqual([
      '### berth diff: 0 to add, 5 to change, 0 to delete (2 destructive) ⚠️',
      '',
      '`git /repo@origin/main` (`a1b2c3d`) → `git /repo@HEAD` (`0123456`)',
      '',
      '> [!WARNING]',
      '> **2 destructive changes** (listed first): they delete data or stop pods without a rolling replacement.',
      '',
      '| | Resource | Action | Effect |',
      '|---|---|---|---|',
      '| ⚠️ | `Pod default/debug` | update | pod/debug restarted because configmap web-config changed<br>**pod/debug replaced: stopped, then started again (a bare pod has no rolling update)** |',
      '| ⚠️ | `Deployment default/worker` | update | pods of deploy/worker restarted because configmap web-config changed<br>**recreate of deploy/worker: its pod stopped before a new one starts** |',
      '| ✏️ | `ConfigMap default/unused-config` | update | configmap unused-config updated |',
    ]);
    expect(md).toContain('_The manifest itself is unchanged._');
  });

  it('says so when there is nothing to do', () => {
    expect(renderMarkdown(fixtureReport('defaults-spelled-out'))).toEqual(
      '### berth diff: no differences\n\n`git /repo@origin/main` (`a1b2c3d`) → `git /repo@HEAD` (`0123456`)\n',
    );
  });

  it('keeps content from breaking out of its code block or table cell', () => {
    const report = createDiffReport({
      from: FROM,
      to: TO,
      before: [configMap('docs', { 'README.md': 'old' })],
      after: [configMap('docs', { 'README.md': '```\n<b>x</b> | y\n````' })],
    });
    const md = renderMarkdown(report);
    expect(md).toContain('`````diff\n- data["README.md"]: "old"\n+ data["README.md"]: "```\\n<b>x</b> | y\\n````"\n`````');
  });

  it('stays within the comment budget and says what it left out', () => {
    const before = Array.from({ length: 400 }, (_, i) => configMap(`c${String(i).padStart(3, '0')}`, { value: 'a'.repeat(100) }));
    const after = before.map((r) => configMap(r.object.metadata.name, { value: 'b'.repeat(100) }));
    const md = renderMarkdown(createDiffReport({ from: FROM, to: TO, before, after }), { maxLength: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    const rows = md.split('\n').filter((l) => l.startsWith('| ✏️ |')).length;
    const sections = md.split('\n').filter((l) => l === '<details>').length;
    expect(md).toContain(`| | _${400 - rows} more not listed_ | | |`);
    expect(md).toContain(`_Details of ${400 - sections} more resources left out to fit a comment; run \`berth diff\` locally or use \`-o json\`._`);
    expect(rows).toBeGreaterThan(0);
    expect(sections).toBeGreaterThan(0);
  });
});
