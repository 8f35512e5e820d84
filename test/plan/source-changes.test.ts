import { describe, expect, it } from 'vitest';
import { specHash } from '../../src/model/hash.js';
import type { AnyObject, Resource } from '../../src/model/types.js';
import { changedBySource } from '../../src/plan/source-changes.js';

const deploy = (name: string, image: string): Resource => {
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'ns' }, spec: { template: { spec: { containers: [{ name: 'c', image }] } } } } as unknown as AnyObject;
  return { key: `Deployment/ns/${name}`, object, source: { file: 'm.yaml', line: 1, column: 1 } };
};
const applied = (r: Resource) => ({ key: r.key, specHash: specHash(r.object) });

describe('changedBySource: what a revision changes, per object, by content', () => {
  it.each([
    { name: 'the same manifest again (another file applied, a commit to another file): nothing', resources: [deploy('web', 'web:2')], inventory: [applied(deploy('web', 'web:2'))], changed: [] },
    { name: 'a changed manifest: that object', resources: [deploy('web', 'web:1'), deploy('api', 'api:1')], inventory: [applied(deploy('web', 'web:2')), applied(deploy('api', 'api:1'))], changed: ['Deployment/ns/web'] },
    { name: 'an object brought anew', resources: [deploy('web', 'web:2')], inventory: [], changed: ['Deployment/ns/web'] },
    { name: 'an object the revision leaves out: not a change of it', resources: [], inventory: [applied(deploy('web', 'web:2'))], changed: [] },
  ])('$name', ({ resources, inventory, changed }) => {
    expect([...changedBySource(resources, inventory)]).toEqual(changed);
  });
});
