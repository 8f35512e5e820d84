/**
 * The probes the Swarm proxy runs against a task's address (endpoint-readiness.ts): the
 * kubelet's HTTP and TCP probers, reduced to what a readiness verdict needs. berth's own prober
 * (src/apply/probes) is not reused: the data plane imports nothing from the rest of berth.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ProbeOutcome } from './endpoint-readiness.js';
import type { SwarmProxyReadiness } from './swarm-proxy-spec.js';

/** kubelet sends `kube-probe/<version>`; berth's one-host prober says `berth-probe/1`. */
const USER_AGENT = 'berth-probe/1';

/** One probe of `ip` (IPv4: the addresses Docker's DNS gives for `tasks.<service>`). */
export function probeEndpoint(ip: string, probe: SwarmProxyReadiness, signal: AbortSignal): Promise<ProbeOutcome> {
  if (probe.httpGet) return httpGet(ip, probe.httpGet, signal);
  if (probe.tcpSocket) return tcpConnect(ip, probe.tcpSocket.port, signal);
  return Promise.resolve({ ok: false, message: 'probe has neither httpGet nor tcpSocket' });
}

/**
 * GET with the probe's headers (plus User-Agent and Accept unless given), no keep-alive, TLS
 * without verifying the certificate, as the kubelet does. 200–399 passes. A redirect is not
 * followed: its 3xx passes (the kubelet also passes one to another host without following it).
 * Decided on the status line; the body is not read.
 */
function httpGet(ip: string, h: NonNullable<SwarmProxyReadiness['httpGet']>, signal: AbortSignal): Promise<ProbeOutcome> {
  const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const { name, value } of h.headers ?? []) {
    const key = name.toLowerCase();
    const prev = headers[key];
    // A repeated header is sent as repeated lines, as the kubelet sends it; Host only once.
    headers[key] = prev === undefined || key === 'host' ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  headers['user-agent'] ??= USER_AGENT;
  headers.accept ??= '*/*';
  const transport = h.scheme === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    const req = transport.request({ host: ip, port: h.port, path: h.path, method: 'GET', headers, agent: false, rejectUnauthorized: false, signal }, (res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      resolve({ ok: status >= 200 && status < 400, message: `HTTP ${status}` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: `GET ${h.path}: ${err.code ?? err.message}` }));
    req.end();
  });
}

/** Passes when a connection opens; it is closed at once. */
function tcpConnect(ip: string, port: number, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: ip, port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true, message: `connected to port ${port}` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, message: `connect to port ${port}: ${err.code ?? err.message}` }));
  });
}
