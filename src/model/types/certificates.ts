import type { KubeObject, StringMap } from './meta.js';
import type { ParentReference } from './edge.js';

// cert-manager's kinds (cert-manager.io/v1), with its field names: Issuer and ClusterIssuer
// (only spec.acme with HTTP-01 solvers runs) and Certificate. Orders run in the daemon
// (plan/certificates.ts, runtime/acme/).

export interface ACMEChallengeSolver {
  selector?: { matchLabels?: StringMap; dnsNames?: string[]; dnsZones?: string[] };
  http01?: {
    ingress?: { class?: string; ingressClassName?: string; name?: string };
    gatewayHTTPRoute?: { parentRefs?: ParentReference[]; labels?: StringMap };
  };
}

export interface ACMEIssuer {
  server: string;
  email?: string;
  privateKeySecretRef: { name: string; key?: string };
  /** Base64 of PEM CA certificates trusted for `server`; never with skipTLSVerify. */
  caBundle?: string;
  skipTLSVerify?: boolean;
  preferredChain?: string;
  disableAccountKeyGeneration?: boolean;
  solvers?: ACMEChallengeSolver[];
}

export interface IssuerSpec {
  acme?: ACMEIssuer;
}

export interface Issuer extends KubeObject {
  kind: 'Issuer';
  spec: IssuerSpec;
}

export interface ClusterIssuer extends KubeObject {
  kind: 'ClusterIssuer';
  spec: IssuerSpec;
}

export interface Certificate extends KubeObject {
  kind: 'Certificate';
  spec: {
    secretName: string;
    /** kind defaults to Issuer, group to cert-manager.io. */
    issuerRef: { name: string; kind?: string; group?: string };
    dnsNames?: string[];
    commonName?: string;
    /** Go duration; cert-manager's default 2160h (90 days). */
    duration?: string;
    renewBefore?: string;
    renewBeforePercentage?: number;
    privateKey?: { algorithm?: 'RSA' | 'ECDSA' | 'Ed25519'; size?: number; encoding?: 'PKCS1' | 'PKCS8'; rotationPolicy?: 'Never' | 'Always' };
    secretTemplate?: { labels?: StringMap; annotations?: StringMap };
    revisionHistoryLimit?: number;
  };
}
