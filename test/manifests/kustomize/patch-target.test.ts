import { describe, expect, it } from 'vitest';
import { parsePatchTarget, parseSelector, patternProblem, selectTargets } from '../../../src/manifests/kustomize/patch-target.js';
import type { PatchTarget } from '../../../src/manifests/kustomize/patch-target.js';
import type { KResource, Obj } from '../../../src/manifests/kustomize/types.js';
import type { ParsedDocument } from '../../../src/manifests/parse.js';
import { recorder } from './patch-support.js';

const DOC: ParsedDocument = { file: 'r.yaml', index: 0, value: {}, locator: { start: () => ({ line: 1, column: 1 }), locate: () => ({ line: 1, column: 1 }), scalarText: () => undefined } };

function res(apiVersion: string, kind: string, name: string, extra: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; was?: { name: string; namespace?: string } } = {}): KResource {
  const metadata: Obj = { name };
  if (extra.namespace) metadata.namespace = extra.namespace;
  if (extra.labels) metadata.labels = extra.labels;
  if (extra.annotations) metadata.annotations = extra.annotations;
  const current = { name, namespace: extra.namespace };
  const history = extra.was ? [{ name: extra.was.name, namespace: extra.was.namespace }, current] : [current];
  return { object: { apiVersion, kind, metadata }, origin: { doc: DOC, path: [] }, history };
}

// Resources shaped after kustomize's examples/patchMultipleObjects.md (deploy1, deploy2 with
// label key=value), plus a Service, a namespaced pair and a cluster-scoped kind.
const RESOURCES: KResource[] = [
  res('apps/v1', 'Deployment', 'deploy1', { labels: { 'old-label': 'old-value' } }),
  res('apps/v1', 'Deployment', 'deploy2', { labels: { key: 'value' }, annotations: { zone: 'west' } }),
  res('v1', 'Service', 'deploy1-svc', { labels: { key: 'other' } }),
  res('apps/v1', 'StatefulSet', 'db', { namespace: 'prod', labels: { tier: 'data', env: 'prod' } }),
  res('batch/v1', 'Job', 'dev-migrate', { namespace: 'dev', was: { name: 'migrate', namespace: 'staging' } }),
  res('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
  res('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'things.x.io'),
];

const names = (t: PatchTarget) => selectTargets(RESOURCES, t).map((r) => (r.object.metadata as Obj).name);

// https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/ : "The name and
// namespace fields of the patch target selector are automatically anchored regular expressions."
describe('selectTargets', () => {
  it.each<{ name: string; target: PatchTarget; want: string[] }>([
    { name: 'kind: Deployment (patchMultipleObjects.md)', target: { kind: 'Deployment' }, want: ['deploy1', 'deploy2'] },
    { name: 'kind and labelSelector key=value (patchMultipleObjects.md: only deploy2)', target: { kind: 'Deployment', labelSelector: 'key=value' }, want: ['deploy2'] },
    { name: 'names are anchored: deploy1 is not deploy1-svc', target: { name: 'deploy1' }, want: ['deploy1'] },
    { name: 'a name pattern', target: { name: 'deploy.*' }, want: ['deploy1', 'deploy2', 'deploy1-svc'] },
    { name: 'an alternation is anchored as a whole', target: { name: 'db|reader' }, want: ['db', 'reader'] },
    { name: 'kind is a pattern too', target: { kind: 'Deployment|Service' }, want: ['deploy1', 'deploy2', 'deploy1-svc'] },
    { name: 'group of apps', target: { group: 'apps' }, want: ['deploy1', 'deploy2', 'db'] },
    { name: 'the core group is empty: version v1 with no group', target: { version: 'v1', kind: 'Service' }, want: ['deploy1-svc'] },
    { name: 'version alone', target: { version: 'v1' }, want: ['deploy1', 'deploy2', 'deploy1-svc', 'db', 'dev-migrate', 'reader', 'things.x.io'] },
    { name: 'group and version', target: { group: 'batch', version: 'v1' }, want: ['dev-migrate'] },
    { name: 'namespace default matches objects without one (cluster-scoped kinds excluded)', target: { namespace: 'default' }, want: ['deploy1', 'deploy2', 'deploy1-svc'] },
    { name: 'namespace prod', target: { namespace: 'prod' }, want: ['db'] },
    { name: 'a cluster-scoped kind matches no namespace', target: { namespace: '.*' }, want: ['deploy1', 'deploy2', 'deploy1-svc', 'db', 'dev-migrate'] },
    { name: 'the original name still matches after a prefix', target: { name: 'migrate' }, want: ['dev-migrate'] },
    { name: 'the current name matches', target: { name: 'dev-migrate' }, want: ['dev-migrate'] },
    { name: 'the original namespace matches', target: { namespace: 'staging' }, want: ['dev-migrate'] },
    { name: 'annotationSelector (kustomize patches page: zone=west)', target: { annotationSelector: 'zone=west' }, want: ['deploy2'] },
    { name: 'label a==b', target: { labelSelector: 'key==value' }, want: ['deploy2'] },
    { name: 'label a!=b (objects without the label match)', target: { kind: 'Deployment|Service', labelSelector: 'key!=value' }, want: ['deploy1', 'deploy1-svc'] },
    { name: 'label in', target: { labelSelector: 'key in (value, other)' }, want: ['deploy2', 'deploy1-svc'] },
    { name: 'label notin', target: { kind: 'Deployment|Service', labelSelector: 'key notin (value)' }, want: ['deploy1', 'deploy1-svc'] },
    { name: 'label exists', target: { labelSelector: 'tier' }, want: ['db'] },
    { name: 'label does not exist', target: { kind: 'Deployment', labelSelector: '!key' }, want: ['deploy1'] },
    { name: 'comma is and', target: { labelSelector: 'tier=data,env=prod' }, want: ['db'] },
    { name: 'comma is and: one false requirement excludes', target: { labelSelector: 'tier=data,env=dev' }, want: [] },
    { name: 'every field must match', target: { kind: 'Deployment', name: 'deploy1', labelSelector: 'key=value' }, want: [] },
    { name: 'a refused pattern selects nothing (not parsed by parsePatchTarget)', target: { name: '(a+)+' }, want: [] },
    { name: 'an invalid pattern selects nothing', target: { kind: 'Deploy(' }, want: [] },
    { name: 'the empty target selects everything', target: {}, want: ['deploy1', 'deploy2', 'deploy1-svc', 'db', 'dev-migrate', 'reader', 'things.x.io'] },
  ])('$name', ({ target, want }) => {
    expect(names(target)).toEqual(want);
  });
});

// The target of https://kubectl.docs.kubernetes.io/references/kustomize/kustomization/patches/
it('the patches page target: apps/v1 Deployments named deploy.* with env=dev and zone=west', () => {
  const dev = { env: 'dev' };
  const resources = [
    res('apps/v1', 'Deployment', 'deploy-a', { labels: dev, annotations: { zone: 'west' } }),
    res('apps/v1', 'Deployment', 'deploy-b', { labels: dev, annotations: { zone: 'east' } }),
    res('apps/v1', 'Deployment', 'web', { labels: dev, annotations: { zone: 'west' } }),
    res('apps/v1', 'StatefulSet', 'deploy-c', { labels: dev, annotations: { zone: 'west' } }),
    res('extensions/v1beta1', 'Deployment', 'deploy-d', { labels: dev, annotations: { zone: 'west' } }),
    res('apps/v1', 'Deployment', 'deploy-e', { labels: { env: 'prod' }, annotations: { zone: 'west' } }),
  ];
  const { report, reported } = recorder();
  const target = parsePatchTarget({ group: 'apps', version: 'v1', kind: 'Deployment', name: 'deploy.*', labelSelector: 'env=dev', annotationSelector: 'zone=west' }, report)!;
  expect(reported).toEqual([]);
  expect(selectTargets(resources, target).map((r) => (r.object.metadata as Obj).name)).toEqual(['deploy-a']);
});

describe('parsePatchTarget', () => {
  it('keeps every field', () => {
    const { report, reported } = recorder();
    const t = { group: 'apps', version: 'v1', kind: 'Deployment', name: 'deploy.*', namespace: 'default', labelSelector: 'env=dev', annotationSelector: 'zone=west' };
    expect(parsePatchTarget(t, report)).toEqual(t);
    expect(reported).toEqual([]);
  });

  it.each<{ name: string; value: unknown; path: readonly (string | number)[]; says: RegExp }>([
    { name: 'not a map', value: 'Deployment', path: [], says: /target is a map/ },
    { name: 'an unknown field, with a suggestion', value: { kind: 'Deployment', lableSelector: 'a=b' }, path: ['lableSelector'], says: /unknown field "lableSelector" in target; did you mean "labelSelector"\?/ },
    { name: 'an unknown field without a near miss', value: { image: 'x' }, path: ['image'], says: /a target selects by group, version, kind/ },
    { name: 'a field that is not a string', value: { name: ['a'] }, path: ['name'], says: /is a string, not a list/ },
    { name: 'a pattern that is not a regular expression', value: { name: 'web(' }, path: ['name'], says: /not a valid regular expression/ },
    { name: 'a nested quantifier', value: { name: '(a+)+b' }, path: ['name'], says: /exponential time/ },
    { name: 'a too long pattern', value: { namespace: 'a'.repeat(257) }, path: ['namespace'], says: /257 characters long; at most 256/ },
    { name: 'a backreference', value: { kind: '(a)\\1' }, path: ['kind'], says: /backreference/ },
    { name: 'lookaround', value: { name: '(?!web).*' }, path: ['name'], says: /lookaround/ },
    { name: 'a bad label selector', value: { labelSelector: 'a in (x' }, path: ['labelSelector'], says: /invalid label selector/ },
    { name: 'an empty value list', value: { annotationSelector: 'a in ()' }, path: ['annotationSelector'], says: /lists no values/ },
  ])('reports $name', ({ value, path, says }) => {
    const { report, reported } = recorder();
    expect(parsePatchTarget(value, report)).toBeUndefined();
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toEqual(path);
    expect(reported[0]!.message).toMatch(says);
  });
});

describe('target patterns that cannot backtrack badly are accepted', () => {
  it.each(['web', 'web-.*', '(api|web)-[0-9]+', '(ab)+', '[a-z]+(-[a-z]+)?', 'a{2,3}', '\\(a+\\)+'])('%s', (p) => {
    expect(patternProblem(p)).toBeUndefined();
  });
  it.each(['(a+)+', '(a*)*', '(a|b+)*', '((a+)?)*', '(x{1,}){2,}', '(.*a){3}'])('%s is refused', (p) => {
    expect(patternProblem(p)).toMatch(/exponential/);
  });
});

// https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
describe('parseSelector', () => {
  it.each<{ text: string; want: unknown }>([
    { text: 'environment = production', want: [{ key: 'environment', op: 'eq', value: 'production' }] },
    { text: 'tier != frontend', want: [{ key: 'tier', op: 'neq', value: 'frontend' }] },
    { text: 'environment=production,tier!=frontend', want: [{ key: 'environment', op: 'eq', value: 'production' }, { key: 'tier', op: 'neq', value: 'frontend' }] },
    { text: 'environment in (production, qa)', want: [{ key: 'environment', op: 'in', values: ['production', 'qa'] }] },
    { text: 'tier notin (frontend, backend)', want: [{ key: 'tier', op: 'notin', values: ['frontend', 'backend'] }] },
    { text: 'partition', want: [{ key: 'partition', op: 'exists' }] },
    { text: '!partition', want: [{ key: 'partition', op: 'notexists' }] },
    { text: 'a==b', want: [{ key: 'a', op: 'eq', value: 'b' }] },
    { text: 'app.kubernetes.io/name=web', want: [{ key: 'app.kubernetes.io/name', op: 'eq', value: 'web' }] },
  ])('$text', ({ text, want }) => {
    const { report, reported } = recorder();
    expect(parseSelector(text, report)).toEqual(want);
    expect(reported).toEqual([]);
  });

  it.each(['a in (x', 'a b', '=b', 'a,', 'a notin ()'])('%s is reported', (text) => {
    const { report, reported } = recorder();
    expect(parseSelector(text, report)).toBeUndefined();
    expect(reported).toHaveLength(1);
    expect(reported[0]!.path).toEqual([]);
  });
});
