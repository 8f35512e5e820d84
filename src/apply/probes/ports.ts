import type { ContainerPort, IntOrString } from '../../model/types.js';

export type PortResolution = { ok: true; port: number } | { ok: false; message: string };

/**
 * kubelet's extractPort: a number is used as is; a string is looked up among the container's
 * named ports and, failing that, parsed as a number ("last ditch effort" in kubelet). A port
 * that resolves to nothing is a probe failure, not an error: the probe simply cannot pass.
 */
export function resolveProbePort(port: IntOrString, ports: readonly ContainerPort[] | undefined): PortResolution {
  let value: number;
  if (typeof port === 'number') {
    value = port;
  } else {
    const named = ports?.find((p) => p.name === port);
    if (named) value = named.containerPort;
    else if (/^\d+$/.test(port)) value = Number(port);
    else {
      const names = (ports ?? []).flatMap((p) => (p.name ? [p.name] : []));
      const known = names.length > 0 ? names.join(', ') : 'none';
      return { ok: false, message: `port "${port}" is not a named port of the container (named ports: ${known})` };
    }
  }
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    return { ok: false, message: `invalid port number: ${String(port)}` };
  }
  return { ok: true, port: value };
}
