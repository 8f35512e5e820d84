import type { SecurityProfile } from './types.js';

/**
 * The annotations Kubernetes read seccomp and AppArmor profiles from before the
 * securityContext fields (and still converts into them when a pod is created):
 *
 *   seccomp.security.alpha.kubernetes.io/pod                 the pod's seccomp profile
 *   container.seccomp.security.alpha.kubernetes.io/<name>    a container's seccomp profile
 *   container.apparmor.security.beta.kubernetes.io/<name>    a container's AppArmor profile
 *
 * with the values `runtime/default` (seccomp also `docker/default`), `unconfined` and
 * `localhost/<profile>`. berth treats each exactly as the field it stands for (SPEC §8: a
 * restriction must never be believed to hold when it does not): policy (Unconfined needs
 * --allow-unconfined), validation (seccomp Localhost is refused) and the container's profile.
 * Precedence, as the API server's conversion and the kubelet give it: container field,
 * container annotation, pod field, pod annotation.
 */
export const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
export const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
export const APPARMOR_CONTAINER_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export type ProfileField = 'seccompProfile' | 'appArmorProfile';

export interface AnnotatedProfile {
  /** The annotation's key. */
  key: string;
  value: string;
  field: ProfileField;
  /** undefined: the pod's (seccomp only). */
  container?: string;
  /** undefined: the value is none of the forms Kubernetes accepts. */
  profile?: SecurityProfile;
}

/** The profile annotations among `annotations` (a template's metadata.annotations, any shape). */
export function annotatedProfiles(annotations: unknown): AnnotatedProfile[] {
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return [];
  const out: AnnotatedProfile[] = [];
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    let entry: Omit<AnnotatedProfile, 'profile'> | undefined;
    if (key === SECCOMP_POD_ANNOTATION) entry = { key, value, field: 'seccompProfile' };
    else if (key.startsWith(SECCOMP_CONTAINER_PREFIX)) entry = { key, value, field: 'seccompProfile', container: key.slice(SECCOMP_CONTAINER_PREFIX.length) };
    else if (key.startsWith(APPARMOR_CONTAINER_PREFIX)) entry = { key, value, field: 'appArmorProfile', container: key.slice(APPARMOR_CONTAINER_PREFIX.length) };
    if (!entry) continue;
    const profile = profileFromAnnotation(entry.field, value);
    out.push(profile ? { ...entry, profile } : entry);
  }
  return out;
}

/** Kubernetes' conversion of an annotation value to the field (pkg/api/pod: seccompFieldForAnnotation, apparmorFieldForAnnotation). */
export function profileFromAnnotation(field: ProfileField, value: string): SecurityProfile | undefined {
  if (value === 'runtime/default' || (field === 'seccompProfile' && value === 'docker/default')) return { type: 'RuntimeDefault' };
  if (value === 'unconfined') return { type: 'Unconfined' };
  if (value.startsWith('localhost/') && value.length > 'localhost/'.length) return { type: 'Localhost', localhostProfile: value.slice('localhost/'.length) };
  return undefined;
}

/** The profile annotated for `container` (or, without one, for the pod), when the annotation is valid. */
export function annotatedProfile(annotations: unknown, field: ProfileField, container?: string): SecurityProfile | undefined {
  return annotatedProfiles(annotations).find((a) => a.field === field && a.container === container)?.profile;
}
