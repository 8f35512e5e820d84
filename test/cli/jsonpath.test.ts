import { describe, expect, it } from 'vitest';
import { executeJsonPath, JsonPathError, parseJsonPath, relaxedJsonPath } from '../../src/cli/output/jsonpath.js';

/** The sample object of kubectl's JSONPath page (kubernetes.io/docs/reference/kubectl/jsonpath). */
const SAMPLE = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: { capacity: { cpu: '4' }, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }] },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2' },
      status: {
        capacity: { cpu: '8' },
        addresses: [
          { type: 'LegacyHostIP', address: '127.0.0.2' },
          { type: 'another', address: '127.0.0.3' },
        ],
      },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

const run = (template: string, data: unknown = SAMPLE, allowMissingKeys = true) => executeJsonPath(parseJsonPath(template), data, { allowMissingKeys });

describe("kubectl's JSONPath examples table, row by row", () => {
  // kubectl's page shows maps in Go's old map[cpu:4] form; kubectl prints maps as JSON today.
  it.each([
    ['text', 'kind is {.kind}', 'kind is List'],
    ['@ the current object', '{@}', 'the same as input'],
    ['. child operator', '{.kind}', 'List'],
    ["[] child operator", "{['kind']}", 'List'],
    ['[] child operator, escaped dot', "{.items[0].metadata.labels['kubernetes\\.io/hostname']}", '127.0.0.1'],
    ['.. recursive descent', '{..name}', '127.0.0.1 127.0.0.2 myself e2e'],
    ['* wildcard', '{.items[*].metadata.name}', '127.0.0.1 127.0.0.2'],
    ['[start:end:step] subscript', '{.users[0].name}', 'myself'],
    ['[,] union', "{.items[*]['metadata.name', 'status.capacity']}", '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
    ['?() filter', '{.users[?(@.name=="e2e")].user.password}', 'secret'],
    ['range, end', '{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}', '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] '],
    ["'' quote interpreted string", "{range .items[*]}{.metadata.name}{'\\t'}{end}", '127.0.0.1\t127.0.0.2\t'],
    ['\\ escape terminator character', '{.items[0].metadata.labels.kubernetes\\.io/hostname}', '127.0.0.1'],
  ])('%s: %s', (_what, template, expected) => {
    if (template === '{@}') expect(JSON.parse(run(template))).toEqual(SAMPLE);
    else expect(run(template)).toBe(expected);
  });
});

describe("kubectl's command-line examples and the rest of the dialect", () => {
  const pods = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { metadata: { name: 'web-1', labels: { 'app.kubernetes.io/name': 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'log', image: 'busybox' }] }, status: { phase: 'Running', restarts: 2, ready: true, startTime: '2026-01-01T00:00:00Z' } },
      { metadata: { name: 'job-1' }, spec: { containers: [{ name: 'job', image: 'busybox' }] }, status: { phase: 'Succeeded', restarts: 0, ready: false } },
    ],
  };
  it.each([
    ['{.items[*].metadata.name}', 'web-1 job-1'],
    ['{.items[?(@.status.phase=="Running")].metadata.name}', 'web-1'],
    ['{.items[?(@.status.phase!="Running")].metadata.name}', 'job-1'],
    ["{.items[?(@.status.phase=='Running')].metadata.name}", 'web-1'],
    ['{.items[?(@.status.restarts>1)].metadata.name}', 'web-1'],
    ['{.items[?(@.status.restarts<=0)].metadata.name}', 'job-1'],
    ['{.items[?(@.status.ready==true)].metadata.name}', 'web-1'],
    ['{.items[?(@.status.startTime)].metadata.name}', 'web-1'],
    ['{range .items[*]}{.metadata.name}{"\\n"}{end}', 'web-1\njob-1\n'],
    ['{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}', 'web-1\tRunning\njob-1\tSucceeded\n'],
    ['{range .items[*]}{.metadata.name}:{range .spec.containers[*]} {.image}{end}{"\\n"}{end}', 'web-1: nginx:1 busybox\njob-1: busybox\n'],
    ['{.items[0].metadata.labels.app\\.kubernetes\\.io/name}', 'web'],
    ['{$.items[0].metadata.name}', 'web-1'],
    ['{.items[-1].metadata.name}', 'job-1'],
    ['{.items[0:1].metadata.name}', 'web-1'],
    ['{.items[1:].metadata.name}', 'job-1'],
    ['{.items[0].spec.containers[::2].name}', 'web'],
    ['{.items[0].spec.containers[0,1].name}', 'web log'],
    ['{.items[0].spec.containers[*]}', '{"image":"nginx:1","name":"web"} {"image":"busybox","name":"log"}'],
    ['{.items[0].spec.containers}', '[{"image":"nginx:1","name":"web"},{"image":"busybox","name":"log"}]'],
    ['{.items[0].status.restarts} {.items[0].status.ready}', '2 true'],
    ['{.items[0].metadata.*}', 'web-1 {"app.kubernetes.io/name":"web"}'],
    ['{.items[*].nope}', ''],
    ['{.apiVersion}{"\\n"}', 'v1\n'],
    ['{range .items[5:5]}x{end}', ''],
    ['{range .nope[*]}x{end}done', 'done'],
  ])('%s', (template, expected) => {
    expect(run(template, pods)).toBe(expected);
  });

  it('Go escapes <, > and & in JSON', () => {
    expect(run('{.a}', { a: { b: '<&>' } })).toBe('{"b":"\\u003c\\u0026\\u003e"}');
  });

  it('--allow-missing-template-keys=false: a missing field is an error', () => {
    expect(() => run('{.items[*].nope}', SAMPLE, false)).toThrow(/^nope is not found$/);
    expect(run('{.kind}', SAMPLE, false)).toBe('List');
  });

  it('jsonpath-as-json prints each action as an indented JSON array', () => {
    expect(executeJsonPath(parseJsonPath('{.users[*].name}'), SAMPLE, { allowMissingKeys: true, asJson: true })).toBe('[\n    "myself",\n    "e2e"\n]\n');
  });
});

describe('errors as kubectl words them', () => {
  it.each([
    ['{.items[', 'unterminated array'],
    ['{.kind', 'unclosed action'],
    ['{.items[?(@.a=="x"}', 'unterminated filter'],
    ['{.items[x]}', 'invalid array index x'],
    ['{"abc}', 'unterminated quoted string'],
    ['{!}', "unrecognized character in action: U+0021 '!'"],
    ['{....a}', 'invalid multiple recursive descent'],
  ])('parse %s', (template, message) => {
    expect(() => parseJsonPath(template)).toThrow(message);
    try {
      parseJsonPath(template);
    } catch (err) {
      expect((err as JsonPathError).phase).toBe('parse');
    }
  });

  it.each([
    ['{.items[5]}', 'array index out of bounds: index 5, length 2'],
    ['{.items[-3]}', 'array index out of bounds: index -1, length 2'],
    ['{.kind[0]}', 'string is not array or slice'],
    ['{end}', 'not in range, nothing to end'],
    ['{foo}', 'unrecognized identifier foo'],
    ['{.items[?(@.kind==1)]}', 'incompatible types for comparison'],
    ['{.items[?(@..address=="x")]}', 'can only compare one element at a time'],
  ])('execute %s', (template, message) => {
    try {
      run(template);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(JsonPathError);
      expect((err as JsonPathError).message).toBe(message);
      expect((err as JsonPathError).phase).toBe('execute');
    }
  });
});

describe('relaxed paths (--sort-by, custom columns)', () => {
  it.each([
    ['metadata.name', '{.metadata.name}'],
    ['.metadata.name', '{.metadata.name}'],
    ['{metadata.name}', '{.metadata.name}'],
    ['{.metadata.name}', '{.metadata.name}'],
    ['.spec.containers[*].image', '{.spec.containers[*].image}'],
  ])('%s', (text, expected) => {
    expect(relaxedJsonPath(text)).toBe(expected);
  });
  it('refuses nested braces', () => {
    expect(() => relaxedJsonPath('{.a}{.b}')).toThrow(/unexpected path string/);
  });
});
