import type { DockerClient } from '../../apply/docker.js';
import { L } from '../../apply/labels.js';
import type { Clock, ClockTimer } from '../../model/clock.js';
import { delay, type BackoffPolicy } from '../../model/backoff.js';
import type { Logger } from '../log.js';

/** A container of the app stopped existing or running: the next pass heals it. */
export interface ContainerEvent {
  action: string;
  containerId: string;
  /** `namespace/pod` from the container's labels. */
  pod?: string;
  /** The container's name, as Docker reports it in the event. */
  name?: string;
  role?: string;
}

export interface DockerEventsOptions {
  docker: DockerClient;
  app: string;
  clock: Clock;
  random: () => number;
  log: Logger;
  backoff: BackoffPolicy;
  onEvent(event: ContainerEvent): void;
  /** The stream (re)connected: events may have been missed while it was down. */
  onConnect?(): void;
  /** The container actions to follow; default HEAL_ACTIONS (`get -w` follows starts and health too). */
  actions?: readonly string[];
}

export interface DockerEventsWatcher {
  close(): void;
}

/**
 * Actions after which a managed container may need berth: it exited, was killed by the OOM
 * killer, or is gone; or it appeared. A container this process did not create is one a pass may
 * not have seen: a killed berth's last Docker request completes after the client died (dockerd
 * finishes a `create` it received), and may do so after the next daemon's pass observed the host
 * and reported Synced (issue 13: "Synced" with 4 pods for 3 replicas after a kill -9 mid-rollout).
 * Its `create` event triggers the pass that removes or completes that pod. A pass's own creates
 * trigger one more pass, which finds nothing to do.
 */
export const HEAL_ACTIONS = ['die', 'oom', 'destroy', 'create'] as const;

/**
 * Subscribes to Docker's event stream, filtered on the engine side to this app's containers
 * and the actions that can leave a pod broken, so an idle host sends nothing. A dropped stream
 * (dockerd restarted) is reopened with back-off from the last event seen, and `onConnect`
 * lets the daemon run a pass for whatever happened in between.
 */
export function watchDockerEvents(options: DockerEventsOptions): DockerEventsWatcher {
  const { docker, clock } = options;
  const log = options.log.child({ component: 'docker-events' });
  let closed = false;
  let stream: NodeJS.ReadableStream & { destroy?: () => void } | undefined;
  let timer: ClockTimer | undefined;
  let failures = 0;
  let since: number | undefined;

  async function connect(): Promise<void> {
    if (closed) return;
    try {
      const filters = { type: ['container'], label: [`${L.managed}=true`, `${L.app}=${options.app}`], event: [...(options.actions ?? HEAL_ACTIONS)] };
      const s = (await docker.api.getEvents({ filters: JSON.stringify(filters), ...(since !== undefined ? { since } : {}) } as object)) as NodeJS.ReadableStream & { destroy?: () => void };
      if (closed) {
        s.destroy?.();
        return;
      }
      stream = s;
      failures = 0;
      log.debug('subscribed to docker events');
      options.onConnect?.();
      let buffer = '';
      s.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) handle(line);
        }
      });
      s.on('error', (err: unknown) => reconnect(err));
      s.on('end', () => reconnect(new Error('docker event stream ended')));
    } catch (err) {
      reconnect(err);
    }
  }

  function handle(line: string): void {
    let ev: { Action?: string; status?: string; id?: string; time?: number; Actor?: { ID?: string; Attributes?: Record<string, string> } };
    try {
      ev = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof ev.time === 'number') since = ev.time;
    const attrs = ev.Actor?.Attributes ?? {};
    const action = ev.Action ?? ev.status ?? '';
    const ns = attrs[L.namespace];
    const name = attrs[L.name];
    options.onEvent({
      action,
      containerId: ev.Actor?.ID ?? ev.id ?? '',
      ...(ns && name ? { pod: `${ns}/${name}` } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs[L.role] ? { role: attrs[L.role] } : {}),
    });
  }

  function reconnect(err: unknown): void {
    if (closed) return;
    stream?.destroy?.();
    stream = undefined;
    if (timer) return;
    failures++;
    const retryInMs = delay(options.backoff, failures, options.random);
    log.warn({ err, retryInMs }, 'docker event stream lost; reconnecting');
    timer = clock.setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryInMs);
  }

  void connect();
  return {
    close() {
      closed = true;
      if (timer) clock.clearTimeout(timer);
      stream?.destroy?.();
      stream = undefined;
    },
  };
}
