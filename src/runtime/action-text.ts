import type { ActionResult } from '../apply/execute.js';
import { serviceActionText } from '../plan/service-action-text.js';
import { edgeActionText, isEdgeAction } from '../plan/edge/action-text.js';

/** One line per action, kubectl-flavoured: `pod/web-5d4f8-abcde created (rolling update)`. */
export function actionText(r: ActionResult): string {
  const a = r.action;
  switch (a.type) {
    case 'create-pod':
      return `pod/${a.pod.name} created (${a.reason})`;
    case 'delete-pod':
      return `pod/${a.name} deleted (${a.reason})`;
    case 'create-container':
      return `pod/${a.pod.name}: container ${a.container} recreated (${a.reason})`;
    case 'start-container':
      return `pod/${a.pod}: container ${a.container} started (${a.reason})`;
    case 'restore-volume-files':
      return `pod/${a.pod.name}: secret volume${a.volumes.length > 1 ? 's' : ''} ${a.volumes.join(', ')} written again (${a.reason})`;
    case 'update-volume-files':
      return `pod/${a.pod.name}: volume${a.volumes.length > 1 ? 's' : ''} ${a.volumes.join(', ')} updated (${a.reason})`;
    case 'manage-restarts':
      return `pod/${a.pod}: container ${a.container} ${a.take ? 'restarts managed by berth with back-off' : 'restarts handed back to Docker'} (${a.reason})`;
    case 'create-network':
      return `network for namespace/${a.namespace} created`;
    case 'delete-network':
      return `network of namespace/${a.namespace} deleted`;
    case 'create-volume':
      return `volume for persistentvolumeclaim/${a.claim} created`;
    case 'delete-volume':
      return a.claim ? `volume of persistentvolumeclaim/${a.claim} deleted (its data is gone)` : `leftover volume ${a.volumeName} deleted`;
    case 'resume-pod':
      return `pod/${a.pod.name}: ${a.step === 'pull' ? `image of container ${a.container} pulled again` : `init container ${a.container} run again`} (${a.reason})`;
    default:
      return isEdgeAction(a) ? edgeActionText(a) : serviceActionText(a);
  }
}
