import http from 'node:http';

/**
 * Steady HTTP load for data-plane tests and the chaos suite (issue 13): requests fired on a
 * fixed schedule (a slow answer does not lower the rate), of two kinds:
 *
 * - `keep-alive`: a keep-alive agent (4 sockets). A request on a *reused* connection that the
 *   server closed before any response byte is retried once, as Node's documentation prescribes
 *   for keep-alive clients (browsers, curl and Go's http.Transport do it themselves): that race
 *   exists without any proxy. Such retries are counted, not hidden.
 * - `new-connection`: one TCP connection per request, round-robin over `fresh` targets (the
 *   NodePort on the host's address goes through the host fast path, on 127.0.0.1 through
 *   docker-proxy and the Service's proxy container).
 *
 * Every request is recorded with its start time, so failures can be lined up with what berth
 * and the data plane did at that moment.
 */
export interface LoadOutcome {
  /** Epoch ms when the request started. */
  at: number;
  kind: 'keep-alive' | 'new-connection';
  target: string;
  /** `version` of the example web app's answer. */
  version?: string;
  /** Error code (ECONNRESET, ECONNREFUSED, ETIMEDOUT, HTTP 503, …) of a failed request. */
  error?: string;
  ms: number;
}

export interface LoadTargets {
  keepAlive: string[];
  fresh: string[];
}

export interface SteadyLoad {
  outcomes: LoadOutcome[];
  retriedReused(): number;
  /** Stops firing and waits for the requests in flight. */
  stop(): Promise<void>;
}

/** `headers` go with every request: `{ host: 'shop.test' }` reaches an edge's virtual host by its loopback port. */
export function steadyLoad(targets: LoadTargets, perSecond: number, timeoutMs = 5_000, headers: Record<string, string> = {}): SteadyLoad {
  const outcomes: LoadOutcome[] = [];
  const pending = new Set<Promise<void>>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let retriedReused = 0;
  const get = (url: string, a: http.Agent | false): Promise<{ version: string }> =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent: a, timeout: timeoutMs, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { code: `HTTP ${res.statusCode}` }));
          try {
            resolve(JSON.parse(body) as { version: string });
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: Error & { code?: string }) => {
        if (a && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          retriedReused++;
          get(url, a).then(resolve, reject);
        } else reject(err);
      });
    });
  const record = (kind: LoadOutcome['kind'], target: string, p: Promise<{ version: string }>) => {
    const at = Date.now();
    const done = p.then(
      (r) => void outcomes.push({ at, kind, target, version: r.version, ms: Date.now() - at }),
      (err: Error & { code?: string }) => void outcomes.push({ at, kind, target, error: err.code ?? err.message, ms: Date.now() - at }),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };
  let tick = 0;
  const timer = setInterval(() => {
    const ka = targets.keepAlive[tick % targets.keepAlive.length]!;
    const fresh = targets.fresh[tick % targets.fresh.length]!;
    tick++;
    record('keep-alive', ka, get(ka, agent));
    record('new-connection', fresh, get(fresh, false));
  }, 1000 / perSecond);
  return {
    outcomes,
    retriedReused: () => retriedReused,
    async stop() {
      clearInterval(timer);
      while (pending.size > 0) await Promise.all([...pending]);
      agent.destroy();
    },
  };
}

/** Requests and failures per kind, and the failures themselves (for a report or an assertion message). */
export function summarize(outcomes: readonly LoadOutcome[]): { total: number; byKind: Record<string, { total: number; failed: number }>; failures: LoadOutcome[] } {
  const byKind: Record<string, { total: number; failed: number }> = {};
  for (const o of outcomes) {
    const k = (byKind[o.kind] ??= { total: 0, failed: 0 });
    k.total++;
    if (o.error) k.failed++;
  }
  return { total: outcomes.length, byKind, failures: outcomes.filter((o) => o.error) };
}
