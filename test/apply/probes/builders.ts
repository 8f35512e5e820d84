import type { ProbeTarget, ProbeTargetContainer } from '../../../src/apply/probes/index.js';
import type { Probe } from '../../../src/model/types.js';

/** A probe with Kubernetes defaults (period 10 s, timeout 1 s, thresholds 1/3). */
export function probe(handler: Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'>, overrides: Partial<Probe> = {}): Probe {
  return {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
    ...handler,
    ...overrides,
  };
}

export function execProbe(command: string, overrides: Partial<Probe> = {}): Probe {
  return probe({ exec: { command: command.split(' ') } }, overrides);
}

export function container(startedAt: number, overrides: Partial<ProbeTargetContainer> = {}): ProbeTargetContainer {
  return { name: 'app', containerId: 'c1', startedAt, running: true, ...overrides };
}

export function pod(containers: ProbeTargetContainer[], overrides: Partial<ProbeTarget> = {}): ProbeTarget {
  return { podKey: 'default/web', podIP: '10.1.0.5', containers, ...overrides };
}
