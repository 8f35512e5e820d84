import { describe, expect, it } from 'vitest';
import { problemLocation } from '../../../src/model/problem.js';
import { buildKustomization } from '../../../src/manifests/kustomize/index.js';
import { build, problems, tree } from './support.js';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n';

/** Each row: a tree whose build has problems, and each problem as `file:line:col code`. */
const rows: Array<{ name: string; files: Record<string, string>; dir?: string; expected: string[]; message?: RegExp }> = [
  {
    name: 'an unknown field, with the closest known one',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nnamePrefx: a-\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:3:1 unknown-field'],
    message: /unknown field "namePrefx" in a Kustomization; did you mean namePrefix\?/,
  },
  {
    name: 'an unknown field of an entry',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nimages:\n- name: nginx\n  newTg: v1\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:5:3 unknown-field'],
    message: /did you mean newTag\?/,
  },
  {
    name: 'helm charts are refused by name',
    files: { 'kustomization.yaml': 'helmCharts:\n- name: redis\n  repo: https://charts.example.com\n' },
    expected: ['kustomization.yaml:1:1 kustomize-unsupported-field'],
    message: /^helmCharts: berth does not inflate Helm charts.*berth builds apiVersion, kind, metadata, resources/,
  },
  {
    name: 'fields berth does not build are refused, naming what it builds',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nconfigurations:\n- c.yaml\nvars: []\ntransformers:\n- t.yaml\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:3:1 kustomize-unsupported-field', 'kustomization.yaml:5:1 kustomize-unsupported-field', 'kustomization.yaml:6:1 kustomize-unsupported-field'],
  },
  {
    name: 'remote resources: URLs, git and hosted shorthands',
    files: { 'kustomization.yaml': 'resources:\n- https://example.com/app.yaml\n- github.com/org/repo//deploy?ref=v1\n- git::https://example.com/repo.git\n' },
    expected: ['kustomization.yaml:2:3 kustomize-remote-resource', 'kustomization.yaml:3:3 kustomize-remote-resource', 'kustomization.yaml:4:3 kustomize-remote-resource'],
  },
  {
    name: 'a missing file is wanted and reported at its line',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- absent.yaml\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:3:3 kustomize-missing-path'],
  },
  {
    name: "a file outside the kustomization's directory (kustomize's load restriction)",
    files: { 'app/kustomization.yaml': 'resources:\n- ../shared/cm.yaml\n', 'shared/cm.yaml': CM },
    dir: 'app',
    expected: ['app/kustomization.yaml:2:3 kustomize-outside-root'],
  },
  {
    name: "a path that leaves the revision's root",
    files: { 'kustomization.yaml': 'resources:\n- ../../elsewhere\n' },
    expected: ['kustomization.yaml:2:3 kustomize-outside-root'],
  },
  {
    name: 'an absolute path',
    files: { 'kustomization.yaml': 'resources:\n- /etc/passwd\n' },
    expected: ['kustomization.yaml:2:3 kustomize-outside-root'],
  },
  {
    name: 'a cycle of kustomizations, at the line that closes it',
    files: { 'a/kustomization.yaml': 'resources:\n- ../b\n', 'b/kustomization.yaml': 'resources:\n- ../a\n' },
    dir: 'a',
    expected: ['b/kustomization.yaml:2:3 kustomize-cycle'],
    message: /a → b → a/,
  },
  {
    name: 'a directory without a kustomization file',
    files: { 'kustomization.yaml': 'resources:\n- plain\n', 'plain/cm.yaml': CM },
    expected: ['kustomization.yaml:2:3 kustomize-not-a-kustomization'],
  },
  {
    name: 'a Kustomization listed as a component, and a Component listed as a resource',
    files: {
      'kustomization.yaml': 'resources:\n- comp\ncomponents:\n- base\n',
      'comp/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n',
      'base/kustomization.yaml': 'resources: []\n',
    },
    expected: ['kustomization.yaml:2:3 kustomize-not-a-kustomization', 'kustomization.yaml:4:3 kustomize-not-a-kustomization'],
  },
  {
    name: 'the same object twice: both places',
    files: { 'kustomization.yaml': 'resources:\n- a.yaml\n- b.yaml\n', 'a.yaml': CM, 'b.yaml': `# again\n${CM}` },
    expected: ['a.yaml:4:9 duplicate-resource', 'b.yaml:5:9 duplicate-resource'],
    message: /also defined at (a|b)\.yaml:(4|5)/,
  },
  {
    name: 'wrong types',
    files: { 'kustomization.yaml': 'resources: cm.yaml\ncommonLabels:\n  version: 1\nreplicas:\n- name: x\n  count: two\n' },
    expected: ['kustomization.yaml:1:12 invalid-type', 'kustomization.yaml:3:12 invalid-type', 'kustomization.yaml:6:10 invalid-type'],
  },
  {
    name: 'a replicas entry that matches nothing',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\nreplicas:\n- name: web\n  count: 2\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:4:9 invalid-value'],
  },
  {
    name: 'a YAML error in a resource file, at its own line',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n' },
    expected: ['cm.yaml:5:1 yaml-syntax'],
  },
  {
    name: 'a YAML error in an inline patch, at its line in the kustomization',
    files: {
      'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cfg\n    data: {a: b\n',
      'cm.yaml': CM,
    },
    expected: ['kustomization.yaml:9:16 yaml-syntax'],
  },
  {
    name: 'a problem in an inline patchesStrategicMerge entry, at its line in the kustomization',
    files: {
      'kustomization.yaml': 'resources:\n- cm.yaml\npatchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: nothere\n',
      'cm.yaml': CM,
    },
    expected: ['kustomization.yaml:8:11 invalid-value'],
  },
  {
    name: 'a strategic merge patch naming an object the build lacks',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: p.yaml\n', 'cm.yaml': CM, 'p.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  a: b\n' },
    expected: ['p.yaml:4:9 invalid-value'],
  },
  {
    name: 'a JSON 6902 patch without a target',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- patch: |-\n    - op: add\n      path: /data\n      value: {}\n', 'cm.yaml': CM },
    expected: ['kustomization.yaml:4:3 missing-field'],
  },
  {
    name: 'an empty patch',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: empty.yaml\n', 'cm.yaml': CM, 'empty.yaml': '# nothing yet\n' },
    expected: ['kustomization.yaml:4:9 invalid-value'],
  },
  {
    name: 'a Component without its apiVersion',
    files: { 'kustomization.yaml': 'kind: Component\n' },
    expected: ['kustomization.yaml:1:1 missing-field'],
  },
];

describe('kustomize build: problems point at the line that caused them', () => {
  it.each(rows)('$name', ({ files, dir, expected, message }) => {
    expect(problems(files, dir)).toEqual(expected);
    if (message) expect(build(files, dir).problems[0]!.message).toMatch(message);
  });
});

describe('kustomize build: wanted paths', () => {
  it.each<{ name: string; files: Record<string, string>; dir: string; wanted: string[] }>([
    { name: 'a missing resource file', files: { 'kustomization.yaml': 'resources:\n- a.yaml\n' }, dir: '', wanted: ['a.yaml'] },
    { name: 'a base above the folder read, as a directory only', files: { 'kustomization.yaml': 'resources:\n- ../base\n' }, dir: '', wanted: ['../base/'] },
    { name: 'a file or directory in the kustomization\'s own directory', files: { 'kustomization.yaml': 'resources:\n- sub\n' }, dir: '', wanted: ['sub'] },
    {
      name: 'a patch and a component of a fetched base',
      files: { 'o/kustomization.yaml': 'resources:\n- ../b\ncomponents:\n- ../c\n', 'b/kustomization.yaml': 'resources:\n- d.yaml\npatches:\n- path: p.yaml\n' },
      dir: 'o',
      wanted: ['b/d.yaml', 'b/p.yaml', 'c/'],
    },
  ])('$name', ({ files, dir, wanted }) => {
    expect(build(files, dir).wanted).toEqual(wanted);
  });
});

describe('kustomize build: a built value points at the line that set it', () => {
  const files = {
    'base/kustomization.yaml': 'resources:\n- d.yaml\n',
    'base/d.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  selector:',
      '    matchLabels:',
      '      app: web',
      '  template:',
      '    metadata:',
      '      labels:',
      '        app: web',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1',
      '',
    ].join('\n'),
    'prod/kustomization.yaml': [
      'resources:',
      '- ../base',
      'namespace: prod',
      'namePrefix: prod-',
      'commonLabels:',
      '  team: a',
      'images:',
      '- name: nginx',
      '  newTag: "2"',
      'replicas:',
      '- name: web',
      '  count: 3',
      '',
    ].join('\n'),
  };
  it.each([
    { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], at: 'prod/kustomization.yaml:9' },
    { path: ['spec', 'template', 'spec', 'containers', 0, 'name'], at: 'base/d.yaml:15' },
    { path: ['metadata', 'name'], at: 'prod/kustomization.yaml:4' },
    { path: ['metadata', 'namespace'], at: 'prod/kustomization.yaml:3' },
    { path: ['metadata', 'labels', 'team'], at: 'prod/kustomization.yaml:6' },
    { path: ['spec', 'selector', 'matchLabels', 'team'], at: 'prod/kustomization.yaml:6' },
    { path: ['spec', 'replicas'], at: 'prod/kustomization.yaml:12' },
  ])('$path → $at', ({ path, at }) => {
    const b = build(files, 'prod');
    expect(b.problems).toEqual([]);
    const doc = b.docs[0]!;
    const pos = doc.parsed.locator.locate(path);
    expect(`${pos.file ?? doc.parsed.file}:${pos.line}`).toBe(at);
  });

  it('a built document names the file its object came from', () => {
    const b = build(files, 'prod');
    expect(b.docs.map((d) => [d.parsed.file, problemLocation({ file: d.parsed.file, ...d.parsed.locator.start() })])).toEqual([['base/d.yaml', 'base/d.yaml:1:1']]);
  });
});

describe('kustomize build: a base shared by two overlays', () => {
  it('reports its own problems once', () => {
    const files = {
      'base/kustomization.yaml': 'resources:\n- cm.yaml\ncommonLabel:\n  a: b\n',
      'base/cm.yaml': CM,
      'a/kustomization.yaml': 'namePrefix: a-\nresources:\n- ../base\n',
      'b/kustomization.yaml': 'namePrefix: b-\nresources:\n- ../base\n',
      'kustomization.yaml': 'resources:\n- a\n- b\n',
    };
    expect(problems(files)).toEqual(['base/kustomization.yaml:3:1 unknown-field']);
    expect(build(files).problems[0]!.message).toMatch(/did you mean commonLabels\?/);
  });

  it('a file listed as a component', () => {
    expect(problems({ 'kustomization.yaml': 'components:\n- cm.yaml\n', 'cm.yaml': CM })).toEqual(['kustomization.yaml:2:3 kustomize-not-a-kustomization']);
  });
});

describe('kustomize build: hostile trees are bounded', () => {
  it('bases shared twice at every level stop at the include limit, reported once', () => {
    // 12 levels, each including the next twice: 8190 includes unbounded.
    const files: Record<string, string> = { 'l12/kustomization.yaml': 'resources:\n- cm.yaml\n', 'l12/cm.yaml': CM };
    for (let i = 0; i < 12; i++) files[`l${i}/kustomization.yaml`] = `resources:\n- ../l${i + 1}\n- ../l${i + 1}\n`;
    const codes = problems(files, 'l0').filter((p) => p.endsWith('kustomize-build-limit'));
    expect(codes).toHaveLength(1);
  });

  // Each operation (or replacement) copies the object into itself: 2^40 values unbounded.
  it.each([
    [
      'JSON patch copies',
      `patches:\n- target: {kind: ConfigMap}\n  patch: |-\n${Array.from({ length: 40 }, (_, i) => `    - {op: copy, from: /data, path: /data/k${i}}`).join('\n')}\n`,
    ],
    [
      'replacements',
      `replacements:\n${Array.from({ length: 40 }, (_, i) => `- source: {kind: ConfigMap, fieldPath: data}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.k${i}]\n    options: {create: true}`).join('\n')}\n`,
    ],
  ])('%s that double an object stop at the size limit: nothing built, reported once', (_, entries) => {
    const b = build({ 'kustomization.yaml': `resources:\n- cm.yaml\n${entries}`, 'cm.yaml': `${CM}data:\n  a: "1"\n` });
    expect(b.problems.map((p) => `${problemLocation(p)} ${p.code}`)).toEqual(['kustomization.yaml:1:1 kustomize-build-limit']);
    expect(b.docs).toEqual([]);
    // Reaching the 64 MiB limit takes a few seconds of real copying; on a loaded 2-core machine
    // more than vitest's default 5 s. The bound is the point of the test, not its speed.
  }, 60_000);

  it('an empty path', () => {
    expect(problems({ 'kustomization.yaml': 'resources:\n- ""\n' })).toEqual(['kustomization.yaml:2:3 invalid-value']);
  });
});

describe('kustomize build: one kustomization file per directory', () => {
  it('a second one is refused at its file', () => {
    expect(problems({ 'kustomization.yaml': 'resources: []\n', 'kustomization.yml': 'resources: []\n' })).toEqual(['kustomization.yml:1:1 invalid-value']);
  });
});

describe('kustomize build: paths the reader refused', () => {
  it('are neither read nor wanted, and are reported at the line naming them (validation does not repeat them)', () => {
    const files = tree({ 'kustomization.yaml': 'resources:\n- link.yaml\n- ../outside\n' });
    files.set('link.yaml', { path: 'link.yaml', content: Buffer.alloc(0), refused: 'symlink-outside-root' });
    files.set('../outside', { path: '../outside', content: Buffer.alloc(0), refused: 'symlink-dangling' });
    const b = buildKustomization(files, '');
    expect([b.problems.map((p) => `${problemLocation(p)} ${p.code}`), b.wanted, b.docs, b.refused]).toEqual([
      ['kustomization.yaml:2:3 symlink-outside-root', 'kustomization.yaml:3:3 symlink-dangling'],
      [],
      [],
      ['../outside', 'link.yaml'],
    ]);
  });

  it.each(['symlink-outside-root', 'kustomize-outside-boundary', 'kustomize-read-limit'] as const)('a generator file refused as %s is reported once, at its line, and handed to validation as said', (reason) => {
    const files = tree({ 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  files: [x.conf]\n  envs: [x.env]\n' });
    files.set('x.conf', { path: 'x.conf', content: Buffer.alloc(0), refused: reason });
    files.set('x.env', { path: 'x.env', content: Buffer.alloc(0), refused: reason });
    const build = buildKustomization(files, '');
    expect(build.problems.map((p) => `${p.line} ${p.code}`).sort()).toEqual(['3 kustomize-generator-path-outside', '4 kustomize-generator-path-outside']);
    expect(build.refused).toEqual(['x.conf', 'x.env']);
  });
});

describe('kustomize build: field names in another letter case', () => {
  it.each([
    ['patchesJSON6902', 'patchesJson6902'],
    ['NamePrefix', 'namePrefix'],
    ['Resources', 'resources'],
  ])('%s is read as %s, with a warning at its key', (written, field) => {
    const value = field === 'namePrefix' ? 'p-' : field === 'resources' ? '\n- cm.yaml' : '\n- target: {kind: ConfigMap, name: c}\n  patch: |-\n    - op: add\n      path: /data/b\n      value: "2"';
    const files = tree({
      'kustomization.yaml': `${field === 'resources' ? '' : 'resources:\n- cm.yaml\n'}${written}:${value.startsWith('\n') ? value : ` ${value}`}\n`,
      'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n',
    });
    const build = buildKustomization(files, '');
    expect(build.problems.map((p) => `${p.line}:${p.column} ${p.severity} ${p.code}`)).toEqual([`${field === 'resources' ? 1 : 3}:1 warning kustomize-field-spelling`]);
    const cm = build.docs[0]!.value as { metadata: { name: string }; data: Record<string, string> };
    if (field === 'namePrefix') expect(cm.metadata.name).toBe('p-c');
    if (field === 'patchesJson6902') expect(cm.data).toEqual({ a: '1', b: '2' });
    if (field === 'resources') expect(cm.metadata.name).toBe('c');
  });
});
