import { describe, expect, it } from 'vitest';
import { annotatedProfile, annotatedProfiles, profileFromAnnotation } from '../../src/model/legacy-profiles.js';
import { planTemplate } from '../../src/plan/pod-plan.js';
import type { PodTemplateSpec } from '../../src/model/types.js';
import { TEST_HASH_KEY } from '../support/builders.js';

describe('profileFromAnnotation: Kubernetes\' conversion to the field', () => {
  it.each([
    ['seccompProfile', 'runtime/default', { type: 'RuntimeDefault' }],
    ['seccompProfile', 'docker/default', { type: 'RuntimeDefault' }],
    ['appArmorProfile', 'runtime/default', { type: 'RuntimeDefault' }],
    ['appArmorProfile', 'docker/default', undefined],
    ['seccompProfile', 'unconfined', { type: 'Unconfined' }],
    ['appArmorProfile', 'unconfined', { type: 'Unconfined' }],
    ['seccompProfile', 'localhost/profiles/strict.json', { type: 'Localhost', localhostProfile: 'profiles/strict.json' }],
    ['appArmorProfile', 'localhost/my-profile', { type: 'Localhost', localhostProfile: 'my-profile' }],
    ['appArmorProfile', 'localhost/', undefined],
    ['seccompProfile', 'Unconfined', undefined],
    ['seccompProfile', '', undefined],
  ] as const)('%s %j → %j', (field, value, want) => {
    expect(profileFromAnnotation(field, value)).toEqual(want);
  });
});

describe('annotatedProfiles', () => {
  it('finds the pod and container annotations and nothing else', () => {
    const annotations = {
      'seccomp.security.alpha.kubernetes.io/pod': 'localhost/profiles/strict.json',
      'container.seccomp.security.alpha.kubernetes.io/web': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/web': 'localhost/my-profile',
      'container.apparmor.security.beta.kubernetes.io/side': 'nonsense',
      'example.com/other': 'unconfined',
    };
    expect(annotatedProfiles(annotations)).toEqual([
      { key: 'seccomp.security.alpha.kubernetes.io/pod', value: 'localhost/profiles/strict.json', field: 'seccompProfile', profile: { type: 'Localhost', localhostProfile: 'profiles/strict.json' } },
      { key: 'container.seccomp.security.alpha.kubernetes.io/web', value: 'unconfined', field: 'seccompProfile', container: 'web', profile: { type: 'Unconfined' } },
      { key: 'container.apparmor.security.beta.kubernetes.io/web', value: 'localhost/my-profile', field: 'appArmorProfile', container: 'web', profile: { type: 'Localhost', localhostProfile: 'my-profile' } },
      { key: 'container.apparmor.security.beta.kubernetes.io/side', value: 'nonsense', field: 'appArmorProfile', container: 'side' },
    ]);
    expect(annotatedProfile(annotations, 'seccompProfile')).toEqual({ type: 'Localhost', localhostProfile: 'profiles/strict.json' });
    expect(annotatedProfile(annotations, 'appArmorProfile', 'side')).toBeUndefined();
  });

  it.each([[undefined], [null], ['x'], [[1]], [{ 'seccomp.security.alpha.kubernetes.io/pod': 3 }]])('no profiles in %j', (annotations) => {
    expect(annotatedProfiles(annotations)).toEqual([]);
  });
});

describe('the container plan takes the annotations as the fields they stand for', () => {
  const template = (annotations: Record<string, string>, containerSc: Record<string, unknown> = {}, podSc: Record<string, unknown> = {}): PodTemplateSpec =>
    ({
      metadata: { labels: { app: 'a' }, annotations },
      spec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        securityContext: podSc,
        containers: [
          { name: 'web', image: 'busybox', imagePullPolicy: 'IfNotPresent', securityContext: containerSc },
          { name: 'side', image: 'busybox', imagePullPolicy: 'IfNotPresent' },
        ],
      },
    }) as unknown as PodTemplateSpec;
  const profiles = (t: PodTemplateSpec) =>
    planTemplate(t, { namespace: 'default', owner: 'Pod/default/p', controller: 'Pod' }, { configs: { configMaps: new Map(), secrets: new Map() }, hashKey: TEST_HASH_KEY })
      .build('p')
      .containers.map((c) => [c.name, c.securityContext.seccompProfile, c.securityContext.appArmorProfile]);

  it.each([
    {
      name: 'container annotations apply to their container only',
      t: template({ 'container.apparmor.security.beta.kubernetes.io/web': 'localhost/my-profile', 'container.seccomp.security.alpha.kubernetes.io/web': 'unconfined' }),
      want: [['web', { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'my-profile' }], ['side', undefined, undefined]],
    },
    {
      name: 'the pod annotation applies to every container',
      t: template({ 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' }),
      want: [['web', { type: 'RuntimeDefault' }, undefined], ['side', { type: 'RuntimeDefault' }, undefined]],
    },
    {
      name: 'container field > container annotation > pod field > pod annotation',
      t: template(
        { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined', 'container.seccomp.security.alpha.kubernetes.io/side': 'docker/default' },
        { seccompProfile: { type: 'RuntimeDefault' } },
        { seccompProfile: { type: 'Unconfined' } },
      ),
      want: [['web', { type: 'RuntimeDefault' }, undefined], ['side', { type: 'RuntimeDefault' }, undefined]],
    },
    {
      name: 'the pod field wins over the pod annotation',
      t: template({ 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }, {}, { seccompProfile: { type: 'RuntimeDefault' } }),
      want: [['web', { type: 'RuntimeDefault' }, undefined], ['side', { type: 'RuntimeDefault' }, undefined]],
    },
  ])('$name', ({ t, want }) => {
    expect(profiles(t)).toEqual(want);
  });
});
