import { BerthError } from '../model/errors.js';
import type { DockerClient } from './docker.js';
import { dockerError, isNotFound } from './docker.js';
import type { ImageCache } from './images/cache.js';
import { L } from './labels.js';

/**
 * The pod keeper: one container per Docker host, shared by every berth app on it, running
 * src/dataplane/keeper.js from the data-plane image with the engine's socket. It brings pods
 * back in order when the engine starts, whether or not a berth process runs
 * (dataplane/keeper-plan.ts, docs/daemon.md). Restart policy `always`: it must come back with
 * the engine even after someone stopped it by hand.
 *
 * Owned by berth (`berth.managed=true`, `berth.role=keeper`) but by no app: it has no
 * `berth.app`, so no app's observation, prune or delete ever lists it, and no app's deletion
 * removes what the others still need.
 */
export const KEEPER_NAME = 'berth-keeper';
const IMAGE_LABEL = 'berth.dataplane-image';
const DEFAULT_SOCKET = '/var/run/docker.sock';

/**
 * Makes sure the keeper runs the data-plane image of this berth or a newer one: created when
 * missing, replaced when made from an image built before this berth's (berth upgraded), started
 * when stopped. Idempotent and cheap when nothing is to do (one inspect; two more, of the images,
 * when another build made the keeper); two passes racing to create it both succeed.
 *
 * Why "newer", not "other": two builds sharing a host (a CLI and a daemon mid-upgrade, two
 * checkouts) would otherwise replace each other's keeper at every pass of either, ~350 ms and a
 * keeper restart each time. An order between builds ends that: the keeper of the last-built image
 * stays, whichever build passes by. Build time is the order because it needs no version to be
 * kept by hand and every upgrade moves it forward; a downgrade keeps the newer keeper, whose
 * program reads the labels of older builds (docs/daemon.md).
 */
export async function ensureKeeper(docker: DockerClient, images: ImageCache): Promise<'created' | 'replaced' | 'started' | 'unchanged'> {
  const image = await images.dataplane();
  const existing = await docker.api
    .getContainer(KEEPER_NAME)
    .inspect()
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw dockerError(err, 'inspecting the pod keeper');
    });
  if (existing) {
    if (existing.Config.Labels?.[L.managed] !== 'true' || existing.Config.Labels[L.role] !== 'keeper')
      throw new BerthError('NOT_OWNED', `container ${KEEPER_NAME} exists but was not created by berth`, { container: KEEPER_NAME, hint: 'remove or rename that container' });
    if (existing.Config.Labels[IMAGE_LABEL] === image || !(await builtLater(docker, image, existing.Image))) {
      if (existing.State.Running || existing.State.Restarting) return 'unchanged';
      await docker.api
        .getContainer(existing.Id)
        .start()
        .catch((err: unknown) => {
          if ((err as { statusCode?: number }).statusCode !== 304) throw dockerError(err, 'starting the pod keeper');
        });
      return 'started';
    }
    await docker.api
      .getContainer(existing.Id)
      .remove({ force: true })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw dockerError(err, 'replacing the pod keeper');
      });
  }
  const socket = (docker.api.modem as { socketPath?: unknown }).socketPath;
  const hostSocket = typeof socket === 'string' && socket !== '' ? socket : DEFAULT_SOCKET;
  try {
    const c = await docker.api.createContainer({
      name: KEEPER_NAME,
      Image: image,
      Cmd: ['node', '/app/keeper.js', '--socket', '/var/run/docker.sock'],
      Labels: { [L.managed]: 'true', [L.role]: 'keeper', [IMAGE_LABEL]: image },
      StopTimeout: 5,
      HostConfig: {
        RestartPolicy: { Name: 'always' },
        // It only talks to the engine's socket: no network, nothing writable, no capability
        // (the socket belongs to root, whom the program runs as).
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Binds: [`${hostSocket}:/var/run/docker.sock`],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
      },
    });
    await c.start();
  } catch (err) {
    // Another pass made it between our inspect and create: theirs is as good as ours.
    if ((err as { statusCode?: number }).statusCode === 409) return 'unchanged';
    throw dockerError(err, 'creating the pod keeper');
  }
  return existing ? 'replaced' : 'created';
}

/**
 * Whether this berth's data-plane image was built after the one the keeper runs. A keeper whose
 * image is gone or has no build time counts as older: replacing it is the safe way out.
 */
async function builtLater(docker: DockerClient, ours: string, theirs: string): Promise<boolean> {
  const created = (ref: string) =>
    docker.api
      .getImage(ref)
      .inspect()
      .then((i) => Date.parse(i.Created))
      .catch((err: unknown) => {
        if (isNotFound(err)) return Number.NaN;
        throw dockerError(err, `inspecting image ${ref}`);
      });
  const [a, b] = await Promise.all([created(ours), created(theirs)]);
  if (Number.isNaN(b)) return true;
  return a > b;
}
