import type Dockerode from 'dockerode';
import { dockerExecProbe } from './exec-probe.js';
import { grpcHealthProbe } from './grpc-probe.js';
import { httpGetProbe } from './http-probe.js';
import { tcpSocketProbe } from './tcp-probe.js';
import type { ProbeRunner } from './types.js';

/**
 * The real probe I/O: httpGet, tcpSocket and grpc from the host to the pod IP (bridge networks are
 * routable from the Docker host), exec through the Docker exec API. Timeouts arrive as an
 * aborted signal from the prober, which owns the clock.
 */
export function createDockerProbeRunner(docker: Dockerode): ProbeRunner {
  return {
    httpGet: (action, _timeoutMs, signal) => httpGetProbe(action, signal),
    tcpSocket: (host, port, _timeoutMs, signal) => tcpSocketProbe(host, port, signal),
    exec: (containerId, command, _timeoutMs, signal) => dockerExecProbe(docker, containerId, command, signal),
    grpc: (host, port, service, timeoutMs, signal) => grpcHealthProbe(host, port, service, timeoutMs, signal),
  };
}
