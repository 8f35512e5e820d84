import { describe, expect, it } from 'vitest';
import { problemLocation } from '../../../src/model/problem.js';
import { build } from './support.js';

/**
 * A secretGenerator's input that is not KEY=VALUE may be the value itself (a token pasted
 * without its key). Problems are printed, logged and stored, so they point at the line and never
 * repeat it; a ConfigMap's do, which helps and reveals nothing.
 */
const TOKEN = 'ghp_s3cr3tT0ken';

describe('problems of a secretGenerator input name no value', () => {
  it.each([
    ['a literal with an empty key', `literals: ["=${TOKEN}"]`, {}, 'kustomization.yaml:4 kustomize-generator-invalid'],
    ['a literal without =', `literals: ["${TOKEN} x"]`, {}, 'kustomization.yaml:4 kustomize-generator-invalid'],
    ['an env line without = that is a name', 'envs: [s.env]', { 's.env': `A=1\n${TOKEN}\n` }, 's.env:2 kustomize-env-from-environment'],
    ['an env line without = that is no name', 'envs: [s.env]', { 's.env': `A=1\n${TOKEN} more\n` }, 's.env:2 kustomize-generator-invalid'],
  ])('%s', (_, source, extra, where) => {
    const files = { 'kustomization.yaml': `secretGenerator:\n- name: s\n  type: Opaque\n  ${source}\n`, ...extra };
    const b = build(files);
    expect(b.problems.map((p) => `${problemLocation(p).replace(/:\d+$/, '')} ${p.code}`)).toEqual([where]);
    expect(b.problems[0]!.message).not.toContain(TOKEN);
    // The same mistake in a ConfigMap's input is quoted, so the check above is not vacuous.
    const cm = build({ ...files, 'kustomization.yaml': files['kustomization.yaml'].replace('secretGenerator', 'configMapGenerator').replace('  type: Opaque\n', '') });
    expect(cm.problems.map((p) => p.message).join('\n')).toContain(TOKEN);
  });
});
