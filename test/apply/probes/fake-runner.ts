import type { HttpGetProbeAction, ProbeOutcome, ProbeRunner } from '../../../src/apply/probes/index.js';
import type { FakeClock } from '../../support/fake-clock.js';

/** A scripted step: an outcome, a runner that never answers, one that answers late, or one that throws. */
export type Step = boolean | 'hang' | { after: number; ok: boolean } | { throws: string };

export interface Call {
  at: number;
  key: string;
  signal: AbortSignal;
  timeoutMs: number;
  http?: HttpGetProbeAction;
  tcp?: { host: string; port: number };
  exec?: { containerId: string; command: string[] };
  grpc?: { host: string; port: number; service: string };
}

/**
 * Probe I/O scripted per key: exec probes by their command joined with spaces, httpGet by
 * `http <host>:<port><path>`, tcpSocket by `tcp <host>:<port>`, grpc by `grpc <host>:<port>/<service>`. Each call takes the next step;
 * the last step repeats. Unscripted keys are collected in `unscripted` for the test to check.
 */
export class ScriptedRunner implements ProbeRunner {
  readonly calls: Call[] = [];
  /** Keys called without a script; a test asserts this stays empty. */
  readonly unscripted: string[] = [];
  private readonly scripts = new Map<string, Step[]>();

  constructor(private readonly clock: FakeClock) {}

  script(key: string, ...steps: Step[]): this {
    this.scripts.set(key, steps);
    return this;
  }

  callsFor(key: string): Call[] {
    return this.calls.filter((c) => c.key === key);
  }

  /** Call times of one key, in ms since `origin`. */
  timesOf(key: string, origin: number): number[] {
    return this.callsFor(key).map((c) => c.at - origin);
  }

  httpGet(action: HttpGetProbeAction, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
    const key = `http ${action.host}:${action.port}${action.path}`;
    return this.play({ at: this.clock.now(), key, signal, timeoutMs, http: action });
  }

  tcpSocket(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
    return this.play({ at: this.clock.now(), key: `tcp ${host}:${port}`, signal, timeoutMs, tcp: { host, port } });
  }

  exec(containerId: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
    return this.play({ at: this.clock.now(), key: command.join(' '), signal, timeoutMs, exec: { containerId, command } });
  }

  grpc(host: string, port: number, service: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
    return this.play({ at: this.clock.now(), key: `grpc ${host}:${port}/${service}`, signal, timeoutMs, grpc: { host, port, service } });
  }

  private play(call: Call): Promise<ProbeOutcome> {
    this.calls.push(call);
    const steps = this.scripts.get(call.key);
    if (!steps || steps.length === 0) {
      this.unscripted.push(call.key);
      return Promise.resolve({ ok: false, message: `unscripted probe call: ${call.key}` });
    }
    const step = steps.length > 1 ? (steps.shift() as Step) : (steps[0] as Step);
    const n = this.callsFor(call.key).length;
    if (step === 'hang') return new Promise<ProbeOutcome>(() => {});
    if (typeof step === 'boolean') return Promise.resolve(outcome(step, call.key, n));
    if ('throws' in step) return Promise.reject(new Error(step.throws));
    return this.clock.sleep(step.after).then(() => outcome(step.ok, call.key, n));
  }
}

function outcome(ok: boolean, key: string, n: number): ProbeOutcome {
  return ok ? { ok: true, message: `${key} #${n} ok` } : { ok: false, message: `${key} #${n} failed` };
}
