import type { KubeObject, LabelSelector, StringMap } from './meta.js';
import type { NodeSelectorTerm } from './scheduling.js';

// Storage: StorageClass (storage.k8s.io/v1) and PersistentVolume (v1), bound to claims by
// plan/volume-binding.ts as Kubernetes' PV controller binds them.

export type ReclaimPolicy = 'Delete' | 'Retain';
export type VolumeBindingMode = 'Immediate' | 'WaitForFirstConsumer';

export interface StorageClass extends KubeObject {
  kind: 'StorageClass';
  provisioner: string;
  parameters?: StringMap;
  /** Defaulted to Delete, as the API server does. */
  reclaimPolicy: ReclaimPolicy;
  /** Defaulted to Immediate. */
  volumeBindingMode: VolumeBindingMode;
  allowVolumeExpansion?: boolean;
  mountOptions?: string[];
}

export interface PersistentVolume extends KubeObject {
  kind: 'PersistentVolume';
  spec: {
    capacity?: StringMap;
    accessModes?: string[];
    /** Defaulted to Retain for a PV written by hand, as the API server does. */
    persistentVolumeReclaimPolicy: ReclaimPolicy;
    storageClassName?: string;
    volumeMode: 'Filesystem' | 'Block';
    mountOptions?: string[];
    /** Pre-binding from the volume's side: only this claim may bind it. */
    claimRef?: { namespace?: string; name?: string; uid?: string; kind?: string; apiVersion?: string };
    hostPath?: { path: string; type?: string };
    local?: { path: string; fsType?: string };
    nodeAffinity?: { required?: { nodeSelectorTerms: NodeSelectorTerm[] } };
  };
}

/** The claim fields binding reads (model/types/config.ts PersistentVolumeClaim has them). */
export interface ClaimBindingFields {
  selector?: LabelSelector;
  volumeName?: string;
}
