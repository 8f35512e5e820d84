import { describe, expect, it } from 'vitest';
import type { RefusedEntry, RevisionFile } from '../../../src/model/revision.js';
import { problemLocation } from '../../../src/model/problem.js';
import { buildKustomization } from '../../../src/manifests/kustomize/index.js';
import { validateRevision } from '../../../src/manifests/index.js';
import { tree } from './support.js';

/**
 * A path the reader refused (a base beyond the Git work tree, a link out of the folder) is
 * reported at the kustomization line that names it, once: outside a work tree `../base` is
 * refused, and a newcomer met a line-less "base: error" and a second copy of it.
 */
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n';

function withRefused(files: Record<string, string>, refused: Record<string, RefusedEntry>): RevisionFile[] {
  const out = [...tree(files).values()];
  for (const [path, reason] of Object.entries(refused)) out.push({ path, content: Buffer.alloc(0), refused: reason });
  return out;
}

const rows: Array<{ name: string; files: Record<string, string>; refused: Record<string, RefusedEntry>; expected: string[]; message: RegExp }> = [
  {
    name: 'a base beyond the boundary, named in resources',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- ../base\n', 'cm.yaml': CM },
    refused: { '../base': 'kustomize-outside-boundary' },
    expected: ['kustomization.yaml:3:3 kustomize-outside-boundary'],
    message: /^"\.\.\/base" lies outside what berth reads for a build .*git init/,
  },
  {
    name: 'a component beyond the boundary',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\ncomponents:\n- ../comp\n', 'cm.yaml': CM },
    refused: { '../comp': 'kustomize-outside-boundary' },
    expected: ['kustomization.yaml:4:3 kustomize-outside-boundary'],
    message: /^"\.\.\/comp" lies outside/,
  },
  {
    name: 'a resource file that is a link out of the folder',
    files: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- leak.yaml\n', 'cm.yaml': CM },
    refused: { 'leak.yaml': 'symlink-outside-root' },
    expected: ['kustomization.yaml:3:3 symlink-outside-root'],
    message: /^"leak\.yaml" is a symlink out of the folder/,
  },
  {
    name: 'a generator file that is a link out of the folder (reported by the generator)',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  envs:\n  - app.env\n' },
    refused: { 'app.env': 'symlink-outside-root' },
    expected: ['kustomization.yaml:4:5 kustomize-generator-path-outside'],
    message: /berth does not follow links out of it/,
  },
  {
    name: 'a generator file inside .git (the reader never reads it: its config may hold a credential)',
    files: { 'kustomization.yaml': 'configMapGenerator:\n- name: c\n  files:\n  - .git/config\n' },
    refused: { '.git/config': 'kustomize-outside-boundary' },
    expected: ['kustomization.yaml:4:5 kustomize-generator-path-outside'],
    message: /is inside a \.git directory, which berth never reads/,
  },
];

describe('refused paths named by a kustomization', () => {
  it.each(rows)('$name: the build reports it at the line', ({ files, refused, expected, message }) => {
    const all = withRefused(files, refused);
    const b = buildKustomization(new Map(all.map((f) => [f.path, f])), '');
    expect(b.problems.map((p) => `${problemLocation(p)} ${p.code}`)).toEqual(expected);
    expect(b.problems[0]!.message).toMatch(message);
    expect(b.refused).toEqual(Object.keys(refused));
  });

  it.each(rows)('$name: validation reports it once, at the line', ({ files, refused, expected }) => {
    const { problems } = validateRevision(withRefused(files, refused));
    expect(problems.map((p) => `${problemLocation(p)} ${p.code}`)).toEqual(expected);
  });

  it('a refused link no kustomization names is still reported at its path', () => {
    const { problems } = validateRevision(withRefused({ 'kustomization.yaml': 'resources:\n- cm.yaml\n', 'cm.yaml': CM }, { 'other.yaml': 'symlink-outside-root' }));
    expect(problems.map((p) => `${p.file} ${p.code}`)).toEqual(['other.yaml symlink-outside-root']);
  });
});

describe('what an unread base holds is not reported missing again', () => {
  const overlay = 'resources:\n- ../base\nreplicas:\n- name: web\n  count: 3\npatches:\n- patch: |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata:\n      name: web\n    spec:\n      replicas: 2\n';
  const problemsOf = (files: Map<string, RevisionFile>): string[] => buildKustomization(files, 'ov').problems.map((p) => `${problemLocation(p)} ${p.code}`);

  it.each([
    ['missing', undefined, ['ov/kustomization.yaml:2:3 kustomize-missing-path']],
    ['beyond the boundary', 'kustomize-outside-boundary' as const, ['ov/kustomization.yaml:2:3 kustomize-outside-boundary']],
  ])('a base that is %s: only its own problem, not the replicas entry and the patch naming its Deployment', (_what, reason, expected) => {
    const files = tree({ 'ov/kustomization.yaml': overlay });
    if (reason) files.set('base', { path: 'base', content: Buffer.alloc(0), refused: reason });
    expect(problemsOf(files)).toEqual(expected);
  });

  it('with every base read, an entry naming nothing is still reported', () => {
    const files = tree({ 'ov/kustomization.yaml': overlay, 'base/kustomization.yaml': 'resources:\n- cm.yaml\n', 'base/cm.yaml': CM });
    expect(problemsOf(files)).toEqual(['ov/kustomization.yaml:11:13 invalid-value', 'ov/kustomization.yaml:4:9 invalid-value']);
  });
});

describe('a file outside the kustomization directory', () => {
  // A Flux-style overlay listing ../../infrastructure/namespace.yaml: the reader never reads a file
  // outside the overlay's directory (kustomize would refuse it), so the build sees it missing and
  // must say why, not only "not in the revision" about a file that is right there.
  it('missing from the revision (never read from outside): says only a kustomization directory is read there', () => {
    const b = buildKustomization(tree({ 'apps/prod/kustomization.yaml': 'resources:\n- ../../infra/namespace.yaml\n' }), 'apps/prod');
    expect(b.problems.map((p) => `${problemLocation(p)} ${p.code}`)).toEqual(['apps/prod/kustomization.yaml:2:3 kustomize-missing-path']);
    expect(b.problems[0]!.message).toBe(
      `directory "../../infra/namespace.yaml" is not in the revision; outside this kustomization's directory kustomize reads only directories holding a kustomization, never a file (make the file's directory a kustomization and list the directory)`,
    );
    expect(b.wanted).toEqual(['infra/namespace.yaml/']);
  });

  it('a missing file inside the directory keeps the plain message', () => {
    const b = buildKustomization(tree({ 'kustomization.yaml': 'resources:\n- servce.yaml\n' }), '');
    expect(b.problems.map((p) => p.message)).toEqual(['file or directory "servce.yaml" is not in the revision']);
  });
});

describe('a patch whose target selects nothing', () => {
  const base = { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n' };
  const json = (options = '') => `resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n    name: cfgg\n${options}  patch: |-\n    - op: add\n      path: /data\n      value: {a: b}\n`;
  const smp = 'resources:\n- cm.yaml\npatches:\n- target:\n    kind: Secret\n  patch: |-\n    apiVersion: v1\n    kind: Secret\n    metadata:\n      name: any\n    type: Opaque\n';
  const found = (files: Record<string, string>): string[] =>
    buildKustomization(tree(files), '').problems.map((p) => `${problemLocation(p)} ${p.code} ${p.severity}`);

  it.each([
    { name: 'a JSON 6902 patch: a warning at its target (kustomize builds it silently)', files: { ...base, 'kustomization.yaml': json() }, expected: ['kustomization.yaml:4:3 kustomize-patch-no-match warning'] },
    { name: 'a strategic merge patch with a target: the same', files: { ...base, 'kustomization.yaml': smp }, expected: ['kustomization.yaml:4:3 kustomize-patch-no-match warning'] },
    { name: 'options.allowNoTargetMatch: true says it is intended', files: { ...base, 'kustomization.yaml': json('  options:\n    allowNoTargetMatch: true\n') }, expected: [] },
    { name: 'a target that matches: nothing to say', files: { ...base, 'kustomization.yaml': json().replace('cfgg', 'cfg') }, expected: [] },
  ])('$name', ({ files, expected }) => {
    expect(found(files)).toEqual(expected);
  });

  it('the message says what to check', () => {
    const [p] = buildKustomization(tree({ ...base, 'kustomization.yaml': json() }), '').problems;
    expect(p!.message).toMatch(/^this patch's target selects no object of this build, so the patch changes nothing; check its kind, name, namespace and selectors, or set options\.allowNoTargetMatch: true/);
  });
});
