import { describe, expect, it } from 'vitest';
import type { ObservedPod } from '../../src/plan/observed.js';
import { findPod } from '../../src/runtime/container-io.js';
import { allContainers, chooseContainer } from '../../src/runtime/container-choice.js';
import { entry, NOW, podOf, WEB } from './views-support.js';

/** Which pod and container `logs`/`exec` mean, and kubectl's errors when that is unclear. */
const TWO = entry({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'duo' }, spec: { initContainers: [{ name: 'setup', image: 'img' }], containers: [{ name: 'main', image: 'img' }, { name: 'helper', image: 'img' }] } });
const INVENTORY = [entry(WEB), TWO];
const duo = (): ObservedPod => {
  const p = podOf(INVENTORY, 'Pod/default/duo');
  return { ...p, expectedInitContainers: ['setup'], initContainers: [{ ...p.containers[0]!, id: 'init1', name: 'setup', role: 'init', state: 'exited', exitCode: 0 }] };
};

describe('chooseContainer', () => {
  const ANN = 'kubectl.kubernetes.io/default-container';
  it('the only container without -c, no note', () => {
    const p = podOf(INVENTORY, 'Deployment/default/web');
    expect(chooseContainer(p, undefined)).toEqual({ container: p.containers[0], notes: [] });
  });

  // kubectl >= 1.24 (KEP-2227): logs, exec and attach all default the same way.
  it.each([
    ['no annotation: the first, with kubectl\'s note listing app then init containers', {}, 'main', ['Defaulted container "main" out of: main, helper, setup (init)']],
    ['the annotation names the container, silently', { [ANN]: 'helper' }, 'helper', []],
    ['the annotation may name an init container', { [ANN]: 'setup' }, 'setup', []],
    ['an annotation naming no container: kubectl\'s note, then the first', { [ANN]: 'gone' }, 'main', ['Default container name "gone" not found in pod duo', 'Defaulted container "main" out of: main, helper, setup (init)']],
  ])('%s', (_what, annotations, name, notes) => {
    const r = chooseContainer(duo(), undefined, annotations);
    expect({ name: r.container.name, notes: r.notes }).toEqual({ name, notes });
  });

  it('exec does not mention an annotation naming no container (kubectl logs it at -v=4 only)', () => {
    expect(chooseContainer(duo(), undefined, { [ANN]: 'gone' }, 'exec').notes).toEqual(['Defaulted container "main" out of: main, helper, setup (init)']);
  });

  it('-c picks app or init containers over the annotation; an unknown name is a usage error', () => {
    const p = duo();
    expect(chooseContainer(p, 'helper', { [ANN]: 'main' }).container.name).toBe('helper');
    expect(chooseContainer(p, 'setup').container.id).toBe('init1');
    expect(() => chooseContainer(p, 'nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'container nope is not valid for pod duo' }));
  });

  it('--all-containers: init containers first, then app containers in spec order', () => {
    expect(allContainers(duo()).map((c) => c.name)).toEqual(['setup', 'main', 'helper']);
  });
});

describe('findPod', () => {
  const mk = (name: string, ready: boolean, createdAt: number, state: 'running' | 'exited' = 'running') => ({ ...podOf(INVENTORY, 'Deployment/default/web', { name, createdAt, state, ...(state === 'exited' ? { exitCode: 1 } : {}) }), ready });
  const pods = [mk('web-h-young', true, NOW - 10_000), mk('web-h-old', true, NOW - 90_000), mk('web-h-crash', false, NOW - 900_000, 'exited'), duo()];

  it('by name in the namespace', () => {
    expect(findPod(pods, { kind: 'Pod', name: 'duo' }, 'default')).toEqual({ pod: pods[3], of: 1 });
    expect(() => findPod(pods, { kind: 'Pod', name: 'duo' }, 'shop')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it("a controller's pod: ready first, then the oldest", () => {
    expect(findPod(pods, { kind: 'Deployment', name: 'web' }, 'default')).toEqual({ pod: pods[1], of: 3 });
  });

  it.each([
    ['a Service: the pods its selector matches, ready first (kubectl logs svc/web)', { app: 'web' }, 'web-h-old', 3],
    ['a Service whose selector matches nothing is NotFound', { app: 'nothing' }, undefined, 0],
    ['a Service without a selector selects no pods', {}, undefined, 0],
  ] as const)('%s', (_, selector, name, of) => {
    if (name === undefined) expect(() => findPod(pods, { kind: 'Service', name: 'web' }, 'default', selector)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    else expect(findPod(pods, { kind: 'Service', name: 'web' }, 'default', selector)).toEqual({ pod: expect.objectContaining({ name }), of });
  });

  it('a controller without pods is NotFound', () => {
    expect(() => findPod(pods, { kind: 'Deployment', name: 'api' }, 'default')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
