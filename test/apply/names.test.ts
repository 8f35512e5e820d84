import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DockerNameKind } from '../../src/apply/names.js';
import { DOCKER_NAMESPACE, dockerNames, parseDockerName } from '../../src/apply/names.js';

/**
 * Docker names of different kinds must never be equal within one Docker namespace (issue 11:
 * pod `pvc`'s volume `data` and the claim `data` were one Docker volume). The proof: every name
 * function has an inverse (`parseDockerName`) that gives back its kind and arguments, for any
 * arguments Kubernetes allows; a function with a left inverse is injective, and the kind in the
 * result makes the kinds disjoint.
 */

const KINDS = Object.keys(dockerNames) as DockerNameKind[];
const call = (kind: DockerNameKind, args: string[]) => (dockerNames[kind] as (...a: string[]) => string)(...args);

/**
 * Kubernetes names (DNS labels and subdomains), biased towards the words the name scheme itself
 * uses, so the adversarial cases (a pod named `pvc`, a container `init-x`) come up constantly.
 */
const TAGS = ['pvc', 'svc', 'svchost', 'init', 'vol', 'dns', 'host', 'berth', 'init-x', 'pvc.data', 'a', '0'];
const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
const subdomain = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?){0,2}$/);
const k8sName = fc.oneof(fc.constantFrom(...TAGS), label, subdomain);
const call$ = fc.constantFrom(...KINDS).chain((kind) => fc.tuple(fc.constant(kind), fc.array(k8sName, { minLength: dockerNames[kind].length, maxLength: dockerNames[kind].length })));

describe('dockerNames', () => {
  it('every kind has a Docker namespace and an inverse', () => {
    expect(Object.keys(DOCKER_NAMESPACE).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) {
      const args = Array.from({ length: dockerNames[kind].length }, (_, i) => `n${i}`);
      expect(parseDockerName(DOCKER_NAMESPACE[kind], call(kind, args))).toEqual({ kind, args });
    }
  });

  it('parses every name back to the kind and arguments it was made from (so no two are equal)', () => {
    fc.assert(
      fc.property(call$, ([kind, args]) => {
        expect(parseDockerName(DOCKER_NAMESPACE[kind], call(kind, args))).toEqual({ kind, args });
      }),
      { numRuns: 5000 },
    );
  });

  it('no two different calls in one Docker namespace give one name', () => {
    fc.assert(
      fc.property(call$, call$, ([k1, a1], [k2, a2]) => {
        fc.pre(DOCKER_NAMESPACE[k1] === DOCKER_NAMESPACE[k2] && (k1 !== k2 || a1.join('/') !== a2.join('/')));
        expect(call(k1, a1)).not.toBe(call(k2, a2));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    // The collisions of the old scheme, each now two names.
    ['a pod `pvc` with volume `data` vs the claim `data`', dockerNames.podVolume('t', 'default', 'pvc', 'data'), dockerNames.pvc('t', 'default', 'data')],
    ['a container `init-x` vs the init container `x`', dockerNames.container('t', 'default', 'web', 'init-x'), dockerNames.initContainer('t', 'default', 'web', 'x')],
    ['a pod `svc`\'s container `web` vs the proxy of Service `web`', dockerNames.container('t', 'default', 'svc', 'web'), dockerNames.serviceProxy('t', 'default', 'web')],
    ['a proxy vs the fast path of a Service named like it', dockerNames.serviceProxy('t', 'default', 'web'), dockerNames.serviceHostRules('t', 'default', 'web')],
  ])('%s', (_name, a, b) => {
    expect(a).not.toBe(b);
  });

  it('keeps the names of networks, sandboxes, app containers and claims (read by name on hosts that upgrade)', () => {
    expect([dockerNames.network('t', 'shop'), dockerNames.sandbox('t', 'shop', 'web-1'), dockerNames.container('t', 'shop', 'web-1', 'app'), dockerNames.pvc('t', 'shop', 'data')]).toEqual([
      'berth_t_shop',
      'berth_t_shop_web-1',
      'berth_t_shop_web-1_app',
      'berth_t_shop_pvc_data',
    ]);
  });

  it.each([['berth_t_default_imposter_x_y'], ['other_t_default'], ['berth_T_default_web'], ['berth_t__web']])('%s is no name of berth\'s', (name) => {
    expect(parseDockerName('container', name)).toBeUndefined();
  });
});
