import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { print, write, writeStyled } from '../../src/cli/context.js';
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

describe('log lines', () => {
  it('escape DEL and C1 controls (pino leaves them raw) and stay the same JSON', () => {
    const out = captured((s) => createLogger({ destination: s, base: {} }).info({ name: 'a\u009bb\u007f' }, 'hello'));
    expect(out).not.toMatch(/[\u007f-\u009f]/);
    expect(JSON.parse(out).name).toBe('a\u009bb\u007f');
  });
});
