/**
 * The pod keeper's decisions, pure: which berth-owned containers to start, in which order, and
 * which network endpoints are stale. keeper.ts observes Docker and carries the steps out.
 *
 * Why a keeper: with LiveRestore off, dockerd restarts containers in no particular order when it
 * starts. An app container joins its sandbox's namespaces (`--network container:<sandbox>`);
 * started before the sandbox runs, its start fails ("cannot join network of a non running
 * container") and Docker never tries again. The keeper starts it once what it joins runs.
 *
 * What it starts is only what Docker or berth meant to run, never more:
 * - a container whose last start by Docker failed (`State.Error` set) while its restart policy
 *   says it should run: Docker tried and gave up. A container stopped on purpose (`docker stop`,
 *   berth deleting a pod) has no error, and Docker did not try, so neither does the keeper;
 * - a container whose restarts berth had taken over for CrashLoopBackOff (Docker policy `no`,
 *   pod restartPolicy Always/OnFailure): nobody restarts it when berth is gone. The keeper hands
 *   it back to Docker's restart policy (berth takes it again at its next crash, if berth runs)
 *   and starts it: at once when its pod's sandbox started after it stopped (see
 *   `sandboxRestarted`: the engine restarted, and the back-off is void, as a node reboot voids
 *   kubelet's), otherwise once it has been down longer than berth's longest back-off could keep
 *   it (berth is not there to restart it).
 * Never an init container (they ran to completion), nor one berth refused to create as asked
 * (CreateContainerConfigError stand-ins), nor a Never/OnFailure container that should stay down.
 */

/** What the keeper knows of one berth-owned container (from list + inspect). */
export interface KeptContainer {
  id: string;
  /** Without the leading slash. */
  name: string;
  /** berth.role: sandbox, container, init, proxy, dns, … */
  role: string | undefined;
  /** berth.restart-policy: the pod's restartPolicy (Always, OnFailure, Never). */
  podRestartPolicy: string | undefined;
  /** berth.config-error set: a stand-in that must never run. */
  configError: boolean;
  /** running, restarting or paused: nothing to do for it, and what joins it can start. */
  up: boolean;
  /** Docker's State.Status: created, exited, dead, … */
  status: string;
  exitCode: number;
  /** Docker's State.Error: why its last start failed ('' when it did not). */
  error: string;
  /** State.FinishedAt in ms, when it ever finished. */
  finishedAt?: number;
  /** State.StartedAt in ms, when known (inspected) and it ever started. */
  startedAt?: number;
  /** `app/namespace/name` of the pod it belongs to (labels), for finding its sandbox. */
  pod?: string;
  /** berth.pod-shape `single`: the one container of a pod without a sandbox (plan/pod-shape.ts). */
  single?: boolean;
  /** HostConfig.RestartPolicy.Name, '' read as 'no'. */
  dockerPolicy: string;
  /** Containers whose namespaces it joins (`container:X` of NetworkMode, IpcMode, PidMode): ids or names. */
  joins: string[];
}

export type KeeperStep =
  | { type: 'start'; id: string; name: string; reason: string }
  /** Restore the Docker restart policy berth had switched to `no`, then start it. */
  | { type: 'hand-back'; id: string; name: string; policy: string; reason: string };

export interface KeeperWait {
  id: string;
  name: string;
  /** The container it joins, which is not running and will not be started by this plan. */
  on: string;
}

export interface KeeperAttempt {
  /** Starts the keeper tried since the container last ran. */
  count: number;
  at: number;
}

export interface KeeperPlanOptions {
  now: number;
  /** A managed container down this long has no berth restarting it. */
  abandonedAfterMs: number;
  /** The keeper's own earlier attempts, for its back-off (a start that fails again waits). */
  attempts: ReadonlyMap<string, KeeperAttempt>;
}

/**
 * Longer than berth's longest CrashLoopBackOff delay (5 min, model/backoff.ts) plus its daemon's
 * slowest readiness re-check (1 min), plus a margin: a live berth always restarts first.
 */
export const ABANDONED_AFTER_MS = 7 * 60_000;

/** The keeper's own retry of a start that failed again: 1 s doubling to 1 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, attempt - 1));
}

/** Docker restart policy berth gives a container of a pod with this restartPolicy (apply/pod-container.ts). */
export const DOCKER_POLICY: Readonly<Record<string, string>> = { Always: 'unless-stopped', OnFailure: 'on-failure', Never: 'no' };

/**
 * The steps of one sweep, dependencies first (a sandbox before the containers that join it),
 * and the containers that must wait because what they join neither runs nor starts now.
 */
export function planKeeper(containers: readonly KeptContainer[], o: KeeperPlanOptions): { steps: KeeperStep[]; waits: KeeperWait[] } {
  const byKey = new Map<string, KeptContainer>();
  for (const c of containers) {
    byKey.set(c.id, c);
    byKey.set(c.name, c);
  }
  const wanted = new Map<string, KeeperStep>();
  for (const c of containers) {
    const step = decide(c, o, sandboxOf(c, containers, byKey));
    if (step) wanted.set(c.id, step);
  }
  const steps: KeeperStep[] = [];
  const waits: KeeperWait[] = [];
  const up = new Set(containers.filter((c) => c.up).map((c) => c.id));
  // Kahn's order over the `joins` edges: each round starts what every dependency of is up (or
  // started in an earlier round). What is left when no round progresses waits for the next sweep.
  let pending = [...wanted.values()];
  while (pending.length > 0) {
    const ready = pending.filter((s) => byKey.get(s.id)!.joins.every((j) => up.has(byKey.get(j)?.id ?? j)));
    if (ready.length === 0) break;
    for (const s of ready) {
      steps.push(s);
      up.add(s.id);
    }
    pending = pending.filter((s) => !up.has(s.id));
  }
  for (const s of pending) {
    const c = byKey.get(s.id)!;
    const on = c.joins.find((j) => !up.has(byKey.get(j)?.id ?? j))!;
    waits.push({ id: c.id, name: c.name, on: byKey.get(on)?.name ?? on });
  }
  return { steps, waits };
}

function decide(c: KeptContainer, o: KeeperPlanOptions, sandbox: KeptContainer | undefined): KeeperStep | undefined {
  if (c.up || c.configError || c.role === 'init' || c.status === 'dead' || c.status === 'removing') return undefined;
  if (isManaged(c)) {
    // Never started: a berth pass is creating the pod right now and starts it itself.
    if (c.status === 'created' && c.error === '') return undefined;
    if (c.podRestartPolicy === 'OnFailure' && c.exitCode === 0 && c.error === '') return undefined;
    const restarted = sandboxRestarted(c, sandbox);
    const abandoned = c.finishedAt !== undefined && o.now - c.finishedAt >= o.abandonedAfterMs;
    if (!restarted && !abandoned) return undefined;
    return {
      type: 'hand-back',
      id: c.id,
      name: c.name,
      policy: DOCKER_POLICY[c.podRestartPolicy!]!,
      reason: restarted
        ? `${WITNESS[sandbox?.role ?? ''] ?? 'its pod sandbox'} started after it stopped (the engine restarted): berth's back-off is void`
        : `down for ${Math.round((o.now - c.finishedAt!) / 1000)}s with no berth process restarting it`,
    };
  }
  if (c.error === '' || c.dockerPolicy === 'no') return undefined;
  const attempt = o.attempts.get(c.id);
  if (attempt && o.now < attempt.at + retryDelayMs(attempt.count)) return undefined;
  return { type: 'start', id: c.id, name: c.name, reason: `its last start failed: ${c.error}` };
}

/** An app container whose restarts berth had taken over from Docker (policy `no` on a pod that restarts). */
function isManaged(c: KeptContainer): boolean {
  return c.role === 'container' && c.dockerPolicy === 'no' && (c.podRestartPolicy === 'Always' || c.podRestartPolicy === 'OnFailure');
}

/**
 * Whether the engine restarted since berth last stopped this container, read from Docker alone
 * so that any keeper sees it: a keeper just made by another berth build, or one whose first
 * sweep came before the sandbox was back, as well as one the engine restarted. The keeper's own
 * history cannot tell (a pass of another build replaces it; its first sweep is gone by then).
 *
 * The witness is the pod's sandbox: a pause process that never exits on its own, restart policy
 * `unless-stopped`, and whose namespaces the container joins, so it ran when the container last
 * stopped. Its StartedAt later than the container's FinishedAt means it was started again after
 * that, which happens when:
 * - the engine restarted with LiveRestore off: dockerd stops every container and starts the
 *   sandbox again (a stopped, taken-over container keeps its FinishedAt; one that ran is stopped
 *   by the engine first, so its FinishedAt is still before the sandbox's new start);
 * - the host rebooted (LiveRestore on or off): everything died, the sandbox is started anew;
 * - rarely, someone restarted the sandbox by hand: its namespaces are new, the pod restarts, and
 *   giving the container back to Docker costs at most one early restart before berth takes it
 *   again (if berth runs).
 * An engine restart with LiveRestore on leaves the sandbox (and every container) as it was: the
 * pod was not disturbed, nothing is voided, and the crash loop stays under berth's back-off, or
 * the `abandoned` rule when no berth runs. A sandbox not running now (its start is pending or
 * failed) says nothing yet: the sweep its start event triggers decides.
 */
export function sandboxRestarted(c: KeptContainer, sandbox: KeptContainer | undefined): boolean {
  if (!sandbox?.up || sandbox.startedAt === undefined || c.finishedAt === undefined) return false;
  return sandbox.startedAt > c.finishedAt;
}

/** How a hand-back names the witness of an engine restart, by its role. */
const WITNESS: Readonly<Record<string, string>> = { sandbox: 'its pod sandbox', keeper: 'the pod keeper', dns: "its namespace's DNS container" };

/**
 * The witness of an engine restart for a container: its pod sandbox, the one whose namespaces it
 * joins, else its pod's by labels (host namespaces). A single-container pod has none; its witness
 * is the pod keeper itself, which holds to the same rules (it never exits on its own,
 * `unless-stopped`, so dockerd starts it again with the engine, and it ran when the container
 * stopped), exists on every host that has pods, and is replaced only when berth's build changes
 * (costing at most one early restart of a crash-looping single pod then). Without a running
 * keeper (a test, a sweep while it is replaced), the namespace's DNS container: the running one,
 * else the newest, never an exited one berth already replaced.
 */
function sandboxOf(c: KeptContainer, all: readonly KeptContainer[], byKey: ReadonlyMap<string, KeptContainer>): KeptContainer | undefined {
  if (c.single) {
    const keeper = all.find((s) => s.role === 'keeper' && s.up);
    if (keeper) return keeper;
    const namespace = c.pod?.split('/').slice(0, 2).join('/');
    if (namespace === undefined) return undefined;
    const dns = all.filter((s) => s.role === 'dns' && s.pod?.startsWith(`${namespace}/`));
    return dns.sort((a, b) => Number(b.up) - Number(a.up) || (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
  }
  for (const j of c.joins) {
    const s = byKey.get(j);
    if (s?.role === 'sandbox') return s;
  }
  if (c.pod === undefined) return undefined;
  return all.find((s) => s.role === 'sandbox' && s.pod === c.pod);
}

/**
 * The sandboxes whose StartedAt a sweep must read (inspect) before planning: those of containers
 * berth took over that are down. A running container is only listed (no StartedAt), so a host of
 * healthy pods costs no inspect.
 */
export function sandboxesToInspect(containers: readonly KeptContainer[]): string[] {
  const byKey = new Map<string, KeptContainer>();
  for (const c of containers) {
    byKey.set(c.id, c);
    byKey.set(c.name, c);
  }
  const out = new Set<string>();
  for (const c of containers) {
    if (c.up || !isManaged(c)) continue;
    const s = sandboxOf(c, containers, byKey);
    if (s?.up && s.startedAt === undefined) out.add(s.id);
  }
  return [...out];
}

/** `container:X` references of a container's HostConfig modes: what must run before it starts. */
export function joinedContainers(modes: ReadonlyArray<string | undefined>): string[] {
  const out = new Set<string>();
  for (const m of modes) if (m?.startsWith('container:')) out.add(m.slice('container:'.length));
  return [...out];
}

/** One endpoint of a network as `GET /networks/{id}` lists it: keyed by container id, or `ep-<endpoint id>` when no container holds it. */
export interface NetworkEndpoint {
  key: string;
  /** The endpoint's name: the name of the container it was made for. */
  name: string;
}

/**
 * Endpoints left on a network by containers that no longer exist (dockerd 20.10 after a restart,
 * or a removal it did not finish): the network cannot be removed while they are there ("has
 * active endpoints"), and a container recreated under the name cannot join. dockerd clears one
 * with a forced disconnect by the endpoint's NAME (it looks the name up as an endpoint when no
 * container has it); by the id it fails, the container being gone. `existing` holds the ids and
 * names of every container: a name a container still has is left alone, as dockerd would then
 * disconnect that container (dropping the network from its settings) instead of the endpoint.
 */
export function staleEndpoints(endpoints: readonly NetworkEndpoint[], existing: ReadonlySet<string>): string[] {
  return endpoints.filter((e) => (e.key.startsWith('ep-') || !existing.has(e.key)) && !existing.has(e.name)).map((e) => e.name);
}
