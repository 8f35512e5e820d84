import type { Command } from 'commander';
import type { ObservedPod, ObservedSandbox } from '../../plan/observed.js';
import { BerthError } from '../../model/errors.js';
import type { Service } from '../../model/types.js';
import type { Forward, PortSpec } from '../../runtime/port-forward.js';
import { podPhase } from '../../plan/observed.js';
import type { Engine } from '../engine.js';
import type { CliContext } from '../context.js';
import { print } from '../context.js';
import type { EngineFlags } from '../engine-flags.js';
import { addEngineOptions } from '../engine-flags.js';
import { resolveKind } from '../resource-args.js';
import type { ScopeFlags } from './get.js';
import { addNamespaceOption, namespaceOf } from './get.js';
import { resolvePod } from './logs.js';

interface PortForwardFlags extends EngineFlags, ScopeFlags {
  address: string;
}

export function registerPortForward(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('port-forward')
    .description('forward local ports to a pod, until interrupted: port-forward pod/NAME|svc/NAME|deploy/NAME [LOCAL:]REMOTE...')
    .argument('<target>', 'POD, pod/NAME, svc/NAME (one of its ready pods) or a controller such as deploy/NAME')
    .argument('<ports...>', 'LOCAL:REMOTE, REMOTE (same local port) or :REMOTE (any free local port); a Service takes its own port numbers or names')
    .option('--address <addresses>', 'addresses to listen on, comma-separated; localhost means 127.0.0.1 and ::1', 'localhost');
  addNamespaceOption(cmd);
  addEngineOptions(cmd);
  cmd.action(async (target: string, ports: string[], flags: PortForwardFlags) => {
    ctx.exitCode = await portForward(target, ports, flags, ctx);
  });
}

async function portForward(target: string, args: string[], flags: PortForwardFlags, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  const [{ openEngine, refuseOnSwarm }, pf] = await Promise.all([import('../engine.js'), import('../../runtime/port-forward.js')]);
  const specs = pf.parsePortSpecs(args);
  const addresses = flags.address.split(',').map((a) => a.trim()).filter(Boolean);
  refuseOnSwarm(flags, io.env, 'port-forward', 'a NodePort Service answers on every node');
  const engine = openEngine(flags, io);
  try {
    let pod: ObservedPod;
    let remotes: number[];
    const slash = target.indexOf('/');
    const kind = slash > 0 ? resolveKind(target.slice(0, slash)) : 'Pod';
    if (kind === 'Service') ({ pod, ports: remotes } = await serviceTarget(target.slice(slash + 1), specs, flags, ctx, engine));
    else {
      pod = await resolvePod(target, flags, engine, io);
      remotes = specs.map((s) => pf.podPort(pod, s.remote));
    }
    const phase = podPhase(pod);
    if (!pod.sandbox || pod.sandbox.state !== 'running' || phase !== 'Running')
      throw new BerthError('NOT_FOUND', `unable to forward port because pod is not running. Current status=${phase}`, { pod: pod.key });
    await forward(pod, pod.sandbox, specs.map((s, i) => ({ local: s.local, port: remotes[i]! })), addresses, engine, ctx);
    return 0;
  } finally {
    await engine.close();
  }
}

async function forward(pod: ObservedPod, sandbox: ObservedSandbox, forwards: Forward[], addresses: string[], engine: Engine, ctx: CliContext): Promise<void> {
  const { io } = ctx;
  const { forwardToPod } = await import('../../runtime/port-forward-session.js');
  await forwardToPod(
    engine.docker,
    { app: engine.app, pod, sandbox, forwards, addresses, random: engine.random, signal: io.interrupted },
    {
      listening: (address, local, remote) => print(io.stdout, `Forwarding from ${address.includes(':') ? `[${address}]` : address}:${local} -> ${remote}`),
      connection: (local) => print(io.stdout, `Handling connection for ${local}`),
      failed: (local, remote, err) => print(io.stderr, `error: an error occurred forwarding ${local} -> ${remote}: error forwarding port ${remote} to pod ${pod.name}: ${err.message}`),
    },
  );
}

async function serviceTarget(
  name: string,
  specs: readonly PortSpec[],
  flags: PortForwardFlags,
  ctx: CliContext,
  engine: Engine,
): Promise<{ pod: ObservedPod; ports: number[] }> {
  const [{ readLiveState }, pf] = await Promise.all([import('../../runtime/views/index.js'), import('../../runtime/port-forward.js')]);
  const ns = namespaceOf(flags, ctx.io);
  const state = await readLiveState(engine, { app: engine.app });
  const entry = state.inventory.find((e) => e.key === `Service/${ns}/${name}`);
  if (!entry) throw new BerthError('NOT_FOUND', `services "${name}" not found`, { namespace: ns, service: name });
  // Readiness is already the one rule's (runtime/observe.ts), as `get` shows it.
  return pf.serviceTarget(entry.object as Service, state.host.pods, specs);
}
