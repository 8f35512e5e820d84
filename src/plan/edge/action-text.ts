import type { EdgeAction } from './actions.js';

/** The edge's actions in plan output (plan/action-text.ts). */
export function describeEdgeAction(a: EdgeAction): string {
  switch (a.type) {
    case 'create-edge':
      return `create edge ${a.edge.name} on ports ${a.edge.ports.http}/${a.edge.ports.https} (${a.reason})`;
    case 'write-edge':
      return `write this app's routes into edge ${a.name} (${a.reason})`;
    case 'delete-edge':
      return `delete edge ${a.name}${a.volume ? ' and its config volume' : ''} (${a.reason})`;
  }
}

/** The edge's actions as results (runtime/action-text.ts). */
export function edgeActionText(a: EdgeAction): string {
  switch (a.type) {
    case 'create-edge':
      return `edge/${a.edge.name}: created (${a.reason})`;
    case 'write-edge':
      return `edge/${a.name}: routes written (${a.reason})`;
    case 'delete-edge':
      return `edge/${a.name}: deleted (${a.reason})`;
  }
}

/** Event reason of a successful edge action (plan/settle.ts). */
export function edgeActionReason(type: EdgeAction['type']): string {
  return type === 'create-edge' ? 'Created' : type === 'delete-edge' ? 'Deleted' : 'RoutesUpdated';
}

export function isEdgeAction(a: { type: string }): a is EdgeAction {
  return a.type === 'create-edge' || a.type === 'write-edge' || a.type === 'delete-edge';
}
