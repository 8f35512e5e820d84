import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../../../src/apply/docker.js';
import { imageExists } from '../../../src/apply/images/index.js';
import { invalidImageName } from '../../../src/apply/pod-resume.js';
import { BerthError } from '../../../src/model/errors.js';

/**
 * Issue 14: an image placeholder (`IMAGE`, `<registry>/app`) passes validation with a warning,
 * as Kubernetes accepts it. Docker answers its inspection with 400 "invalid reference format";
 * that is the pod's IMAGE_UNAVAILABLE naming the reference (the kubelet's InvalidImageName), not
 * a DOCKER_ERROR about the engine. Proven on the real engine in test/e2e/accept-kubernetes.test.ts.
 */
function docker(error: unknown): DockerClient {
  return { api: { getImage: () => ({ inspect: () => Promise.reject(error) }) } } as unknown as DockerClient;
}

async function outcome(error: unknown): Promise<unknown> {
  try {
    return await imageExists(docker(error), 'IMAGE_PLACEHOLDER');
  } catch (err) {
    if (!(err instanceof BerthError)) return err;
    const data = err.data as { image?: string; invalidReference?: string };
    return { code: err.code, image: data.image, invalidReference: data.invalidReference, message: err.message };
  }
}

describe('imageExists and a reference Docker cannot parse', () => {
  it.each([
    {
      name: 'invalid reference format: IMAGE_UNAVAILABLE naming the image',
      error: { statusCode: 400, json: { message: 'no such image: IMAGE_PLACEHOLDER: invalid reference format: repository name must be lowercase' } },
      want: {
        code: 'IMAGE_UNAVAILABLE',
        image: 'IMAGE_PLACEHOLDER',
        invalidReference: 'invalid reference format: repository name must be lowercase',
        message: 'image IMAGE_PLACEHOLDER is not a valid image reference (Docker: invalid reference format: repository name must be lowercase); the pod cannot start until the manifest names an image',
      },
    },
    {
      name: 'invalid reference format alone (a placeholder in angle brackets): Docker\'s words as they are',
      error: { statusCode: 400, message: '(HTTP code 400) unexpected - invalid reference format' },
      want: { code: 'IMAGE_UNAVAILABLE', image: 'IMAGE_PLACEHOLDER', invalidReference: 'invalid reference format', message: 'image IMAGE_PLACEHOLDER is not a valid image reference (Docker: invalid reference format); the pod cannot start until the manifest names an image' },
    },
    { name: 'not found: absent', error: { statusCode: 404 }, want: false },
    { name: 'another 400: the engine refused, DOCKER_ERROR', error: { statusCode: 400, json: { message: 'bad request' } }, want: expect.objectContaining({ code: 'DOCKER_ERROR' }) },
  ])('$name', async ({ error, want }) => {
    expect(await outcome(error)).toEqual(want);
  });
});

describe('invalidImageName: the kubelet\'s InvalidImageName from Docker\'s parse error', () => {
  it.each([
    ['<registry>/app', 'invalid reference format', 'Failed to apply default image tag "<registry>/app": couldn\'t parse image reference "<registry>/app": invalid reference format'],
    ['APP', 'invalid reference format: repository name must be lowercase', 'Failed to apply default image tag "APP": couldn\'t parse image reference "APP": invalid reference format: repository name must be lowercase'],
  ])('%s', (image, why, message) => {
    expect(invalidImageName(image, why, 5)).toEqual({ reason: 'InvalidImageName', image, message, attempt: 1, at: 5 });
  });
});
