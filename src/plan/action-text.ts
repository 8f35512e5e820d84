import type { Action } from './actions.js';
import { describeServiceAction } from './service-action-text.js';
import { describeEdgeAction, isEdgeAction } from './edge/action-text.js';

/** One line for an action: logs, events (plan/settle.ts) and `--dry-run`. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'create-network':
      return `create network for namespace ${a.namespace}`;
    case 'delete-network':
      return `delete network of namespace ${a.namespace}`;
    case 'create-volume':
      return `create volume for pvc ${a.namespace}/${a.claim}`;
    case 'delete-volume':
      return a.claim ? `delete volume of pvc ${a.namespace}/${a.claim} (data is lost)` : `delete leftover volume ${a.volumeName}`;
    case 'create-pod':
      return `create pod ${a.pod.namespace}/${a.pod.name} (${a.reason})`;
    case 'delete-pod':
      return `delete pod ${a.namespace}/${a.name} (${a.reason})`;
    case 'create-container':
      return `recreate container ${a.container} in pod ${a.pod.namespace}/${a.pod.name} (${a.reason})`;
    case 'start-container':
      return `start container ${a.container} of pod ${a.namespace}/${a.pod} (${a.reason})`;
    case 'restore-volume-files':
      return `write the files of secret volume${a.volumes.length > 1 ? 's' : ''} ${a.volumes.join(', ')} of pod ${a.pod.namespace}/${a.pod.name} again (${a.reason})`;
    case 'update-volume-files':
      return `update the downward API files of volume${a.volumes.length > 1 ? 's' : ''} ${a.volumes.join(', ')} of pod ${a.pod.namespace}/${a.pod.name} (${a.reason})`;
    case 'manage-restarts':
      return a.take
        ? `take over restarts of container ${a.container} in pod ${a.namespace}/${a.pod} (${a.reason})`
        : `hand restarts of container ${a.container} in pod ${a.namespace}/${a.pod} back to Docker (${a.reason})`;
    case 'resume-pod':
      return a.step === 'pull'
        ? `pull the image of container ${a.container} in pod ${a.pod.namespace}/${a.pod.name} again (${a.reason})`
        : `run init container ${a.container} of pod ${a.pod.namespace}/${a.pod.name} again (${a.reason})`;
    default:
      return isEdgeAction(a) ? describeEdgeAction(a) : describeServiceAction(a);
  }
}
