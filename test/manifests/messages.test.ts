import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { describeYamlReason } from '../../src/manifests/parse.js';
import { hideSecretValue } from '../../src/manifests/report.js';
import { EXCERPT_MAX } from '../../src/model/excerpt.js';

/**
 * SPEC §8: a problem quotes at most a short, scrubbed excerpt of a document; parse errors keep
 * their position and description but never the source text; a Secret's values are never shown.
 */
const file = (yaml: string) => [{ path: 'in.yaml', content: Buffer.from(yaml) }];
const messages = (yaml: string) => validateRevision(file(yaml)).problems.map((p) => ({ code: p.code, line: p.line, column: p.column, message: p.message }));
const SECRET = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n${body}\n`;

describe('Secret values never appear in problems, whatever YAML makes of them', () => {
  it.each([
    { name: 'an unquoted value read as an alias', body: 'stringData:\n  password: *hunter2secret', value: 'hunter2secret', code: 'yaml-syntax', line: 5 },
    { name: 'an unquoted value read as a tag', body: 'stringData:\n  password: !hunter3secret', value: 'hunter3secret', code: 'yaml-syntax', line: 5 },
    { name: 'a tag on a mapping value', body: 'stringData:\n  password: !hunter4secret {a: 1}', value: 'hunter4secret', code: 'yaml-syntax', line: 5 },
    { name: 'a verbatim tag', body: 'stringData:\n  password: !<tag:hunter5secret> x', value: 'hunter5secret', code: 'yaml-syntax', line: 5 },
    { name: 'a tag with an undeclared handle', body: 'stringData:\n  password: !x!hunter6secret y', value: 'hunter6secret', code: 'yaml-syntax', line: 5 },
    { name: 'a tag with characters a tag cannot have', body: 'stringData:\n  password: !hunter7{secret} y', value: 'hunter7', code: 'yaml-syntax', line: 5 },
    { name: 'stringData that is a string', body: 'stringData: hunter8secret', value: 'hunter8secret', code: 'invalid-type', line: 4 },
    { name: 'stringData that is a list', body: 'stringData: [hunter9secret]', value: 'hunter9secret', code: 'invalid-type', line: 4 },
    { name: 'data that is a number', body: 'data: 1234567890', value: '1234567890', code: 'invalid-type', line: 4 },
    { name: 'a long value, which an excerpt would shorten', body: `stringData:\n  k: [${'long-secret-'.repeat(8)}]`, value: 'long-secret-long', code: 'invalid-type', line: 5 },
  ])('$name', ({ body, value, code, line }) => {
    const got = messages(SECRET(body));
    expect(got.map((p) => [p.code, p.line])).toContainEqual([code, line]);
    for (const p of got) expect(p.message).not.toContain(value);
  });
});

describe('masking a Secret\'s values never mangles berth\'s own words (red-team finding 5)', () => {
  const only = (body: string) => messages(SECRET(body)).map((p) => p.message);

  it.each([
    {
      name: 'a short value does not rewrite "invalid" in a message about its key',
      body: 'stringData: {"SECRETVAL21 key": in}',
      want: ['key "SECRETVAL21 key" is invalid: a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\' (e.g. \'key.name\', or \'KEY_NAME\', or \'key-name\')'],
    },
    {
      name: 'a boolean value leaves the hint as written, and is named only by its type',
      body: 'stringData: {k: true}',
      want: ['must be a string, not a boolean; quote it if you mean the text (YAML reads unquoted yes/no/on/off/true/false as booleans)'],
    },
    {
      name: 'a number is named by its type, never shown',
      body: 'stringData: {pin: 4321}',
      want: ['must be a string, not an integer; quote it if you mean the text (YAML reads unquoted digits as numbers)'],
    },
    {
      name: 'a value that is a word of the message leaves the sentence alone',
      body: 'stringData: {k: [must]}',
      want: ['must be a string, not a list'],
    },
    {
      name: 'stringData as a string: its type, not its text',
      body: 'stringData: abc',
      want: ['must be an object (a mapping), not a string'],
    },
  ])('$name', ({ body, want }) => {
    expect(only(body)).toEqual(want);
  });
});

describe('hideSecretValue, the backstop: whole words, quoted excerpts, never berth\'s short words', () => {
  const secret = (stringData: Record<string, unknown>) => ({ kind: 'Secret', stringData });
  it.each([
    { name: 'a short value as a whole quoted excerpt is hidden', value: 'ab', message: 'found "ab" here', want: 'found secret value hidden here' },
    { name: 'a short value in berth\'s words stays', value: 'in', message: 'is invalid in this field', want: 'is invalid in this field' },
    { name: 'a short value inside a longer quoted excerpt stays', value: 'key', message: 'key "a key" is bad', want: 'key "a key" is bad' },
    { name: 'a 4+ value inside a quoted excerpt is hidden as a word', value: 'abcd', message: 'bad "x abcd y" and abcd', want: 'bad "x secret value hidden y" and abcd' },
    { name: 'a 4+ value glued into a longer word stays', value: 'abcd', message: 'bad "abcdx"', want: 'bad "abcdx"' },
    { name: 'a long value is hidden anywhere', value: 'hunter2secret', message: 'saw hunter2secret and "hunter2secret"', want: 'saw secret value hidden and secret value hidden' },
    { name: 'a long value clipped in an excerpt is hidden', value: 'x'.repeat(60), message: `value "${'x'.repeat(37)}…" bad`, want: 'value secret value hidden bad' },
    { name: 'a number is hidden as a whole word', value: 4321, message: 'not "4321" nor 54321', want: 'not secret value hidden nor 54321' },
    { name: 'a boolean is never masked (its text is berth\'s words)', value: true, message: 'YAML reads true/false as booleans', want: 'YAML reads true/false as booleans' },
  ])('$name', ({ value, message, want }) => {
    expect(hideSecretValue(secret({ k: value }), ['stringData', 'k'], message)).toBe(want);
  });

  it('only for a Secret\'s data and stringData', () => {
    expect(hideSecretValue({ kind: 'ConfigMap', data: { k: 'hunter2secret' } }, ['data', 'k'], 'hunter2secret')).toBe('hunter2secret');
    expect(hideSecretValue(secret({ k: 'hunter2secret' }), ['metadata'], 'hunter2secret')).toBe('hunter2secret');
  });
});

describe('YAML parse errors describe the problem without quoting the source', () => {
  it.each([
    ['unidentified alias "hunter2"', 'an alias (*name) refers to no anchor (&name) before it; quote the value if it is text starting with *'],
    ['unknown scalar tag !<!hunter2>', 'unknown tag; quote the value if it is text starting with !'],
    ['unknown mapping tag !<!hunter2>', 'unknown tag; quote the value if it is text starting with !'],
    ['cannot resolve a node with !<!hunter2> explicit tag', 'unknown tag; quote the value if it is text starting with !'],
    ['tag name cannot contain such characters: hunter2{', 'a tag name has characters a tag cannot have; quote the value if it is text starting with !'],
    ['undeclared tag handle "!hunter2!"', 'a tag uses a handle no %TAG directive declares; quote the value if it is text starting with !'],
    ['recursive alias "hunter2" is not supported for tag x because it uses finalize()', 'an alias refers to a node that contains it'],
    ['bad indentation of a mapping entry', 'bad indentation of a mapping entry'],
    ['something new about "hunter2" and !<hunter2>', 'something new about "…" and !<…>'],
  ])('%s', (reason, want) => {
    expect(describeYamlReason(reason)).toBe(want);
  });

  it('a syntax error names its position and nothing of the line', () => {
    expect(messages('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: "unterminated hunter2\n')).toEqual([
      { code: 'yaml-syntax', line: 6, column: 1, message: 'YAML syntax error: deficient indentation' },
    ]);
  });
});

describe('values quoted by problems are short excerpts with controls escaped', () => {
  const CM = (body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n${body}\n`;

  it.each([
    { name: 'a document that is a long string', yaml: `${'x'.repeat(500)}\n`, want: `document is a string ("${'x'.repeat(37)}…"), not a Kubernetes object with apiVersion and kind` },
    { name: 'a document with an escape sequence', yaml: '"\\e]0;owned\\a\\e[2J"\n', want: 'document is a string ("\\u001b]0;owned\\u0007\\u001b[2J"), not a Kubernetes object with apiVersion and kind' },
    { name: 'a C1 control and a bidi override', yaml: '"a\\x9bb\\u202ec"\n', want: 'document is a string ("a\\u009bb\\u202ec"), not a Kubernetes object with apiVersion and kind' },
  ])('$name', ({ yaml, want }) => {
    expect(messages(yaml).map((p) => p.message)).toEqual([want]);
  });

  it('an unknown field with a hostile, long name', () => {
    const [p] = messages(CM(`"\\e[31m${'k'.repeat(100)}": 1`));
    expect(p?.message).toMatch(/^unknown field "\\u001b\[31mk{27}…" at the top level; known fields: /);
  });

  it('a long, hostile kind and apiVersion', () => {
    const got = messages(`apiVersion: "v1\\e[2J${'v'.repeat(80)}"\nkind: "\\e]8;;http://x\\aK${'k'.repeat(80)}"\n`);
    expect(got).toHaveLength(1);
    expect(got[0]!.message).not.toContain('v'.repeat(EXCERPT_MAX));
    expect(got[0]!.message).not.toContain('k'.repeat(EXCERPT_MAX));
    expect(got[0]!.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('a duplicate key with a control character', () => {
    // The document is still checked (issue 14: so what it defines is known), which finds its key invalid too.
    expect(messages(CM('data:\n  "a\\rb": x\n  "a\\rb": y')).map((p) => p.message)).toContain('duplicate key "a\\rb" (first at line 5)');
  });

  it('a path through a hostile key keeps it whole but escaped', () => {
    const got = validateRevision(file(CM('data:\n  "bad\\e[2Jkey": 1'))).problems;
    expect(got.map((p) => p.path)).toContain('data["bad\\u001b[2Jkey"]');
  });
});
