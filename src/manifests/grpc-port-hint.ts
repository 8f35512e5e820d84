import type { Path } from './path.js';

/**
 * A gRPC probe's port is an int32 in Kubernetes: unlike httpGet and tcpSocket it takes no port
 * name (the API server rejects `grpc: {port: grpc}`). Someone who writes a name meant one of the
 * container's ports, so the type error says which number that is.
 */
export function grpcPortHint(path: Path, value: unknown, containerAt: (p: Path) => unknown): string {
  const n = path.length;
  if (typeof value !== 'string' || n < 3 || path[n - 1] !== 'port' || path[n - 2] !== 'grpc') return '';
  if (/^\s*\d+\s*$/.test(value)) return '';
  const base = '; a gRPC probe takes a port number: Kubernetes resolves no port names for grpc';
  const container = containerAt(path.slice(0, n - 3));
  const ports = container !== null && typeof container === 'object' ? (container as { ports?: unknown }).ports : undefined;
  const named = Array.isArray(ports) ? ports.find((p): p is { containerPort: number } => (p as { name?: unknown } | null)?.name === value && typeof (p as { containerPort?: unknown }).containerPort === 'number') : undefined;
  return named ? `${base} (port ${JSON.stringify(value)} is containerPort ${named.containerPort})` : base;
}
