import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';

const file = (yaml: string) => [{ path: 'secret.yaml', content: Buffer.from(yaml) }];

describe('problems about Secret values never echo the value', () => {
  it.each([
    { name: 'a number where base64 text is expected', data: 'data: {PIN: 12345}', secret: '12345', code: 'invalid-type' },
    // The value is named by its type only; the hint's own words ("yes/no/on/off/true/false") stay.
    { name: 'a boolean in stringData', data: 'stringData: {FLAG: yes}', secret: 'boolean (true)', code: 'invalid-type' },
    { name: 'a list in stringData', data: 'stringData: {X: [sekrit-value]}', secret: 'sekrit-value', code: 'invalid-type' },
  ])('$name', ({ data, secret, code }) => {
    const { problems } = validateRevision(file(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n${data}\n`));
    expect(problems.map((p) => p.code)).toContain(code);
    for (const p of problems) expect(p.message).not.toContain(secret);
  });

  it('still shows values in messages about other kinds', () => {
    const { problems } = validateRevision(file('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {PORT: 8080}\n'));
    expect(problems.find((p) => p.path === 'data.PORT')?.message).toContain('8080');
  });
});
