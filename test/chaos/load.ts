/**
 * HTTP load for chaos runs and the connection-reset investigation (issue 13 #4): requests on a
 * fixed schedule (a slow answer does not lower the rate) over keep-alive connections and over
 * a new connection per request, every outcome recorded with its time, so a failure can be put
 * next to what the run did at that moment (`mark`).
 *
 *   const load = startLoad({ keepAlive: [url], fresh: [url, loopbackUrl], perSecond: 20 });
 *   load.mark('scale 2→6');  ...  const stats = await load.stop();
 *   stats.failed            // ECONNRESET, timeouts, refused, non-200: every one counts
 *   describeFailures(load)  // "new-connection ECONNRESET +1.4 s after 'scale 2→6' (http://…)"
 *
 * A failure is any request without a 200 answer. The one exception, on by default and counted
 * apart (`retriedReused`): a keep-alive request whose *reused* connection the server closed
 * before any response byte is retried once, as Node's documentation prescribes for keep-alive
 * clients and as browsers, curl and Go's http.Transport do: that race between a server closing
 * an idle connection and a client reusing it exists without any proxy in between.
 */
import http from 'node:http';

export type LoadKind = 'keep-alive' | 'new-connection';

export interface RequestOutcome {
  /** When the request was sent (ms since the epoch). */
  at: number;
  /** How long until it settled. */
  ms: number;
  kind: LoadKind;
  target: string;
  status?: number;
  /** Error code (ECONNRESET, ETIMEDOUT, ECONNREFUSED…) or `HTTP <status>`; absent on success. */
  error?: string;
  /** The answer's body on success (the example web app answers `{"pod","version"}`). */
  body?: string;
}

export interface LoadOptions {
  /** URLs fetched over a pool of keep-alive connections, round robin. */
  keepAlive: string[];
  /** URLs fetched with a new connection per request, round robin. */
  fresh: string[];
  /** Requests per second of each kind (default 10). */
  perSecond?: number;
  /** A request without an answer after this long fails with ETIMEDOUT (default 5 s). */
  timeoutMs?: number;
  /** Keep-alive sockets in the pool (default 4). */
  maxSockets?: number;
  /** Retry once a keep-alive request whose reused socket was closed before any byte (default true). */
  retryReusedKeepAlive?: boolean;
}

export interface LoadStats {
  requests: number;
  failed: number;
  byKind: Record<LoadKind, { requests: number; failed: number }>;
  /** Failures by error code (`ECONNRESET`, `HTTP 502`, …). */
  byError: Record<string, number>;
  retriedReused: number;
}

export interface LoadRun {
  readonly outcomes: readonly RequestOutcome[];
  readonly marks: ReadonlyArray<{ at: number; label: string }>;
  /** Notes what the run does now, so failures can be told relative to it. */
  mark(label: string): void;
  stats(): LoadStats;
  /** Stops sending, waits for the requests in flight, closes the pool. */
  stop(): Promise<LoadStats>;
}

export function startLoad(options: LoadOptions): LoadRun {
  const perSecond = options.perSecond ?? 10;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retry = options.retryReusedKeepAlive ?? true;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4 });
  const outcomes: RequestOutcome[] = [];
  const marks: Array<{ at: number; label: string }> = [];
  const pending = new Set<Promise<void>>();
  let retriedReused = 0;

  const get = (url: string, pool: http.Agent | false): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent: pool, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (err: Error & { code?: string }) => {
        if (pool && retry && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          retriedReused++;
          get(url, pool).then(resolve, reject);
        } else reject(err);
      });
    });

  const fire = (kind: LoadKind, target: string) => {
    const at = Date.now();
    const done = get(target, kind === 'keep-alive' ? agent : false).then(
      (r) => void outcomes.push({ at, ms: Date.now() - at, kind, target, status: r.status, body: r.body, ...(r.status === 200 ? {} : { error: `HTTP ${r.status}` }) }),
      (err: Error & { code?: string }) => void outcomes.push({ at, ms: Date.now() - at, kind, target, error: err.code ?? err.message }),
    );
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };

  let tick = 0;
  const timer = setInterval(() => {
    if (options.keepAlive.length > 0) fire('keep-alive', options.keepAlive[tick % options.keepAlive.length]!);
    if (options.fresh.length > 0) fire('new-connection', options.fresh[tick % options.fresh.length]!);
    tick++;
  }, 1000 / perSecond);

  const stats = (): LoadStats => {
    const byKind: LoadStats['byKind'] = { 'keep-alive': { requests: 0, failed: 0 }, 'new-connection': { requests: 0, failed: 0 } };
    const byError: Record<string, number> = {};
    for (const o of outcomes) {
      byKind[o.kind].requests++;
      if (o.error === undefined) continue;
      byKind[o.kind].failed++;
      byError[o.error] = (byError[o.error] ?? 0) + 1;
    }
    const failed = byKind['keep-alive'].failed + byKind['new-connection'].failed;
    return { requests: outcomes.length, failed, byKind, byError, retriedReused };
  };

  let stopped: Promise<LoadStats> | undefined;
  return {
    outcomes,
    marks,
    mark: (label) => void marks.push({ at: Date.now(), label }),
    stats,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await Promise.all([...pending]);
        agent.destroy();
        return stats();
      })();
      return stopped;
    },
  };
}

/** Each failed request, told relative to the last mark before it was sent. */
export function describeFailures(load: Pick<LoadRun, 'outcomes' | 'marks'>): string[] {
  return load.outcomes
    .filter((o) => o.error !== undefined)
    .sort((a, b) => a.at - b.at)
    .map((o) => {
      const mark = [...load.marks].reverse().find((m) => m.at <= o.at);
      const when = mark ? `+${((o.at - mark.at) / 1000).toFixed(1)} s after '${mark.label}'` : 'before the first mark';
      return `${o.kind} ${o.error} ${when} (${o.target}, settled after ${o.ms} ms)`;
    });
}
