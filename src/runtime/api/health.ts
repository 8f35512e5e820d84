import type { View } from '../views/index.js';

/** Argo CD's health vocabulary, which GitOps dashboards and people already read. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing';

export interface Health {
  status: HealthStatus;
  message?: string;
}

/**
 * Health of one object from its Kubernetes-shaped view, with Argo CD's rules of thumb:
 * a Deployment is Degraded when its rollout missed the progress deadline, Progressing while
 * fewer than `replicas` pods are updated and available; a Pod is Healthy when ready (or
 * Succeeded), Degraded when Failed or crash-looping; a Job Degraded when Failed; a CronJob
 * Suspended when suspended. Configuration objects are Healthy once applied.
 */
export function healthOf(view: View): Health {
  switch (view.kind) {
    case 'Deployment': {
      const s = view.object.status;
      const spec = view.object.spec as { replicas: number; paused?: boolean };
      const progressing = s.conditions.find((c) => c.type === 'Progressing');
      if (progressing?.status === 'False') return { status: 'Degraded', message: progressing.message ?? 'rollout failed' };
      if (spec.paused) return { status: 'Suspended', message: 'deployment is paused' };
      if (s.updatedReplicas < spec.replicas || s.availableReplicas < spec.replicas || s.replicas > spec.replicas)
        return { status: 'Progressing', message: `${s.availableReplicas}/${spec.replicas} available, ${s.updatedReplicas} updated` };
      return { status: 'Healthy' };
    }
    case 'ReplicaSet':
    case 'ReplicationController': {
      const s = view.object.status;
      return s.availableReplicas >= view.object.spec.replicas ? { status: 'Healthy' } : { status: 'Progressing', message: `${s.availableReplicas}/${view.object.spec.replicas} available` };
    }
    case 'Pod': {
      const phase = view.object.status.phase;
      if (phase === 'Succeeded') return { status: 'Healthy', message: 'completed' };
      if (phase === 'Failed') return { status: 'Degraded', message: view.statusReason };
      if (/BackOff|Err|OOMKilled|Error/.test(view.statusReason)) return { status: 'Degraded', message: view.statusReason };
      return view.ready ? { status: 'Healthy' } : { status: 'Progressing', message: view.statusReason };
    }
    case 'Job': {
      const failed = view.object.status.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
      if (failed) return { status: 'Degraded', message: failed.message ?? failed.reason ?? 'job failed' };
      if (view.object.status.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) return { status: 'Healthy' };
      return { status: 'Progressing', message: `${view.object.status.succeeded}/${view.object.spec.completions} completions` };
    }
    case 'CronJob':
      return view.object.spec.suspend ? { status: 'Suspended' } : { status: 'Healthy' };
    case 'PersistentVolumeClaim':
      if (view.object.status.phase === 'Lost') return { status: 'Degraded', message: view.reason ?? 'its volume is gone' };
      return view.object.status.phase === 'Bound' ? { status: 'Healthy' } : { status: 'Progressing', message: view.reason ?? 'volume not bound yet' };
    case 'PersistentVolume':
      return view.object.status.phase === 'Released' ? { status: 'Healthy', message: 'Released: its claim is gone; its data is kept' } : { status: 'Healthy' };
    case 'StorageClass':
      return { status: 'Healthy' };
    // Stored and shown until the edge and the ACME controller serve them (later steps): healthy
    // as configuration, with a message saying nothing runs from them yet.
    case 'Ingress':
    case 'IngressClass':
    case 'GatewayClass':
    case 'Gateway':
    case 'HTTPRoute':
      return { status: 'Healthy' };
    case 'Issuer':
    case 'ClusterIssuer':
      return { status: 'Healthy', ...(view.object.status.conditions[0]?.status === 'True' ? {} : { message: 'stored; no ACME account registered yet' }) };
    case 'Certificate': {
      // From the certificate controller's conditions (plan/certificate-status.ts).
      const [ready, issuing] = view.object.status.conditions;
      if (ready?.status === 'True') return { status: 'Healthy' };
      if (ready?.reason === 'NoController') return { status: 'Healthy', message: 'stored; no ACME orders are run yet' };
      if (issuing?.reason === 'Failed') return { status: 'Degraded', message: issuing.message };
      return { status: 'Progressing', message: ready?.message ?? 'not issued yet' };
    }
    case 'Namespace':
    case 'Service':
    case 'ConfigMap':
    case 'Secret':
    case 'ServiceAccount':
    case 'Role':
    case 'ClusterRole':
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return { status: 'Healthy' };
    case 'PodDisruptionBudget': {
      // Argo CD's rule: a budget its selected pods do not meet is Degraded.
      const s = view.object.status;
      return s.currentHealthy >= s.desiredHealthy ? { status: 'Healthy' } : { status: 'Degraded', message: `${s.currentHealthy} healthy pods, ${s.desiredHealthy} required` };
    }
    case 'DaemonSet': {
      // Argo CD's DaemonSet rule: every scheduled node runs an updated, available pod.
      const s = view.object.status;
      if (s.updatedNumberScheduled < s.desiredNumberScheduled || s.numberAvailable < s.desiredNumberScheduled || s.numberMisscheduled > 0)
        return { status: 'Progressing', message: `${s.numberAvailable}/${s.desiredNumberScheduled} available, ${s.updatedNumberScheduled} updated` };
      return { status: 'Healthy', ...(s.desiredNumberScheduled === 0 ? { message: `this host runs no daemon pod: ${view.unschedulable.join('; ')}` } : {}) };
    }
    case 'StatefulSet': {
      const s = view.object.status;
      const replicas = view.object.spec.replicas;
      if (s.updatedReplicas < replicas && s.updateRevision !== s.currentRevision) return { status: 'Progressing', message: `${s.updatedReplicas}/${replicas} updated` };
      return s.readyReplicas >= replicas && s.replicas === replicas ? { status: 'Healthy' } : { status: 'Progressing', message: `${s.readyReplicas}/${replicas} ready` };
    }
  }
}
