import { describe, expect, it } from 'vitest';
import { withHeadAdvertised } from '../../src/sources/git-advertisement.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function pkt(text: string | null): string {
  return text === null ? '0000' : (text.length + 4).toString(16).padStart(4, '0') + text;
}
function advertisement(...refLines: string[]): Buffer {
  return Buffer.from([pkt('# service=git-upload-pack\n'), pkt(null), ...refLines.map(pkt), pkt(null)].join(''), 'latin1');
}
function refNames(body: Uint8Array): string[] {
  const text = Buffer.from(body).toString('latin1');
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    const len = Number.parseInt(text.slice(at, at + 4), 16);
    if (len === 0) {
      at += 4;
      continue;
    }
    const line = text.slice(at + 4, at + len);
    const m = /^([0-9a-f]{40}) ([^\0\n]+)/.exec(line);
    if (m) out.push(`${m[1]!.slice(0, 1)} ${m[2]}`);
    at += len;
  }
  return out;
}

describe('withHeadAdvertised: a remote whose HEAD names a missing branch still serves a named ref', () => {
  it.each([
    {
      name: 'no HEAD: one is added after the first ref, pointing at the wanted branch',
      body: advertisement(`${A} refs/heads/dev\0multi_ack side-band-64k\n`, `${B} refs/heads/main\n`),
      want: 'refs/heads/main',
      refs: ['a refs/heads/dev', 'b HEAD', 'b refs/heads/main'],
    },
    {
      name: 'no HEAD, a tag wanted: HEAD points at the tag',
      body: advertisement(`${A} refs/heads/main\0caps\n`, `${C} refs/tags/v1\n`),
      want: 'refs/tags/v1',
      refs: ['a refs/heads/main', 'c HEAD', 'c refs/tags/v1'],
    },
    {
      name: 'no HEAD, a commit wanted (no ref names it): HEAD points at the first ref',
      body: advertisement(`${A} refs/heads/main\0caps\n`, `${B} refs/heads/dev\n`),
      want: C,
      refs: ['a refs/heads/main', 'a HEAD', 'b refs/heads/dev'],
    },
    {
      name: 'HEAD advertised: unchanged',
      body: advertisement(`${A} HEAD\0caps symref=HEAD:refs/heads/main\n`, `${A} refs/heads/main\n`),
      want: 'refs/heads/main',
      refs: ['a HEAD', 'a refs/heads/main'],
      unchanged: true,
    },
    {
      name: 'an empty repository (capabilities^{} only): unchanged',
      body: advertisement(`${'0'.repeat(40)} capabilities^{}\0caps\n`),
      want: 'refs/heads/main',
      refs: ['0 capabilities^{}'],
      unchanged: true,
    },
  ])('$name', ({ body, want, refs, unchanged }) => {
    const out = withHeadAdvertised(body, want);
    expect(refNames(out)).toEqual(refs);
    expect(Buffer.from(out).equals(body)).toBe(unchanged === true);
  });

  it.each([
    { name: 'not pkt-line framed', body: Buffer.from('<html>error</html>') },
    { name: 'a truncated packet', body: Buffer.from('00ffabc') },
  ])('leaves a body it cannot read as it is: $name', ({ body }) => {
    expect(Buffer.from(withHeadAdvertised(body, 'refs/heads/main')).equals(body)).toBe(true);
  });

  it('keeps the first line (and its capabilities) first, so the client still reads them', () => {
    const body = advertisement(`${A} refs/heads/main\0multi_ack shallow\n`);
    const text = Buffer.from(withHeadAdvertised(body, 'refs/heads/main')).toString('latin1');
    expect(text.indexOf('\0multi_ack shallow')).toBeLessThan(text.indexOf(' HEAD\n'));
  });
});
