import type { IntOrString, KubeObject, StringMap } from './meta.js';

// Services and their ports.

export interface ServicePort {
  name?: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort: IntOrString;
  nodePort?: number;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface Service extends KubeObject {
  kind: 'Service';
  spec: {
    type: ServiceType;
    selector?: StringMap;
    ports?: ServicePort[];
    clusterIP?: string;
    externalName?: string;
    sessionAffinity: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    publishNotReadyAddresses?: boolean;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    loadBalancerIP?: string;
  };
}
