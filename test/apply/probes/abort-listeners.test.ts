import { getEventListeners, once } from 'node:events';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbeAttempt } from '../../../src/apply/probes/attempt.js';
import { dockerExecProbe, httpGetProbe, tcpSocketProbe, type ProbeRunner } from '../../../src/apply/probes/index.js';
import { FakeClock } from '../../support/fake-clock.js';
import { container, execProbe } from './builders.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

/**
 * Every probe primitive takes a signal that may outlive it (a worker's cancel signal, a
 * caller's long-lived one): however a probe ends, its 'abort' listener must go with it, or
 * listeners pile up and Node warns (MaxListenersExceededWarning) past ten.
 */
const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
const RUNS = 100;

let http: LoopbackServer;
let tcp: net.Server;
let tcpPort: number;
beforeAll(async () => {
  http = await startLoopbackServer();
  tcp = net.createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  tcpPort = (tcp.address() as AddressInfo).port;
});
afterAll(async () => {
  await http.close();
  tcp.close();
  await once(tcp, 'close');
});

describe('probe primitives on one long-lived signal', () => {
  it(`runProbeAttempt: ${RUNS} attempts that pass leave no listener on the cancel signal`, async () => {
    const clock = new FakeClock();
    const ok = () => Promise.resolve({ ok: true, message: 'ok' });
    const runner: ProbeRunner = { httpGet: ok, tcpSocket: ok, exec: ok, grpc: ok };
    const cancel = new AbortController().signal;
    for (let i = 0; i < RUNS; i++) {
      expect(await runProbeAttempt('readiness', execProbe('true'), { runner, clock, podIP: '10.1.0.5', container: container(0) }, cancel)).toMatchObject({ ok: true });
      expect(listeners(cancel)).toBe(0);
    }
    expect(clock.pending).toBe(0);
  });

  it(`runProbeAttempt: ${RUNS} attempts that time out leave no listener on the cancel signal`, async () => {
    const clock = new FakeClock();
    const hang = () => new Promise<never>(() => {});
    const runner: ProbeRunner = { httpGet: hang, tcpSocket: hang, exec: hang, grpc: hang };
    const cancel = new AbortController().signal;
    for (let i = 0; i < RUNS; i++) {
      const attempt = runProbeAttempt('readiness', execProbe('sleep 60'), { runner, clock, podIP: '10.1.0.5', container: container(0) }, cancel);
      await clock.advance(1_000);
      expect(await attempt).toMatchObject({ ok: false });
      expect(listeners(cancel)).toBe(0);
    }
  });

  it(`tcpSocketProbe: ${RUNS} connects leave no listener`, async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < RUNS; i++) {
      expect(await tcpSocketProbe('127.0.0.1', tcpPort, signal)).toMatchObject({ ok: true });
      expect(listeners(signal)).toBe(0);
    }
  });

  it(`httpGetProbe: ${RUNS} requests, redirects included, leave no listener`, async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < RUNS; i++) {
      const path = i % 2 ? '/redirect?to=/ok' : '/status/503';
      await httpGetProbe({ host: '127.0.0.1', port: http.port, path, scheme: 'HTTP', headers: [] }, signal);
      expect(listeners(signal)).toBe(0);
    }
  });

  it(`dockerExecProbe: ${RUNS} execs leave no listener of its own`, async () => {
    // Docker stand-in: the attach stream carries one stdout frame and ends; inspect reports exit 0.
    const frame = (text: string) => Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, text.length]), Buffer.from(text)]);
    const exec = {
      start: () => {
        const stream = new PassThrough();
        stream.end(frame('ok'));
        return Promise.resolve(stream);
      },
      inspect: () => Promise.resolve({ Running: false, ExitCode: 0 }),
    };
    const docker = { getContainer: () => ({ exec: () => Promise.resolve(exec) }) } as unknown as Dockerode;
    const signal = new AbortController().signal;
    for (let i = 0; i < RUNS; i++) {
      expect(await dockerExecProbe(docker, 'c1', ['true'], signal)).toEqual({ ok: true, message: 'exit code 0: ok' });
      expect(listeners(signal)).toBe(0);
    }
  });
});
