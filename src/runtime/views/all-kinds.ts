import type { Kind } from '../../model/types.js';

/** The kinds `berth get all` lists, in kubectl's order. Its own module: the CLI reads it at start-up. */
export const ALL_KINDS: readonly Kind[] = ['Pod', 'Service', 'DaemonSet', 'Deployment', 'ReplicaSet', 'ReplicationController', 'StatefulSet', 'Job', 'CronJob'];
