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

describe('a JSON patch that fails on a Secret names none of its values', () => {
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: ${Buffer.from(TOKEN).toString('base64')}\nstringData:\n  plain: ${TOKEN}\n`;
  it.each([
    ['a failed test of one value', '- {op: test, path: /data/password, value: x}'],
    ['a failed test of the whole object', '- {op: test, path: "", value: {}}'],
    ['an add inside a scalar', '- {op: add, path: /stringData/plain/x, value: y}'],
  ])('%s', (_, op) => {
    const files = {
      'kustomization.yaml': `resources: [s.yaml]\npatches:\n- target: {kind: Secret}\n  patch: |-\n    ${op}\n`,
      's.yaml': secret,
    };
    const b = build(files);
    expect(b.problems.map((p) => p.code)).toEqual(['invalid-value']);
    const message = b.problems[0]!.message;
    expect([message.includes(TOKEN), message.includes(Buffer.from(TOKEN).toString('base64'))]).toEqual([false, false]);
  });
});
