import type { HostPolicy } from '../../model/policy.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';

export type ReferenceKind = 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';

/** A use of another object of the revision, resolved after every document has been read. */
export interface Reference {
  kind: ReferenceKind;
  name: string;
  /** A key read from the ConfigMap/Secret (configMapKeyRef, secretKeyRef, volume items). */
  key?: string;
  optional: boolean;
  /** Where the name is written. */
  path: Path;
  /** Where the key is written. */
  keyPath?: Path;
}

/** What a Service needs to know about the pods an object runs. */
export interface PodFacts {
  labels: Readonly<Record<string, string>>;
  portNames: ReadonlySet<string>;
}

/** What the revision-wide checks need to know about a Service. */
export interface ServiceFacts {
  /** undefined: no selector (endpoints managed elsewhere), nothing to resolve. */
  selector: Readonly<Record<string, string>> | undefined;
  namedTargetPorts: Array<{ name: string; path: Path }>;
  nodePorts: Array<{ port: number; protocol: string; path: Path }>;
  /** The ports a LoadBalancer publishes on the host itself, on loadBalancerIP ('' every address). */
  loadBalancerPorts: Array<{ port: number; protocol: string; hostIp: string; path: Path }>;
}

/** A pod template's use of a ServiceAccount (checks/service-accounts.ts), resolved once every document has been read. */
export interface ServiceAccountUse {
  name: string;
  /** Where the name is written (serviceAccountName, or the deprecated serviceAccount). */
  path: Path;
  /** The pod's own automountServiceAccountToken, when it sets one. */
  automount?: boolean;
}

/** Facts one object contributes to the revision-wide checks. */
export interface ObjectFacts {
  refs: Reference[];
  pods: PodFacts[];
  service?: ServiceFacts;
  /** ServiceAccounts the object's pod templates name (checks/service-accounts.ts). */
  serviceAccounts?: ServiceAccountUse[];
}

export interface CheckContext {
  r: Reporter;
  policy: HostPolicy;
  facts: ObjectFacts;
}
