import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { escapeControl } from '../model/excerpt.js';

export type { Logger };

/**
 * pino JSON logs (SPEC §6). Secrets never reach a log line: messages are constant, objects
 * carry keys and ids, and the `redact` paths cover the places a secret could hide in objects we
 * log (env of container specs, Secret data, auth headers).
 */
export function createLogger(options: {
  level?: string;
  /** Where lines go: the CLI's stderr, the daemon's stdout (chosen by cli/). */
  destination: NodeJS.WritableStream;
  /** Fields on every line; cli/ adds the process id. */
  base?: Record<string, unknown>;
  /** Fields computed for every line (the daemon's current `revision`); child bindings must not repeat them. */
  mixin?: () => Record<string, unknown>;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      ...(options.mixin ? { mixin: options.mixin } : {}),
      base: { ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.data', '*.stringData', '*.env', '*.token', '*.password', '*.authorization', 'req.headers.authorization', '*.secret'],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    controlSafe(options.destination),
  );
}

/**
 * Log lines carry names and messages from manifests. pino escapes C0 controls in JSON strings
 * but writes DEL and the 8-bit C1 controls (CSI, OSC) raw, which a terminal tailing the log may
 * act on (SPEC §8); they are escaped here as JSON escapes, so every line stays the same JSON.
 */
function controlSafe(destination: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => void destination.write(escapeControl(line)) };
}

/** For commands whose output is for people; debug logs appear only with BERTH_LOG_LEVEL. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
