import { request } from 'node:http';
import type { E2eApp } from './harness.js';
import { podOwners } from './harness.js';

/** GET http://ip:8080/healthz → true on 200 within 400 ms. */
export function healthy(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port: 8080, path: '/healthz', timeout: 400 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Every 0.5 s, counts the pods of one controller (`Deployment/default/web`) that answer their
 * readiness endpoint: rollout tests assert the minimum never drops below replicas - maxUnavailable.
 */
export function sampleReady(t: E2eApp, controller = 'Deployment/default/web'): { stop: () => Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const sandboxes = podOwners(await t.containers(), controller).filter((c) => c.State === 'running');
      const ips = sandboxes.map((c) => Object.values(c.NetworkSettings?.Networks ?? {})[0]?.IPAddress).filter((ip): ip is string => Boolean(ip));
      samples.push((await Promise.all(ips.map(healthy))).filter(Boolean).length);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}
