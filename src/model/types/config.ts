import type { KubeObject, LabelSelector, StringMap } from './meta.js';

// The kinds that hold data rather than run pods: namespaces, ConfigMaps, Secrets, volume claims.

export interface Namespace extends KubeObject {
  kind: 'Namespace';
}

export interface ConfigMap extends KubeObject {
  kind: 'ConfigMap';
  data?: StringMap;
  binaryData?: StringMap;
  immutable?: boolean;
}

/** After defaulting, `stringData` is folded into `data` (base64) as the API server does. */
export interface Secret extends KubeObject {
  kind: 'Secret';
  type: string;
  data?: StringMap;
  stringData?: StringMap;
  immutable?: boolean;
}

export interface PersistentVolumeClaim extends KubeObject {
  kind: 'PersistentVolumeClaim';
  spec: {
    accessModes?: string[];
    resources?: { requests?: StringMap; limits?: StringMap };
    storageClassName?: string;
    volumeMode: 'Filesystem' | 'Block';
    /** Only volumes whose labels match may bind (plan/volume-binding.ts). */
    selector?: LabelSelector;
    /** Pre-bound: the claim binds this PersistentVolume or none. */
    volumeName?: string;
  };
}
