/**
 * The few Docker Engine API calls the pod keeper makes, over the engine's unix socket with
 * node:http: the data-plane image holds node and berth's programs only (no dockerode), and the
 * keeper needs list, inspect, start, update, network inspect/disconnect and the event stream.
 * Paths are unversioned: the engine answers them at its own API version.
 */
import { request } from 'node:http';

export class DockerApiError extends Error {
  override readonly name = 'DockerApiError';
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

export interface DockerApi {
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Newline-delimited JSON events until the stream ends (the engine stopped) or `stop` is called. */
  events(filters: Record<string, string[]>, onEvent: (event: DockerEvent) => void): { done: Promise<void>; stop: () => void };
}

export interface DockerEvent {
  Type?: string;
  Action?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function dockerApi(socketPath: string, timeoutMs = 30_000): DockerApi {
  return {
    call<T>(method: string, path: string, body?: unknown): Promise<T> {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        const req = request(
          { socketPath, method, path, headers: { host: 'docker', ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              const status = res.statusCode ?? 0;
              if (status >= 400) {
                let message = text.trim();
                try {
                  message = (JSON.parse(text) as { message?: string }).message ?? message;
                } catch {
                  // not JSON: the text is the message
                }
                reject(new DockerApiError(`${method} ${path}: ${status} ${message}`, status));
                return;
              }
              try {
                resolve((text.trim() === '' ? undefined : JSON.parse(text)) as T);
              } catch (err) {
                reject(err as Error);
              }
            });
          },
        );
        // A wedged engine must not hang a sweep forever: the next trigger sweeps again.
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
    events(filters, onEvent) {
      let stop = () => {};
      const done = new Promise<void>((resolve) => {
        const req = request({ socketPath, method: 'GET', path: `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`, headers: { host: 'docker' } }, (res) => {
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let nl: number;
            while ((nl = buffer.indexOf('\n')) >= 0) {
              const line = buffer.slice(0, nl).trim();
              buffer = buffer.slice(nl + 1);
              if (line === '') continue;
              try {
                onEvent(JSON.parse(line) as DockerEvent);
              } catch {
                // a line that is not an event: skip it
              }
            }
          });
          res.on('end', () => resolve());
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
        req.end();
        stop = () => {
          req.destroy();
          resolve();
        };
      });
      return { done, stop: () => stop() };
    },
  };
}
