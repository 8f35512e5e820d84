import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { applyJson6902, parsePointer } from '../../../src/manifests/kustomize/json6902.js';
import { Provenance } from '../../../src/manifests/kustomize/provenance.js';
import type { Obj } from '../../../src/manifests/kustomize/types.js';
import { recorder, source } from './patch-support.js';

function apply(target: string, ops: string) {
  const prov = new Provenance();
  const t = source(prov, 'base.yaml', target).value as Obj;
  const before = JSON.stringify(t);
  const o = source(prov, 'ops.yaml', ops).value;
  const { report, reported } = recorder();
  const out = applyJson6902(t, o, { prov, report });
  return { out, reported, prov, unchanged: JSON.stringify(t) === before };
}

// RFC 6902 Appendix A (https://www.rfc-editor.org/rfc/rfc6902#appendix-A), in JSON, which
// kustomize accepts as it accepts YAML.
describe('JSON patch: RFC 6902 appendix A examples', () => {
  it.each<{ name: string; target: string; ops: string; want: string }>([
    { name: 'A.1 adding an object member', target: '{"foo": "bar"}', ops: '[{"op": "add", "path": "/baz", "value": "qux"}]', want: '{"baz": "qux", "foo": "bar"}' },
    { name: 'A.2 adding an array element', target: '{"foo": ["bar", "baz"]}', ops: '[{"op": "add", "path": "/foo/1", "value": "qux"}]', want: '{"foo": ["bar", "qux", "baz"]}' },
    { name: 'A.3 removing an object member', target: '{"baz": "qux", "foo": "bar"}', ops: '[{"op": "remove", "path": "/baz"}]', want: '{"foo": "bar"}' },
    { name: 'A.4 removing an array element', target: '{"foo": ["bar", "qux", "baz"]}', ops: '[{"op": "remove", "path": "/foo/1"}]', want: '{"foo": ["bar", "baz"]}' },
    { name: 'A.5 replacing a value', target: '{"baz": "qux", "foo": "bar"}', ops: '[{"op": "replace", "path": "/baz", "value": "boo"}]', want: '{"baz": "boo", "foo": "bar"}' },
    { name: 'A.6 moving a value', target: '{"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}}', ops: '[{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}]', want: '{"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}' },
    { name: 'A.7 moving an array element', target: '{"foo": ["all", "grass", "cows", "eat"]}', ops: '[{"op": "move", "from": "/foo/1", "path": "/foo/3"}]', want: '{"foo": ["all", "cows", "eat", "grass"]}' },
    { name: 'A.8 testing a value: success', target: '{"baz": "qux", "foo": ["a", 2, "c"]}', ops: '[{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}]', want: '{"baz": "qux", "foo": ["a", 2, "c"]}' },
    { name: 'A.10 adding a nested member object', target: '{"foo": "bar"}', ops: '[{"op": "add", "path": "/child", "value": {"grandchild": {}}}]', want: '{"foo": "bar", "child": {"grandchild": {}}}' },
    { name: 'A.11 ignoring unrecognized elements', target: '{"foo": "bar"}', ops: '[{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}]', want: '{"foo": "bar", "baz": "qux"}' },
    { name: 'A.14 ~ escape ordering', target: '{"/": 9, "~1": 10}', ops: '[{"op": "test", "path": "/~01", "value": 10}]', want: '{"/": 9, "~1": 10}' },
    { name: 'A.16 adding an array value', target: '{"foo": ["bar"]}', ops: '[{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}]', want: '{"foo": ["bar", ["abc", "def"]]}' },
    { name: 'copy', target: '{"a": {"b": 1}}', ops: '[{"op": "copy", "from": "/a", "path": "/c"}]', want: '{"a": {"b": 1}, "c": {"b": 1}}' },
    { name: 'replace the whole document', target: '{"a": 1}', ops: '[{"op": "replace", "path": "", "value": {"b": 2}}]', want: '{"b": 2}' },
    { name: 'add at the end of a list by its length', target: '{"a": [1]}', ops: '[{"op": "add", "path": "/a/1", "value": 2}]', want: '{"a": [1, 2]}' },
  ])('$name', ({ target, ops, want }) => {
    const { out, reported } = apply(target, ops);
    expect(reported).toEqual([]);
    expect(out).toEqual(JSON.parse(want));
  });
});

// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patchesjson6902/
describe('JSON patch: kustomize patchesJson6902 example', () => {
  it('replaces the first rule host and appends a path, written in YAML', () => {
    const ingress = 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: my-ingress\nspec:\n  rules:\n  - host: example.com\n    http:\n      paths:\n      - path: /\n        backend:\n          serviceName: homepage\n          servicePort: 8888\n';
    const ops = "- op: replace\n  path: /spec/rules/0/host\n  value: foo.bar.io\n\n- op: add\n  path: /spec/rules/0/http/paths/-\n  value:\n    path: '/test'\n    backend:\n      serviceName: my-test\n      servicePort: 8081\n";
    const { out, reported } = apply(ingress, ops);
    expect(reported).toEqual([]);
    expect(out).toEqual(
      load(
        'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: my-ingress\nspec:\n  rules:\n  - host: foo.bar.io\n    http:\n      paths:\n      - path: /\n        backend:\n          serviceName: homepage\n          servicePort: 8888\n      - path: /test\n        backend:\n          serviceName: my-test\n          servicePort: 8081\n',
      ),
    );
  });
});

describe('JSON patch: failures leave the resource untouched and say where', () => {
  it.each<{ name: string; target: string; ops: string; path: readonly (string | number)[]; says: RegExp }>([
    { name: 'A.9 a failed test', target: '{"baz": "qux"}', ops: '[{"op": "test", "path": "/baz", "value": "bar"}]', path: [0, 'value'], says: /test failed: \/baz is "qux", not "bar"/ },
    { name: 'A.12 adding to a nonexistent target', target: '{"foo": "bar"}', ops: '[{"op": "add", "path": "/baz/bat", "value": "qux"}]', path: [0, 'path'], says: /\/baz\/bat does not exist/ },
    { name: 'A.15 comparing strings and numbers', target: '{"/": 9, "~1": 10}', ops: '[{"op": "test", "path": "/~01", "value": "10"}]', path: [0, 'value'], says: /test failed/ },
    { name: 'replace of a missing path (a later op fails after an earlier one applied)', target: '{"a": 1}', ops: '[{"op": "add", "path": "/b", "value": 2}, {"op": "replace", "path": "/spec/replicas", "value": 3}]', path: [1, 'path'], says: /\/spec\/replicas does not exist.*use add to create it/ },
    { name: 'remove of a missing list index', target: '{"a": [1]}', ops: '[{"op": "remove", "path": "/a/1"}]', path: [0, 'path'], says: /the list there has 1 items/ },
    { name: 'remove of -', target: '{"a": [1]}', ops: '[{"op": "remove", "path": "/a/-"}]', path: [0, 'path'], says: /does not exist/ },
    { name: 'add past the end of a list', target: '{"a": [1]}', ops: '[{"op": "add", "path": "/a/5", "value": 2}]', path: [0, 'path'], says: /not an index of the list there \(0 to 1, or - to append\)/ },
    { name: 'a list index with a leading zero', target: '{"a": [1, 2]}', ops: '[{"op": "replace", "path": "/a/01", "value": 2}]', path: [0, 'path'], says: /does not exist/ },
    { name: 'move from a missing path', target: '{"a": 1}', ops: '[{"op": "move", "from": "/b", "path": "/c"}]', path: [0, 'from'], says: /\/b does not exist/ },
    { name: 'move into its own child', target: '{"a": {"b": 1}}', ops: '[{"op": "move", "from": "/a", "path": "/a/b/c"}]', path: [0, 'from'], says: /into its own child/ },
    { name: 'add inside a scalar', target: '{"a": 1}', ops: '[{"op": "add", "path": "/a/b", "value": 2}]', path: [0, 'path'], says: /\/a is 1, not a map or list/ },
    { name: 'remove the whole resource', target: '{"a": 1}', ops: '[{"op": "remove", "path": ""}]', path: [0, 'path'], says: /whole resource/ },
    { name: 'replace the whole resource with a scalar', target: '{"a": 1}', ops: '[{"op": "replace", "path": "", "value": 3}]', path: [], says: /not a map/ },
  ])('$name', ({ target, ops, path, says }) => {
    const { out, reported, unchanged } = apply(target, ops);
    expect(out).toBeUndefined();
    expect(unchanged).toBe(true);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toEqual(path);
    expect(reported[0]!.message).toMatch(says);
  });
});

describe('JSON patch: malformed operations are reported, each at its place', () => {
  it.each<{ name: string; ops: string; want: Array<[readonly (string | number)[], RegExp]> }>([
    { name: 'not a list', ops: 'op: add\npath: /a\nvalue: 1\n', want: [[[], /a JSON patch is a list of operations/]] },
    { name: 'an item that is not a map', ops: '- add /a\n', want: [[[0], /each JSON patch operation is a map/]] },
    { name: 'an unknown op, with a suggestion', ops: '- op: replcae\n  path: /a\n  value: 1\n', want: [[[0, 'op'], /unknown op "replcae" \(did you mean "replace"\?\)/]] },
    { name: 'a missing op', ops: '- path: /a\n', want: [[[0], /needs op/]] },
    { name: 'a missing path', ops: '- op: remove\n', want: [[[0], /needs path/]] },
    { name: 'a missing value', ops: '- op: add\n  path: /a\n', want: [[[0], /add needs a value/]] },
    { name: 'a misspelt value', ops: '- op: add\n  path: /a\n  vaule: 1\n', want: [[[0, 'vaule'], /did you mean "value"/], [[0], /add needs a value/]] },
    { name: 'a missing from', ops: '- op: copy\n  path: /a\n', want: [[[0], /needs from/]] },
    { name: 'a path without its leading slash', ops: '- op: remove\n  path: spec.replicas\n', want: [[[0, 'path'], /starts with "\/".*write \/spec\/replicas/]] },
    { name: 'a bad ~ escape', ops: '- op: remove\n  path: /a~2b\n', want: [[[0, 'path'], /~0 for "~" and ~1 for "\/"/]] },
    { name: 'every bad op is reported', ops: '- op: add\n- op: nope\n  path: /a\n', want: [[[0], /needs path/], [[0], /add needs a value/], [[1, 'op'], /unknown op/]] },
  ])('$name', ({ ops, want }) => {
    const { out, reported } = apply('{"a": 1}', ops);
    expect(out).toBeUndefined();
    expect(reported.map((r) => r.path)).toEqual(want.map((w) => w[0]));
    reported.forEach((r, i) => expect(r.message).toMatch(want[i]![1]));
  });
});

describe('JSON pointer (RFC 6901)', () => {
  it.each<{ text: string; want: string[] | RegExp }>([
    { text: '', want: [] },
    { text: '/', want: [''] },
    { text: '/a~1b/~0c/~01', want: ['a/b', '~c', '~1'] },
    { text: 'a', want: /starts with "\/"/ },
    { text: '/a~', want: /~0 for/ },
  ])('$text', ({ text, want }) => {
    const got = parsePointer(text);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toEqual(want);
  });
});

describe('JSON patch: provenance', () => {
  const base = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a\n';
  const ops = '- op: replace\n  path: /spec/replicas\n  value: 3\n- op: add\n  path: /spec/template/spec/containers/-\n  value:\n    name: b\n    image: b\n';

  it.each<{ path: (string | number)[]; file: string; line: number }>([
    { path: ['spec', 'replicas'], file: 'ops.yaml', line: 3 },
    { path: ['spec', 'template', 'spec', 'containers', 1, 'image'], file: 'ops.yaml', line: 8 },
    { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], file: 'base.yaml', line: 11 },
    { path: ['metadata', 'name'], file: 'base.yaml', line: 4 },
  ])('$path is located in $file:$line', ({ path, file, line }) => {
    const { out, prov } = apply(base, ops);
    expect(prov.locator(out!).locate(path)).toMatchObject({ file, line });
  });
});
