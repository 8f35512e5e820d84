import type { Path } from '../path.js';
import type { Reporter } from '../report.js';

export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

/** 1-65535; non-integers are the schema's to report. */
export function checkPortNumber(value: unknown, path: Path, r: Reporter): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) return;
  if (value < 1 || value > 65535) r.report('invalid-port', path, `port ${value} is out of range; must be between 1 and 65535`);
}

/** Kubernetes' default service-node-port-range, which berth publishes on the host. */
export function checkNodePort(value: unknown, path: Path, r: Reporter): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) return;
  if (value < NODE_PORT_RANGE.min || value > NODE_PORT_RANGE.max)
    r.report('invalid-node-port', path, `nodePort ${value} is out of range; must be between ${NODE_PORT_RANGE.min} and ${NODE_PORT_RANGE.max}`);
}
