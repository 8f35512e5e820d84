import { BerthError } from '../model/errors.js';
import type { Cidr } from '../model/ipv4.js';
import { formatCidr, formatIpv4, freeSubnets, overlaps, parseCidr, splitSubnet } from '../model/ipv4.js';
import { dockerError, isConflict } from './docker.js';
import { isOwned, L, ownerLabels } from './labels.js';
import { dockerNames } from './names.js';
import type { PodContext } from './pod-context.js';

/** Subnets tried before a namespace network is made without a pod range (see createNetwork). */
const SUBNET_ATTEMPTS = 8;

/**
 * Makes a namespace network, idempotently and without racing anyone: two passes (or two
 * namespaces of one pass) may make networks at once, and nothing here ever removes a network.
 *
 * Its subnet is berth's choice (a free /20 of Docker's default pool, model/ipv4.ts), split in
 * two: Docker allocates from the lower half (IPRange: sandboxes, proxies, DNS, relays), berth
 * assigns single-container pods' addresses from the upper half (apply/pod-ips.ts), recorded in
 * the `berth.pod-range` label. Docker only learns the subnet in the create call, so it is
 * chosen up front: from the subnets no network has, and when a network made meanwhile took the
 * one tried (Docker: "Pool overlaps"), the next. When none is free (a host whose pool is used
 * up), the network is made as before, Docker choosing; its pods keep their sandboxes.
 *
 * A name conflict is a network that exists: used as it is if it is this app's (whichever berth
 * made it, and whether or not it has a pod range), refused if it is not.
 */
export async function createNetwork(ctx: PodContext, namespace: string): Promise<void> {
  const name = dockerNames.network(ctx.app, namespace);
  const labels = ownerLabels(ctx.app, namespace, 'Namespace', namespace, 'network');
  const tried: Cidr[] = [];
  for (let attempt = 0; attempt <= SUBNET_ATTEMPTS; attempt++) {
    const subnet = attempt < SUBNET_ATTEMPTS ? freeSubnets([...(await usedSubnets(ctx)), ...tried])[0] : undefined;
    try {
      if (!subnet) {
        const made = await ctx.docker.api.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: labels });
        if ((await lostRace(ctx, made.id, name)) === 'name') await useExisting(ctx, name);
        return;
      }
      const { gateway, docker, pods } = splitSubnet(subnet);
      const made = await ctx.docker.api.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { ...labels, [L.podRange]: formatCidr(pods) },
        IPAM: { Driver: 'default', Config: [{ Subnet: formatCidr(subnet), IPRange: formatCidr(docker), Gateway: formatIpv4(gateway) }] },
      });
      const lost = await lostRace(ctx, made.id, name, subnet);
      if (lost === undefined) return;
      if (lost === 'name') return useExisting(ctx, name);
      tried.push(subnet);
    } catch (err) {
      if (isConflict(err)) return useExisting(ctx, name);
      if (subnet && isPoolOverlap(err)) {
        tried.push(subnet);
        continue;
      }
      throw dockerError(err, `creating network ${name}`);
    }
  }
}

/**
 * dockerd 20.10 checks neither a duplicate name (CheckDuplicate) nor an overlapping subnet
 * atomically: two networks created at the same moment may both be made (seen in
 * test/e2e/single-pods.test.ts). Every maker therefore looks once its network exists, and
 * the older of two networks that share a name or overlap wins (Created, then Id: every maker
 * agrees). A maker that lost removes the network it just made itself, which nothing uses yet
 * (this call has not returned), and never another's: the name is then the winner's, or it
 * tries another subnet.
 */
async function lostRace(ctx: PodContext, id: string, name: string, subnet?: Cidr): Promise<'name' | 'subnet' | undefined> {
  let nets: Awaited<ReturnType<typeof ctx.docker.api.listNetworks>>;
  try {
    nets = await ctx.docker.api.listNetworks();
  } catch (err) {
    throw dockerError(err, 'listing the networks of the Docker engine');
  }
  const mine = nets.find((n) => n.Id === id);
  const older = (n: (typeof nets)[number]) => mine !== undefined && (createdNs(n.Created) < createdNs(mine.Created) || (createdNs(n.Created) === createdNs(mine.Created) && n.Id < mine.Id));
  const sameName = nets.some((n) => n.Id !== id && n.Name === name && older(n));
  const overlapping = nets.some((n) => n.Id !== id && older(n) && subnet !== undefined && (n.IPAM?.Config ?? []).some((c) => c.Subnet !== undefined && overlapsCidr(c.Subnet, subnet)));
  if (!sameName && !overlapping) return undefined;
  try {
    await ctx.docker.api.getNetwork(id).remove();
  } catch (err) {
    throw dockerError(err, `removing network ${name}, made at the same moment as another that keeps its ${sameName ? 'name' : 'subnet'}`);
  }
  return sameName ? 'name' : 'subnet';
}

/** Docker's Created (RFC 3339 with up to 9 fraction digits, trailing zeros dropped) in ns, comparable across networks. */
function createdNs(text: string | undefined): bigint {
  const m = /^(.*?:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text ?? '');
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
}

function overlapsCidr(text: string, c: Cidr): boolean {
  const other = parseCidr(text);
  return other !== undefined && overlaps(other, c);
}

async function useExisting(ctx: PodContext, name: string): Promise<void> {
  let labels: Record<string, string> | undefined;
  try {
    labels = (await ctx.docker.api.getNetwork(name).inspect()).Labels;
  } catch (err) {
    throw dockerError(err, `inspecting network ${name}`);
  }
  if (!isOwned(labels, ctx.app))
    throw new BerthError('NOT_OWNED', `network ${name} exists but was not created by berth app ${ctx.app}`, {
      network: name,
      hint: 'remove or rename that network, or use another --app',
    });
}

/** Every subnet the engine's networks have (any owner): a new one must overlap none. */
async function usedSubnets(ctx: PodContext): Promise<Cidr[]> {
  try {
    const nets = await ctx.docker.api.listNetworks();
    return nets.flatMap((n) => (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [parseCidr(c.Subnet)] : []))).filter((c): c is Cidr => c !== undefined);
  } catch (err) {
    throw dockerError(err, 'listing the networks of the Docker engine');
  }
}

/** dockerd's refusal of a subnet another network has ("Pool overlaps with other one on this address space"). */
function isPoolOverlap(err: unknown): boolean {
  const e = err as { json?: { message?: string }; message?: string };
  return /overlaps/i.test(e.json?.message ?? e.message ?? '');
}
