import type Dockerode from 'dockerode';
import { DEFAULT_EDGE_CONFIG_DIR } from '../../dataplane/protocol.js';
import { BerthError } from '../../model/errors.js';
import type { EdgePlan } from '../../plan/edge/actions.js';
import { dockerError, isNotFound } from '../docker.js';
import { L } from '../labels.js';
import type { PodContext } from '../pod.js';
import { ensureEdgePortsFree } from './ports.js';

/**
 * The host's edge (docs/ingress.md): one container per port pair, shared by every app, like the
 * pod keeper (apply/keeper.ts) owned by berth and by no app (`berth.managed=true`,
 * `berth.role=edge`, no `berth.app`), so no app's observation, prune or deletion removes what
 * the others still route. It runs edge.js from the data-plane image in the host's network
 * namespace (it binds the ports itself: real client addresses, and it reaches every pod address
 * through the host's routes to the namespace bridges). Its configuration lives on a named volume,
 * so a restarted or replaced edge applies every app's last fragment with no berth process.
 */
export const EL = {
  /** `<http>,<https>` */
  ports: 'berth.edge-ports',
  image: 'berth.dataplane-image',
  /** The edge layout of the berth that made it (plan/edge/plan.ts EDGE_LAYOUT). */
  layout: 'berth.edge-layout',
} as const;

/** SIGTERM grace of the program (5 s, its --grace-ms) plus a margin. */
const EDGE_STOP_SECONDS = 7;

export function edgeLabels(): Record<string, string> {
  return { [L.managed]: 'true', [L.role]: 'edge' };
}

export function isEdge(labels: Record<string, string> | undefined): boolean {
  return labels?.[L.managed] === 'true' && labels[L.role] === 'edge' && labels[L.app] === undefined;
}

/**
 * Creates the edge with this app's fragment uploaded before it starts (it never serves without
 * routes). Another app's pass may make it between our observation and this call: theirs is as
 * good as ours (409), and our fragment goes into it.
 */
export async function createEdge(ctx: PodContext, plan: EdgePlan): Promise<void> {
  await ensureEdgePortsFree(ctx.docker, plan.ports);
  const image = await ctx.images.dataplane();
  await ensureEdgeVolume(ctx, plan.name);
  let container: Dockerode.Container;
  try {
    container = await ctx.docker.api.createContainer({
      name: plan.name,
      Image: image,
      Cmd: [
        'node', '/app/edge.js', '--config-dir', DEFAULT_EDGE_CONFIG_DIR,
        '--http-port', String(plan.ports.http), '--https-port', String(plan.ports.https),
        '--poll-ms', '200', '--status-ms', '500',
        ...(plan.address ? ['--listen-host', plan.address] : []),
      ],
      Labels: { ...edgeLabels(), [L.specHash]: plan.specHash, [EL.ports]: `${plan.ports.http},${plan.ports.https}`, [EL.image]: image, [EL.layout]: String(plan.layout) },
      StopTimeout: EDGE_STOP_SECONDS,
      HostConfig: {
        NetworkMode: 'host',
        RestartPolicy: { Name: 'unless-stopped' },
        // It binds its two ports and writes only its volume.
        CapDrop: ['ALL'],
        CapAdd: ['NET_BIND_SERVICE'],
        SecurityOpt: ['no-new-privileges'],
        ReadonlyRootfs: true,
        Binds: [`${plan.name}:${DEFAULT_EDGE_CONFIG_DIR}`],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } },
      },
    });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw dockerError(err, `creating the edge ${plan.name}`);
    // Made by another app's pass meanwhile: join it.
    const id = await existingEdge(ctx, plan.name);
    await ctx.dataplane.writer.writeConfig(ctx, id, 'edge', plan.config, 0, plan.files);
    await startTolerant(ctx.docker.api.getContainer(id), plan.name);
    return;
  }
  try {
    await ctx.dataplane.writer.writeNow(ctx, container.id, 'edge', plan.config, 0, plan.files);
    await container.start();
  } catch (err) {
    // Half made: remove the container (the volume holds other apps' fragments, if any), so the next pass starts over.
    await container.remove({ force: true }).catch(() => undefined);
    ctx.dataplane.writer.forgetContainer(container.id);
    throw err instanceof BerthError ? err : dockerError(err, `starting the edge ${plan.name}`);
  }
}

/**
 * The edge's config volume. Docker's create answers with an existing volume of that name
 * whoever made it, so a volume without the edge's labels is refused like a container of that
 * name (existingEdge): berth never writes into a volume it does not own.
 */
async function ensureEdgeVolume(ctx: PodContext, name: string): Promise<void> {
  const existing = await ctx.docker.api
    .getVolume(name)
    .inspect()
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw dockerError(err, `inspecting the edge's config volume ${name}`);
    });
  if (existing) {
    if (!isEdge(existing.Labels ?? undefined)) throw new BerthError('NOT_OWNED', `volume ${name} exists but is not an edge volume berth created`, { volume: name, hint: 'remove or rename that volume' });
    return;
  }
  try {
    await ctx.docker.api.createVolume({ Name: name, Labels: edgeLabels() });
  } catch (err) {
    throw dockerError(err, `creating the edge's config volume ${name}`);
  }
}

async function existingEdge(ctx: PodContext, name: string): Promise<string> {
  const info = await ctx.docker.api
    .getContainer(name)
    .inspect()
    .catch((err: unknown) => {
      throw dockerError(err, `inspecting the edge ${name}`);
    });
  if (!isEdge(info.Config.Labels)) throw new BerthError('NOT_OWNED', `container ${name} exists but is not an edge berth created`, { container: name, hint: 'remove or rename that container' });
  return info.Id;
}

async function startTolerant(c: Dockerode.Container, name: string): Promise<void> {
  await c.start().catch((err: unknown) => {
    if ((err as { statusCode?: number }).statusCode !== 304) throw dockerError(err, `starting the edge ${name}`);
  });
}

/**
 * Stops (the program lets open requests finish for its grace) and removes the edge; with
 * `volume`, its config volume too (no app routes through it any more).
 */
export async function removeEdge(ctx: Pick<PodContext, 'docker' | 'dataplane'>, containerId: string, name: string, volume: boolean): Promise<void> {
  const c = ctx.docker.api.getContainer(containerId);
  try {
    const info = await c.inspect();
    if (!isEdge(info.Config.Labels)) throw new BerthError('NOT_OWNED', `container ${info.Name} is not an edge berth created`, { container: info.Name });
    if (info.State.Running)
      await c.stop({ t: EDGE_STOP_SECONDS + 3 }).catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 304) throw err;
      });
    await c.remove({ force: true });
  } catch (err) {
    if (!isNotFound(err)) throw err instanceof BerthError ? err : dockerError(err, `removing the edge ${name}`);
  } finally {
    ctx.dataplane.writer.forgetContainer(containerId);
  }
  if (!volume) return;
  try {
    const v = ctx.docker.api.getVolume(name);
    const info = await v.inspect();
    if (info.Labels?.[L.managed] !== 'true' || info.Labels[L.role] !== 'edge') return;
    await v.remove();
  } catch (err) {
    if (!isNotFound(err)) throw dockerError(err, `removing the edge's config volume ${name}`);
  }
}
