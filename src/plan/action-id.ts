import type { Action } from './actions.js';

/**
 * A stable identity per action: the host object it acts on. Two actions with the same id do
 * the same thing (a pod two delete targets cover is deleted once), and a StoreChange's
 * `onSuccessOf` names actions by it, so results map back to the changes they earn
 * (store-changes.ts changesEarned). Ids say nothing about order or reason on purpose.
 */
export function actionId(a: Action): string {
  switch (a.type) {
    case 'create-network':
      return `create-network:${a.namespace}`;
    case 'delete-network':
      return `network:${a.namespace}`;
    case 'create-volume':
      return `create-volume:${a.namespace}/${a.claim}`;
    case 'delete-volume':
      return `volume:${a.volumeName}`;
    case 'create-pod':
      return `create-pod:${a.pod.namespace}/${a.pod.name}`;
    case 'delete-pod':
      return `pod:${a.namespace}/${a.name}`;
    case 'create-container':
      return `create-container:${a.pod.namespace}/${a.pod.name}/${a.container}`;
    case 'start-container':
    case 'manage-restarts':
      return `${a.type}:${a.containerId}`;
    case 'restore-volume-files':
      return `restore-volume-files:${a.pod.namespace}/${a.pod.name}`;
    case 'resume-pod':
      return `resume-pod:${a.pod.namespace}/${a.pod.name}/${a.container}`;
    case 'update-volume-files':
      return `update-volume-files:${a.pod.namespace}/${a.pod.name}`;
    case 'create-proxy':
      return `create-proxy:${a.proxy.key}`;
    case 'create-host-rules':
      return `create-host-rules:${a.proxy.key}`;
    case 'create-dns':
      return `create-dns:${a.dns.namespace}`;
    // Removals name the container: a proxy, its host fast path or a DNS server, whoever plans it.
    case 'delete-proxy':
    case 'delete-host-rules':
    case 'delete-dns':
      return `container:${a.containerId}`;
    case 'connect-proxy':
      return `connect:${a.containerId}/${a.network.namespace}`;
    case 'disconnect-proxy':
      return `disconnect:${a.containerId}/${a.network}`;
    case 'write-endpoints':
      return `write-endpoints:${a.containerId}`;
    case 'write-dns':
      return `write-dns:${a.containerId}`;
    case 'create-edge':
      return `create-edge:${a.edge.name}`;
    case 'write-edge':
      return `write-edge:${a.containerId}`;
    case 'delete-edge':
      return `container:${a.containerId}`;
  }
}
