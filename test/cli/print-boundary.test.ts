import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { print, write, writeStyled } from '../../src/cli/context.js';
import { describeView } from '../../src/cli/output/describe-kinds.js';
import { renderDocument } from '../../src/cli/output/kube-objects.js';
import { buildViews } from '../../src/runtime/views/index.js';
import { entry, liveState, NOW } from '../runtime/views-support.js';
import { createLogger } from '../../src/runtime/log.js';

function captured(fn: (s: PassThrough) => void): string {
  const s = new PassThrough();
  const out: Buffer[] = [];
  s.on('data', (c: Buffer) => out.push(c));
  fn(s);
  return Buffer.concat(out).toString('utf8');
}

describe('the CLI print boundary (cli/context.ts)', () => {
  it.each([
    { text: 'plain text\n\tindented', want: 'plain text\n\tindented\n' },
    { text: 'title \u001b]0;owned\u0007 clear \u001b[2J', want: 'title \\u001b]0;owned\\u0007 clear \\u001b[2J\n' },
    { text: '8-bit CSI \u009b2J and DEL \u007f and CR \r and BS \b', want: '8-bit CSI \\u009b2J and DEL \\u007f and CR \\r and BS \\b\n'.replace('\\r', '\\u000d').replace('\\b', '\\u0008') },
    { text: '{"json": "a\u009bb"}', want: '{"json": "a\\u009bb"}\n' },
    // Bidirectional controls and line separators reorder or break what a reader sees ("Trojan Source").
    { text: 'name: evil\u202eexe.txt', want: 'name: evil\\u202eexe.txt\n' },
    { text: '\u2066isolate\u2069 \u200e\u200f \u061c \u202a\u202b\u202c\u202d \u2067\u2068 line\u2028para\u2029', want: '\\u2066isolate\\u2069 \\u200e\\u200f \\u061c \\u202a\\u202b\\u202c\\u202d \\u2067\\u2068 line\\u2028para\\u2029\n' },
    { text: 'ordinary Unicode stays: é ü 日本 🚢 \u00a0', want: 'ordinary Unicode stays: é ü 日本 🚢 \u00a0\n' },
  ])('print escapes $text', ({ text, want }) => {
    expect(captured((s) => print(s, text))).toBe(want);
  });

  it('write escapes without adding a newline; writeStyled writes berth’s own codes as they are', () => {
    expect(captured((s) => write(s, '\u001b[31m'))).toBe('\\u001b[31m');
    expect(captured((s) => writeStyled(s, '\u001b[31m'))).toBe('\u001b[31m');
  });

  it('no command writes to a stream except through the boundary', () => {
    const dir = new URL('../../src/cli/', import.meta.url).pathname;
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('context.ts') && /\.(stdout|stderr)\.write\(/.test(readFileSync(p, 'utf8'))) offenders.push(p);
      }
    };
    walk(dir);
    expect(offenders).toEqual([]);
  });
});

/** Bidirectional controls and separators: none may reach the stream raw. */
const INVISIBLE = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('bidi controls in describe and get -o yaml|json (red-team finding 6)', () => {
  const value = 'ok\u202e\u2066txt.exe\u2069\u200f end';
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', annotations: { note: value } }, data: { greeting: value, multi: `a\n${value}\nb\n`, bom: 'x\ufeffy' } };

  it('describe prints them escaped', () => {
    const view = buildViews(liveState({ inventory: [entry(cm)], pods: [] }), ['ConfigMap']).find((v) => v.name === 'cfg')!;
    const out = captured((s) => print(s, describeView(view, { events: [], now: NOW, pods: [], replicaSets: [] })));
    expect(out).not.toMatch(INVISIBLE);
    expect(out).toContain('ok\\u202e\\u2066txt.exe\\u2069\\u200f end');
  });

  it.each([['json'], ['yaml']] as const)('-o %s prints none raw and means the same document', (format) => {
    const out = captured((s) => write(s, renderDocument(cm, format)));
    expect(out).not.toMatch(INVISIBLE);
    expect(format === 'json' ? JSON.parse(out) : load(out)).toEqual(cm);
  });

  it('-o yaml keeps plain YAML for documents without them', () => {
    expect(renderDocument({ a: 'b', c: ['d'] }, 'yaml')).toBe('a: b\nc:\n- d\n');
  });

  it('-o yaml of a document holding the text \\uFEFF is JSON (which is YAML), still the same document', () => {
    const doc = { a: '\\uFEFF202e literally', b: '\u202e' };
    const out = captured((s) => write(s, renderDocument(doc, 'yaml')));
    expect(out).not.toMatch(INVISIBLE);
    expect(load(out)).toEqual(doc);
  });
});

describe('log lines', () => {
  it('escape DEL and C1 controls (pino leaves them raw) and stay the same JSON', () => {
    const out = captured((s) => createLogger({ destination: s, base: {} }).info({ name: 'a\u009bb\u007f' }, 'hello'));
    expect(out).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(out).name).toBe('a\u009bb\u007f');
  });
});
