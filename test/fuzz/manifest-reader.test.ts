import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { PROBLEM_CODES } from '../../src/manifests/problem-codes.js';
import { EXCERPT_MAX, clip, escapeControl, quote, quoteExact } from '../../src/model/excerpt.js';
import { SUPPORTED_KIND_NAMES } from '../../src/model/kinds.js';
import type { Problem } from '../../src/model/problem.js';
import { readPath } from '../../src/sources/folder.js';

/**
 * Property tests of the manifest reader and the validator's messages (issue 11, SPEC §8):
 * whatever the input, reading returns problems and never throws; no problem message holds a
 * raw control byte, a Secret's value, more than a short excerpt of a document, or anything of a
 * file outside the folder. Deterministic: a fixed seed (override with FC_SEED); on failure
 * fast-check prints the seed and the shrunk counterexample to replay it.
 */
const SEED = Number(process.env.FC_SEED ?? 1104);
const runs = (n: number) => ({ seed: SEED, numRuns: n });

/** Characters a message may not hold raw: controls, DEL, C1, line/paragraph separators, bidi. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function validate(content: string | Uint8Array, path = 'in.yaml'): Problem[] {
  return validateRevision([{ path, content: Buffer.from(content) }]).problems;
}

/** Every problem is well-formed data: a known code, a position, a message without raw controls. */
function wellFormed(problems: readonly Problem[]): void {
  for (const p of problems) {
    expect(Object.hasOwn(PROBLEM_CODES, p.code), p.code).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(0);
    expect(p.column).toBeGreaterThanOrEqual(0);
    expect(p.message, p.message).not.toMatch(UNSAFE);
    expect(p.path, p.path).not.toMatch(UNSAFE);
  }
}

// ---------------------------------------------------------------- generators

/** Text with the characters that make trouble: controls, ESC sequences, C1, bidi, quotes, YAML indicators. */
const hostileChar = fc.constantFrom(
  '\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u001b[2J', '\u001b]0;t\u0007', '\u007f', '\u0085', '\u009b', '\u009d',
  '\u2028', '\u202e', '\u2066', '"', "'", '\\', ':', '#', '*', '&', '!', '%', '@', '`', '|', '>', '{', '}', '[', ']', ',', '-', '?', ' ',
);
const hostileText = fc.array(fc.oneof(hostileChar, fc.string({ maxLength: 4 }), fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 12 }).map((a) => a.join(''));

/** YAML-ish token soup: fragments that drive the parser into its corners. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom('a:', 'b: ', '- ', '  ', '\n', '\t', '---\n', '...\n', '? ', ': ', '*x', '&x ', '!t ', '!!str ', '!<tag:x> ', '<<: ', '{', '}', '[', ']', ',', '"', "'", '|\n', '>-\n', '%YAML 1.2\n', '%TAG ! tag:x,\n', '#c\n', 'kind: Secret\n', 'apiVersion: v1\n', 'stringData:\n', 'data: '),
      hostileText,
    ),
    { maxLength: 40 },
  )
  .map((a) => a.join(''));

/** JSON values with hostile strings, for random object trees. */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(hostileText, fc.constantFrom('name', 'spec', 'containers', 'image', 'ports', 'env', 'data', 'labels', 'constructor', '__proto__', 'toString')), tie('value'), { maxKeys: 5 }),
})).value;

/** A document shaped like a manifest of any kind (supported or not) with hostile content. */
const manifestLike = fc.record({
  apiVersion: fc.oneof(fc.constantFrom('v1', 'apps/v1', 'batch/v1', 'extensions/v1beta1', 'networking.k8s.io/v1'), hostileText),
  kind: fc.oneof(fc.constantFrom(...SUPPORTED_KIND_NAMES), hostileText),
  metadata: fc.record({ name: fc.oneof(fc.constant('web'), hostileText), labels: fc.dictionary(hostileText, hostileText, { maxKeys: 3 }) }, { requiredKeys: [] }),
  spec: jsonValue,
  data: jsonValue,
});

// ---------------------------------------------------------------- properties

describe('the manifest reader never throws, it reports', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => wellFormed(validate(bytes))),
      runs(300),
    );
  });

  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => wellFormed(validate(text))),
      runs(300),
    );
  });

  it('on YAML-ish token soup', () => {
    fc.assert(
      fc.property(yamlish, (text) => wellFormed(validate(text))),
      runs(500),
    );
  });

  it('on manifest-shaped documents full of hostile values (as JSON, which YAML reads with its escapes)', () => {
    fc.assert(
      fc.property(fc.array(manifestLike, { minLength: 1, maxLength: 3 }), (docs) => wellFormed(validate(docs.map((d) => JSON.stringify(d)).join('\n---\n')))),
      runs(300),
    );
  });
});

describe('no problem message quotes more than a short excerpt of a document', () => {
  it('a long value anywhere in a document never appears as a run longer than an excerpt', () => {
    const long = fc.stringMatching(/^[a-z]{60,90}$/).map((s) => `Q${s}`);
    fc.assert(
      fc.property(manifestLike, long, fc.constantFrom<readonly string[]>(['metadata', 'name'], ['kind'], ['apiVersion'], ['spec'], ['data'], ['metadata', 'labels', 'app'], ['root']), (doc, token, at) => {
        const d = doc as unknown as Record<string, Record<string, unknown>>;
        if (at[0] === 'root') return wellFormedNoRun(validate(JSON.stringify(token)), token);
        if (at.length === 1) (d as Record<string, unknown>)[at[0]!] = token;
        else {
          let node: Record<string, unknown> = d;
          for (const seg of at.slice(0, -1)) node = (node[seg] = typeof node[seg] === 'object' && node[seg] !== null && !Array.isArray(node[seg]) ? node[seg] : {}) as Record<string, unknown>;
          node[at[at.length - 1]!] = token;
        }
        wellFormedNoRun(validate(JSON.stringify(d)), token);
      }),
      runs(300),
    );
  });

  function wellFormedNoRun(problems: Problem[], token: string): void {
    wellFormed(problems);
    for (const p of problems) expect(longestRun(p.message, token), p.message).toBeLessThan(EXCERPT_MAX);
  }

  it('excerpts are bounded, escaped, and exact quoting round-trips through JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), hostileText), fc.integer({ min: 4, max: 100 }), (s, max) => {
        for (const e of [quote(s), clip(s), quote(s, max), clip(s, max)]) expect(e).not.toMatch(UNSAFE);
        expect(quote(s).length).toBeLessThanOrEqual(EXCERPT_MAX);
        expect(clip(s).length).toBeLessThanOrEqual(EXCERPT_MAX);
        expect(quote(s, max).length).toBeLessThanOrEqual(max);
        expect(clip(s, max).length).toBeLessThanOrEqual(max);
        if (!/[\ud800-\udfff]/.test(s)) expect(JSON.parse(quoteExact(s))).toBe(s);
      }),
      runs(500),
    );
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(quote(v).length).toBeLessThanOrEqual(EXCERPT_MAX);
        expect(quote(v)).not.toMatch(UNSAFE);
      }),
      runs(300),
    );
  });

  it('the terminal escape keeps JSON the same JSON and is idempotent', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const json = JSON.stringify(v) ?? 'null';
        const safe = escapeControl(json);
        expect(safe).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        expect(JSON.parse(safe)).toEqual(JSON.parse(json));
        expect(escapeControl(safe)).toBe(safe);
      }),
      runs(300),
    );
  });
});

/** Length of the longest run of `token` (any substring of it) found in `text`. */
function longestRun(text: string, token: string): number {
  let best = 0;
  for (let i = 0; i < token.length; i++) {
    let lo = best + 1;
    while (i + lo <= token.length && text.includes(token.slice(i, i + lo))) {
      best = lo;
      lo++;
    }
  }
  return best;
}

describe('a Secret’s values never appear in a problem, whatever shape YAML gives them', () => {
  /** A distinctive value: no English word or berth message shares a 10-character run with it. */
  const core = fc.stringMatching(/^[A-Z][a-z0-9]{5}[A-Z0-9][a-z0-9]{5,20}$/).map((s) => `Zq${s}`);
  const prefix = fc.constantFrom('', '*', '!', '&', '!!', '!<', '? ', '- ', '[', '{', '|', '>', '%', '@', '`', '"', "'", '\\', '0x', '-');
  const suffix = fc.constantFrom('', ' #c', '"', "'", ']', '}', ',', '\\', '%', '\u001b', '\u009b', ' x', '\t');
  const shapes: Array<(v: string, q: string) => string> = [
    (v) => `stringData:\n  k: ${v}`,
    (v) => `stringData: ${v}`,
    (v) => `stringData: [${v}]`,
    (v) => `stringData: {k: ${v}}`,
    (v) => `stringData:\n  k:\n    nested: ${v}`,
    (v) => `stringData:\n  k:\n    - ${v}`,
    (v) => `data:\n  k: ${v}`,
    (v) => `data: ${v}`,
    (v) => `data: {k: [${v}]}`,
    (_v, q) => `stringData:\n  k: ${q}`,
    (_v, q) => `data: {k: ${q}}`,
    (v) => `stringData:\n  k: ${v}\n  k: ${v}`,
    (v) => `stringData:\n  k: |\n    ${v}\n  j: ${v}`,
  ];

  it.each([
    ['a document', (body: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n${body}\n`],
    ['an item of a List', (body: string) => `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n${body.replace(/^/gm, '  ')}\n`],
  ])('as %s', (_name, wrap) => {
    fc.assert(
      fc.property(core, prefix, suffix, fc.integer({ min: 0, max: shapes.length - 1 }), (value, pre, post, shape) => {
        const raw = `${pre}${value}${post}`;
        const problems = validate(wrap(shapes[shape]!(raw, JSON.stringify(raw))));
        wellFormed(problems);
        // Not the value, nor any 10-character run of it (excerpts shorten, escapes split).
        for (const p of problems) expect(longestRun(p.message, value), p.message).toBeLessThan(10);
      }),
      runs(400),
    );
  });
});

describe('nothing from outside a folder reaches a revision or a problem (symlinks)', () => {
  const MARKER = 'OUTSIDE-MARKER-5e1d';
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'berth-fuzz-links-'));
    mkdirSync(join(base, 'outside', 'dir'), { recursive: true });
    writeFileSync(join(base, 'outside', 'secret.yaml'), `${MARKER}\n`);
    writeFileSync(join(base, 'outside', 'dir', 'x.yaml'), `${MARKER}: [\n`);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  type Entry = { dir: string; name: string; what: string };
  const entry = fc.record({
    dir: fc.constantFrom('', 'a', 'a/b', '.hidden', 'c'),
    name: fc.constantFrom('x.yaml', 'y.yml', 'z.json', 'plain', 'd', '.berthignore', '.#lock.yaml'),
    what: fc.constantFrom('file', 'to-outside-file', 'to-outside-dir', 'to-inside-file', 'to-inside-dir', 'dangling', 'self', 'to-parent', 'to-root-of-fs', 'to-folder', 'relative-escape'),
  });
  let n = 0;

  it('whatever mix of files and links a folder holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { maxLength: 8, selector: (e) => `${e.dir}/${e.name}` }), async (entries: Entry[]) => {
        const root = join(base, `case-${n++}`);
        mkdirSync(join(root, 'a', 'b'), { recursive: true });
        writeFileSync(join(root, 'a', 'in.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
        for (const e of entries) {
          const full = join(root, e.dir, e.name);
          mkdirSync(dirname(full), { recursive: true });
          const target = {
            file: undefined,
            'to-outside-file': join(base, 'outside', 'secret.yaml'),
            'to-outside-dir': join(base, 'outside', 'dir'),
            'to-inside-file': join(root, 'a', 'in.yaml'),
            'to-inside-dir': join(root, 'a'),
            dangling: join(root, 'nowhere'),
            self: full,
            'to-parent': '..',
            'to-root-of-fs': '/',
            'to-folder': root,
            'relative-escape': '../../../outside/secret.yaml',
          }[e.what];
          try {
            if (target === undefined) writeFileSync(full, 'k: v\n');
            else symlinkSync(target, full);
          } catch {
            // A name already made (a directory the entries share): skip it.
          }
        }
        const rev = await readPath(root);
        const { problems } = validateRevision(rev.files);
        wellFormed(problems);
        const everything = JSON.stringify({ files: rev.files.map((f) => [f.path, f.content.toString('utf8'), f.refused]), problems });
        expect(everything).not.toContain(MARKER);
        expect(everything).not.toContain(join(base, 'outside'));
        for (const f of rev.files.filter((x) => x.refused)) expect(problems.some((p) => p.file === f.path && p.code === f.refused)).toBe(true);
        rmSync(root, { recursive: true, force: true });
      }),
      runs(40),
    );
  });
});
