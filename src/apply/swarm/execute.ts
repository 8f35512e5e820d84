import type { DockerClient } from '../docker.js';
import { dockerError, dockerMessage, isConflict, isNotFound } from '../docker.js';
import { BerthError } from '../../model/errors.js';
import type { Clock } from '../../model/clock.js';
import type { ObservedSwarm, SwarmAction } from '../../plan/swarm/plan.js';
import { describeSwarmAction, SWARM_PHASE } from '../../plan/swarm/plan.js';
import type { SwarmFileRef, SwarmServiceSpec } from '../../plan/swarm/types.js';

export interface SwarmActionResult {
  action: SwarmAction;
  text: string;
  ok: boolean;
  error?: BerthError;
  durationMs: number;
}

/**
 * Runs a Swarm plan phase by phase (SWARM_PHASE): networks and configs before the services
 * that name them, removals after. A failed action does not stop the others of its phase, but a
 * service whose network or config could not be made is not touched, and removals wait for a
 * pass without failures; every action attempted ends with a result. Swarm does the rolling itself: an update returns at once and the
 * caller (runtime/swarm/converge.ts) watches the service until it settles.
 */
export async function executeSwarmPlan(docker: DockerClient, clock: Clock, actions: readonly SwarmAction[], observed: ObservedSwarm): Promise<SwarmActionResult[]> {
  const fileIds = new Map(observed.files.map((f) => [`${f.type}/${f.name}`, f.id]));
  const results: SwarmActionResult[] = [];
  const phases = [...new Set(actions.map((a) => SWARM_PHASE[a.type]))].sort((a, b) => a - b);
  // What failed to be made: a service naming it is not made or updated (it would name nothing).
  const missing = new Set<string>();
  for (const phase of phases) {
    // Removals wait for a pass whose makes and updates all went through: what is removed may be
    // what a failed update still needs (the old network, config or service).
    if (phase >= SWARM_PHASE['remove-service'] && results.some((r) => !r.ok)) break;
    await Promise.all(
      actions
        .filter((a) => SWARM_PHASE[a.type] === phase)
        .map(async (action) => {
          const started = clock.now();
          const text = describeSwarmAction(action);
          const lacking = needs(action).filter((n) => missing.has(n));
          if (lacking.length) {
            results.push({ action, text, ok: false, error: new BerthError('DOCKER_ERROR', `${text}: not attempted, ${lacking.join(' and ')} could not be made`, { doing: text }), durationMs: 0 });
            return;
          }
          try {
            await run(docker, action, fileIds, clock);
            results.push({ action, text, ok: true, durationMs: clock.now() - started });
          } catch (err) {
            if (action.type === 'create-network') missing.add(`network ${action.network.name}`);
            if (action.type === 'create-file') missing.add(`${action.file.type} ${action.file.name}`);
            results.push({ action, text, ok: false, error: dockerError(err, text), durationMs: clock.now() - started });
          }
        }),
    );
  }
  return results;
}

/** The networks, configs and secrets a service action names. */
function needs(a: SwarmAction): string[] {
  if (a.type !== 'create-service' && a.type !== 'update-service') return [];
  const t = a.service.spec.TaskTemplate;
  return [...t.Networks.map((n) => `network ${n.Target}`), ...(t.ContainerSpec.Configs ?? []).map((c) => `config ${c.ConfigName}`), ...(t.ContainerSpec.Secrets ?? []).map((c) => `secret ${c.SecretName}`)];
}

async function run(docker: DockerClient, a: SwarmAction, fileIds: Map<string, string>, clock: Clock): Promise<void> {
  switch (a.type) {
    case 'create-network':
      // Attachable, so a one-off container (a debug shell, a test client) can join it too.
      await docker.api.createNetwork({ Name: a.network.name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: a.network.labels });
      return;
    case 'create-file': {
      const body = { Name: a.file.name, Labels: a.file.labels, Data: a.file.data };
      try {
        const made = (await (a.file.type === 'secret' ? docker.api.createSecret(body) : docker.api.createConfig(body))) as { id?: string; ID?: string };
        fileIds.set(`${a.file.type}/${a.file.name}`, made.id ?? made.ID ?? '');
      } catch (err) {
        // Content-named: one that exists already holds this very content (another pass made it).
        if (!isConflict(err)) throw err;
      }
      return;
    }
    case 'create-service':
      await docker.api.createService(await withFileIds(docker, a.service.spec, fileIds) as never);
      return;
    case 'update-service':
      // The version goes in the query and the spec in the body (a plain object would be sent as both).
      await docker.api.getService(a.id).update({ _query: { version: a.version }, _body: await withFileIds(docker, a.service.spec, fileIds) } as never);
      return;
    case 'remove-service':
      await ignoreMissing(docker.api.getService(a.id).remove());
      return;
    case 'remove-file':
      await whileInUse(clock, () => ignoreMissing(a.fileType === 'secret' ? docker.api.getSecret(a.id).remove() : docker.api.getConfig(a.id).remove()));
      return;
    case 'remove-network':
      await whileInUse(clock, () => ignoreMissing(docker.api.getNetwork(a.id).remove()));
      return;
  }
}

/** Swarm names a service's configs and secrets by ID as well as by name: the IDs are filled in here. */
async function withFileIds(docker: DockerClient, spec: SwarmServiceSpec, ids: Map<string, string>): Promise<SwarmServiceSpec> {
  const c = spec.TaskTemplate.ContainerSpec;
  if (!c.Configs?.length && !c.Secrets?.length) return spec;
  const missing = [...(c.Configs ?? []).map((r) => `config/${r.ConfigName}`), ...(c.Secrets ?? []).map((r) => `secret/${r.SecretName}`)].filter((k) => !ids.get(k));
  if (missing.length) {
    // Made by a pass that raced this one (409 above): read their IDs.
    const [configs, secrets] = await Promise.all([docker.api.listConfigs(), docker.api.listSecrets()]);
    for (const x of configs) if (x.Spec?.Name) ids.set(`config/${x.Spec.Name}`, x.ID);
    for (const x of secrets as Array<{ ID: string; Spec?: { Name?: string } }>) if (x.Spec?.Name) ids.set(`secret/${x.Spec.Name}`, x.ID);
  }
  const fill = (r: SwarmFileRef): SwarmFileRef => (r.ConfigName ? { ...r, ConfigID: ids.get(`config/${r.ConfigName}`) ?? '' } : { ...r, SecretID: ids.get(`secret/${r.SecretName}`) ?? '' });
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...c, ...(c.Configs ? { Configs: c.Configs.map(fill) } : {}), ...(c.Secrets ? { Secrets: c.Secrets.map(fill) } : {}) } } };
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * How long a removal waits for the tasks that still use a network or config: a removed service's
 * tasks stop in the background, each within its grace period (Swarm answers `in use by task`
 * until the last is gone). Past it the removal fails and the next pass tries again.
 */
const IN_USE_WAIT_MS = 60_000;
const IN_USE_POLL_MS = 500;

async function whileInUse(clock: Clock, remove: () => Promise<void>): Promise<void> {
  const deadline = clock.now() + IN_USE_WAIT_MS;
  for (;;) {
    try {
      return await remove();
    } catch (err) {
      if (!/in use/i.test(dockerMessage(err)) || clock.now() >= deadline) throw err;
      await clock.sleep(IN_USE_POLL_MS);
    }
  }
}
