import type { ActionRequest, ExecTicketRequest, LogsQuery } from '../../../src/runtime/api/contract.js';
import type { ObjectRef } from './routes.js';

/**
 * Every API address the UI asks, built in one place. None ever carries the token: it travels
 * only in the Authorization header (the browser test checks the page's requests for it).
 */
const query = (params: Record<string, string | number | boolean | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export const paths = {
  status: '/api/v1/status',
  tree: '/api/v1/tree',
  diff: '/api/v1/diff',
  sync: '/api/v1/sync',
  stream: '/api/v1/stream',
  actions: '/api/v1/actions',
  execTickets: '/api/v1/exec/tickets',
  events: (limit: number) => `/api/v1/events${query({ limit })}`,
  passes: (limit: number) => `/api/v1/passes${query({ limit })}`,
  object: (ref: ObjectRef) => `/api/v1/object${query({ kind: ref.kind, namespace: ref.namespace, name: ref.name })}`,
  action: (id: number) => `/api/v1/actions/${encodeURIComponent(String(id))}`,
  logs: (q: LogsQuery) => `/api/v1/logs${query({ namespace: q.namespace, pod: q.pod, container: q.container, tailLines: q.tailLines, follow: q.follow, previous: q.previous })}`,
  /** The exec socket on this page's own origin (the daemon checks the Origin). */
  execSocket: (origin: { protocol: string; host: string }, ticket: string) => `${origin.protocol === 'https:' ? 'wss' : 'ws'}://${origin.host}/api/v1/exec${query({ ticket })}`,
};

/** Which actions a kind offers, as the daemon accepts them (contract.ts ActionRequest). */
export function actionsFor(kind: string): ReadonlySet<ActionRequest['action']> {
  switch (kind) {
    case 'Deployment':
      return new Set(['undo', 'restart', 'pause', 'resume', 'scale']);
    case 'StatefulSet':
      return new Set(['undo', 'restart', 'scale']);
    case 'DaemonSet':
      return new Set(['undo', 'restart']);
    case 'ReplicaSet':
    case 'ReplicationController':
      return new Set(['scale']);
    default:
      return new Set();
  }
}

/** The shell a terminal opens with: sh is in busybox and every distro image; bash is not. */
export const DEFAULT_EXEC: Pick<ExecTicketRequest, 'command' | 'tty'> = { command: ['sh'], tty: true };

/** `sh -c "ls /"` typed in the command field → argv; quotes group words, as a shell reads them. */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}
