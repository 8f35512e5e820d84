import type { Severity } from '../model/problem.js';

/**
 * Every problem berth reports while validating manifests, by stable code. Tools (CI
 * annotations, editors, scripts) branch on the code; message text is for people and may
 * change. docs/errors.md lists the same table and a test keeps the two in step.
 */
export interface ProblemCodeInfo {
  /** Severity the code is reported with (unsupported-kind becomes a warning with --skip-unsupported). */
  severity: Severity;
  /** What the problem means, one line. */
  summary: string;
}

export const PROBLEM_CODES = {
  // ---------------------------------------------------------------- files and YAML
  'file-too-large': { severity: 'error', summary: 'The file is larger than the 8 MiB manifest limit; nothing in it is read.' },
  'binary-file': { severity: 'error', summary: 'The file contains NUL bytes or is not valid UTF-8, so it is not a manifest.' },
  'symlink-outside-root': { severity: 'error', summary: 'A symlink in a manifest folder points outside the folder; berth does not follow it (its target is never read or shown).' },
  'symlink-dangling': { severity: 'error', summary: 'A symlink in a manifest folder points to nothing; the revision would silently miss what it named.' },
  'symlink-loop': { severity: 'error', summary: 'A symlink in a manifest folder points to itself or to a directory that contains it.' },
  'yaml-syntax': { severity: 'error', summary: 'The file is not valid YAML (or JSON); the position is where the parser stopped.' },
  'yaml-too-deep': { severity: 'error', summary: 'Collections nest deeper than 100 levels (aliases included).' },
  'yaml-alias-limit': { severity: 'error', summary: 'Aliases would expand to more than 1,000,000 nodes (a "billion laughs" file).' },
  'duplicate-key': { severity: 'error', summary: 'A mapping has the same key twice; Kubernetes rejects this too.' },
  'not-an-object': { severity: 'error', summary: 'A document is a scalar or a sequence instead of a Kubernetes object.' },
  'invalid-list': { severity: 'error', summary: 'A `kind: List` document has no `items` sequence, or an item is not an object.' },

  // ---------------------------------------------------------------- kinds and versions
  'missing-field': { severity: 'error', summary: 'A required field is absent, or written empty (null, which is unset); the position is the object that should contain it, or the empty key.' },
  'unsupported-kind': { severity: 'error', summary: 'berth does not run this kind; the message lists the kinds it supports.' },
  'unsupported-api-version': { severity: 'error', summary: 'The kind is supported, but not under this apiVersion.' },
  'deprecated-api-version': { severity: 'warning', summary: 'A legacy apiVersion; berth converts the object to the current one.' },
  'legacy-field-dropped': { severity: 'warning', summary: 'A field of a legacy apiVersion that the current version no longer has was dropped.' },
  'namespace-ignored': { severity: 'warning', summary: 'metadata.namespace on a cluster-scoped object (Namespace) has no meaning and is ignored.' },

  // ---------------------------------------------------------------- schema
  'unknown-field': { severity: 'error', summary: 'Kubernetes has no such field here; the message suggests the closest known one.' },
  'unimplemented-field': { severity: 'warning', summary: 'A valid Kubernetes field that berth does not implement; it is ignored.' },
  'invalid-type': { severity: 'error', summary: 'A value has the wrong type (for example a number where Kubernetes expects a string).' },
  'invalid-value': { severity: 'error', summary: 'A value is outside what the field accepts (enumeration, range, combination).' },

  // ---------------------------------------------------------------- names and metadata
  'invalid-name': { severity: 'error', summary: 'A name is not a valid DNS-1123 label or subdomain (DNS-1035 for Services) or is too long.' },
  'invalid-label': { severity: 'error', summary: 'A label key or value (in labels or a selector) breaks Kubernetes label syntax.' },
  'invalid-annotation': { severity: 'error', summary: 'An annotation key breaks qualified-name syntax, or annotations exceed 256 KiB.' },

  // ---------------------------------------------------------------- selectors and controllers
  'invalid-selector': { severity: 'error', summary: 'A selector is empty where one is required, or a matchExpressions entry breaks operator rules.' },
  'selector-mismatch': { severity: 'error', summary: "A controller's selector does not match its pod template's labels." },
  'invalid-restart-policy': { severity: 'error', summary: 'restartPolicy is not allowed for this kind (Always for controllers, OnFailure or Never for Jobs).' },
  'invalid-strategy': { severity: 'error', summary: 'A Deployment strategy is inconsistent (rollingUpdate with Recreate, both limits zero, bad percentage).' },
  'invalid-schedule': { severity: 'error', summary: 'A CronJob schedule is not a 5-field cron expression or a supported @macro.' },
  'invalid-time-zone': { severity: 'error', summary: 'A CronJob timeZone is not an IANA time zone name.' },

  // ---------------------------------------------------------------- pods and containers
  'duplicate-container-name': { severity: 'error', summary: 'Two containers (init containers included) of one pod share a name.' },
  'invalid-image': { severity: 'error', summary: "An image is empty, or a Pod's image has leading or trailing whitespace (Kubernetes refuses both)." },
  'invalid-port': { severity: 'error', summary: 'A port number is outside 1-65535.' },
  'invalid-port-name': { severity: 'error', summary: 'A port name is not a valid IANA service name (at most 15 characters, lower case, a letter).' },
  'duplicate-port-name': { severity: 'error', summary: 'Two ports of one container, or of one Service, share a name.' },
  'duplicate-port': { severity: 'error', summary: 'A Service lists the same port and protocol twice.' },
  'missing-port-name': { severity: 'error', summary: 'A Service with more than one port must name every port.' },
  'unknown-port-name': { severity: 'warning', summary: 'A probe or lifecycle handler refers to a port name its container does not define; Kubernetes accepts it, and the check fails.' },
  'invalid-env': { severity: 'error', summary: 'An env entry has a bad name, or both value and valueFrom, or valueFrom without exactly one source.' },
  'unsupported-field-ref': { severity: 'error', summary: 'A downward API fieldRef.fieldPath, resourceFieldRef.resource or divisor that Kubernetes does not accept where it is used (env, or a downwardAPI volume).' },
  'invalid-quantity': { severity: 'error', summary: 'A resource quantity is not Kubernetes syntax (`500m`, `1Gi`, `2`); `12 GB` is not.' },
  'invalid-resource-name': { severity: 'error', summary: 'A resources key is not a resource Kubernetes knows (cpu, memory, ...).' },
  'unimplemented-resource': { severity: 'warning', summary: 'A valid resource berth does not enforce on Docker (ephemeral-storage, hugepages, extended resources).' },
  'request-exceeds-limit': { severity: 'error', summary: 'A resource request is larger than its limit.' },
  'invalid-probe': { severity: 'error', summary: 'A probe or lifecycle handler has zero or several of httpGet/tcpSocket/exec/grpc, or is not allowed here.' },
  'invalid-volume': { severity: 'error', summary: 'A volume has more than one source (a volume with none is an emptyDir, as Kubernetes defaults it).' },
  'duplicate-volume-name': { severity: 'error', summary: 'Two volumes of one pod share a name.' },
  'undefined-volume': { severity: 'error', summary: "A volumeMount names a volume that the pod's volumes do not define." },
  'invalid-mount-path': { severity: 'error', summary: 'A mountPath is not absolute or is mounted twice, or a subPath or subPathExpr leaves the volume.' },
  'invalid-path': { severity: 'error', summary: 'A hostPath is not absolute, or an items[].path is absolute, contains `..` or starts with `..`.' },
  'invalid-ip': { severity: 'error', summary: 'An IP address field (hostAliases, hostIP, clusterIP, loadBalancerIP) is not an IP address.' },

  // ---------------------------------------------------------------- host policy
  'policy-privileged': { severity: 'error', summary: 'A privileged container; the host policy refuses it unless --allow-privileged.' },
  'policy-host-network': { severity: 'error', summary: "A pod on the host's network; the host policy refuses it unless --allow-host-network." },
  'policy-host-path': { severity: 'error', summary: 'A hostPath volume outside the prefixes the host policy allows (--host-path-prefix).' },
  'policy-capability': { severity: 'error', summary: "capabilities.add names a capability beyond Docker's default set (--allow-capability), or ALL (--allow-privileged)." },
  'policy-sysctl': { severity: 'error', summary: "A sysctl outside Kubernetes' safe set; the host policy refuses it unless --allow-sysctl." },
  'policy-host-port': { severity: 'error', summary: 'A hostPort binds a port of the host; the host policy refuses it unless --allow-host-ports.' },
  'policy-host-namespace': { severity: 'error', summary: "hostPID or hostIPC shares a namespace of the host; the host policy refuses it unless --allow-host-namespaces." },
  'policy-unconfined': { severity: 'error', summary: 'seccomp or AppArmor profile Unconfined, or procMount Unmasked; the host policy refuses it unless --allow-unconfined.' },
  'policy-service-port': { severity: 'error', summary: 'A LoadBalancer port below 1024 other than 80 and 443 takes a system service port of the host; the host policy refuses it unless --allow-host-ports.' },
  'policy-probe-host': { severity: 'error', summary: 'A probe or lifecycle handler names a host other than the pod; the host policy refuses it unless --allow-probe-host.' },
  'policy-registry': { severity: 'error', summary: "An image from a registry on berth's own host (loopback, link-local or unspecified address); the host policy refuses it unless --allow-registry." },
  'invalid-capability': { severity: 'error', summary: 'A capabilities.add or drop entry is not a Linux capability name.' },
  'unsupported-security-field': { severity: 'error', summary: 'A security setting that restricts the container, which berth cannot apply on Docker; refused rather than ignored.' },

  // ---------------------------------------------------------------- services
  'missing-external-name': { severity: 'error', summary: 'A Service of type ExternalName has no spec.externalName.' },
  'node-port-not-allowed': { severity: 'error', summary: 'nodePort is set on a Service that is not of type NodePort or LoadBalancer.' },
  'headless-node-port': { severity: 'error', summary: 'A headless Service (clusterIP: None) cannot be NodePort or LoadBalancer.' },
  'invalid-node-port': { severity: 'error', summary: 'A nodePort is outside 30000-32767.' },
  'duplicate-node-port': { severity: 'error', summary: 'Two Service ports in the revision claim the same nodePort (both are reported).' },
  'duplicate-host-port': { severity: 'error', summary: 'A LoadBalancer port is published on a host port (and address) another Service port of the revision already publishes, as its LoadBalancer port or nodePort (the later one is reported).' },
  'unknown-target-port': { severity: 'warning', summary: 'A named targetPort is not a port name of any pod template the Service selects; Kubernetes accepts it, and those pods are no endpoints of that port.' },
  'service-selects-nothing': { severity: 'warning', summary: "A Service's selector matches no pod template in its namespace in this revision." },

  // ---------------------------------------------------------------- config
  'invalid-config-key': { severity: 'error', summary: 'A ConfigMap or Secret key is not a valid key (letters, digits, `-`, `_`, `.`; not `.` or `..`, not starting with `..`).' },
  'invalid-base64': { severity: 'error', summary: 'Secret data or ConfigMap binaryData is not base64.' },
  'duplicate-config-key': { severity: 'error', summary: 'A ConfigMap key appears in both data and binaryData.' },

  // ---------------------------------------------------------------- across the revision
  'duplicate-resource': { severity: 'error', summary: 'The same kind/namespace/name is defined twice; each location names the other.' },
  'missing-reference': { severity: 'error', summary: 'A ConfigMap, Secret or PersistentVolumeClaim that the revision does not define is used without `optional: true`.' },
  'missing-reference-key': { severity: 'error', summary: 'A key is read from a ConfigMap or Secret that does not have it, without `optional: true`.' },
  'undeclared-namespace': { severity: 'warning', summary: 'Objects use a namespace (other than default) that no Namespace in the revision declares; berth creates it.' },

  // ---------------------------------------------------------------- accepted as Kubernetes accepts (issue 14)
  'unsupported-field': { severity: 'error', summary: 'A valid Kubernetes field berth cannot run, where ignoring it would change what runs (a volume source with no Docker equivalent, a sidecar container); refused, never ignored.' },
  'shared-port-name': { severity: 'warning', summary: "Two containers of one pod name a port alike; Kubernetes accepts it, and a Service's named targetPort picks the first container's." },
  'unresolvable-image': { severity: 'warning', summary: 'An image is not a valid image reference (a placeholder such as IMAGE or <image>); Kubernetes accepts it and the pod cannot pull it until it is replaced.' },
  'missing-service-account': { severity: 'error', summary: "A pod's serviceAccountName names a ServiceAccount its namespace does not define in the revision (`default` always exists), which Kubernetes refuses." },
  'no-service-account-token': { severity: 'warning', summary: 'Pods that name a ServiceAccount would get its token mounted in Kubernetes; berth mounts none (said once per revision, naming them; `automountServiceAccountToken: false` says none is needed).' },
  // ---------------------------------------------------------------- storage
  'unsupported-provisioner': { severity: 'error', summary: 'A StorageClass names a provisioner berth cannot run on a Docker host (it takes berth.dev/local, the common local ones, and kubernetes.io/no-provisioner).' },
  'unknown-storage-class': { severity: 'warning', summary: "A PersistentVolumeClaim's storageClassName names no StorageClass of the revision (nor the host's `local`): it stays Pending until one is defined." },
  'invalid-persistent-volume': { severity: 'error', summary: 'A PersistentVolume has no hostPath or local source (or both), a local one lacks its nodeAffinity, or it asks for volumeMode Block.' },
  // ---------------------------------------------------------------- kustomize builds (issue 15)
  'kustomize-unsupported-field': { severity: 'error', summary: 'A kustomization field berth does not build (helm charts, vars, plugin configs, ...); the message lists the fields it supports.' },
  'kustomize-remote-resource': { severity: 'error', summary: 'A kustomization names a remote base or file (URL, git repository); berth builds only from the revision, with no network.' },
  'kustomize-missing-path': { severity: 'error', summary: 'A file or directory a kustomization names is not in the revision.' },
  'kustomize-outside-root': { severity: 'error', summary: "A kustomization reads a file outside its own directory, or names a path that leaves the revision's root." },
  'kustomize-cycle': { severity: 'error', summary: 'Kustomizations include each other in a cycle.' },
  'kustomize-not-a-kustomization': { severity: 'error', summary: "A directory named in resources or components has no kustomization file, or a component is not `kind: Component` (or a resource is one)." },
  'kustomize-build-limit': { severity: 'error', summary: 'A kustomize build includes kustomizations more than 1,000 times, accumulates more than 100,000 objects (bases shared by many overlays multiply), or writes more than 128 MiB into its objects (a JSON patch copy or replacement repeated into itself doubles an object each time); the rest is not built.' },
  // ---------------------------------------------------------------- kustomize generators and name references
  'kustomize-generator-invalid': { severity: 'error', summary: 'A configMapGenerator or secretGenerator entry (or generatorOptions, or a line of its env file) is not what kustomize reads: no name, a literal without `=`, an unknown behavior, a bad env variable name.' },
  'kustomize-generator-duplicate-key': { severity: 'error', summary: 'Two sources of one generator entry (literals, files, env files) set the same key, which kustomize refuses.' },
  'kustomize-generator-path-outside': { severity: 'error', summary: "A generator's file or env file is an absolute path or leaves the kustomization's directory (a link berth does not follow is reported where it is, as the folder reader refuses it); kustomize reads generator files from the kustomization's directory and below only." },
  'kustomize-generator-missing-file': { severity: 'error', summary: "A generator's file or env file does not exist." },
  'kustomize-env-from-environment': { severity: 'error', summary: "An env file line is a bare KEY, which kustomize fills from the environment it runs in; berth builds without one, so the value must be written (KEY=VALUE)." },
  'kustomize-generator-conflict': { severity: 'error', summary: 'A generator with behavior create names an object that already exists, or one with behavior merge or replace names none (or several).' },
  'kustomize-name-reference-ambiguous': { severity: 'error', summary: 'A reference by name (a configMap volume, a roleRef, ...) matches several objects of the build that now have different names, so kustomize cannot tell which name to write.' },
  // ---------------------------------------------------------------- kustomize: where builds read (issue 15)
  'kustomize-outside-boundary': { severity: 'error', summary: 'A kustomization names a path (or a symlink leads) outside the Git work tree or repository holding the folder (the folder itself when it is in none), or into a .git directory; it is not read.' },
  'kustomize-read-limit': { severity: 'error', summary: 'The kustomizations of a revision name more than berth reads for builds (64 MiB in all, bases nested 64 deep); the rest is not read.' },
  'kustomize-patch-no-match': { severity: 'warning', summary: "A patch's target selects no object of the build, so the patch changes nothing (kustomize builds it silently); options.allowNoTargetMatch: true says that is intended." },
  'kustomize-field-spelling': { severity: 'warning', summary: 'A kustomization field spelled in another letter case (`patchesJSON6902`); kustomize reads field names without regard to case, and so does berth, but the documented spelling is the one tools and people search for.' },
  // ---------------------------------------------------------------- the Swarm backend (issue 20)
  'weakened-on-swarm': { severity: 'warning', summary: 'With --backend swarm: a field Swarm runs weaker than asked (a liveness or startup probe not run, no-new-privileges, a Localhost profile); the task runs, the message says what is missing.' },
  'unsupported-on-swarm': { severity: 'error', summary: 'With --backend swarm: a field Docker Swarm cannot express (several containers in a pod, init containers, hostNetwork, a fieldRef only one host knows); the message says what to write instead.' },

  // ---------------------------------------------------------------- the edge's kinds (issue 16)
  'invalid-host': { severity: 'error', summary: 'An Ingress host or TLS host, a Gateway API hostname or a Certificate DNS name is not a DNS name, or has a `*` other than as the whole first label (`*.example.com`); an Ingress or Gateway API name has a label over 63 characters, or a redirect or rewrite hostname is not a lower-case DNS name without a wildcard (the edge refuses these).' },
  'invalid-route-path': { severity: 'error', summary: "An Ingress path or an HTTPRoute path match is not absolute, or holds a sequence the API refuses (`//`, `/./`, `/../`, `%2f`, a trailing `/..`), or a character or escape berth's edge refuses (a space, control or non-ASCII character, `?`, `#`, `\\`, `%5C`, `%00`, `%2F`, a `%` without two hex digits)." },
  'unsupported-route-feature': { severity: 'warning', summary: "A valid routing or certificate feature berth's edge does not serve (regular-expression matches, filters other than RequestHeaderModifier/RequestRedirect/URLRewrite, non-HTTP listeners, non-Service backends, cross-namespace backends, wildcard names for HTTP-01); a Kubernetes controller reports it in status, berth warns." },
  'edge-missing-reference': { severity: 'warning', summary: 'An Ingress, Gateway, HTTPRoute or Certificate names a Service, Secret, class, Gateway or Issuer the revision does not define; Kubernetes accepts it, and what depends on it does not work until it exists.' },
  'unknown-backend-port': { severity: 'warning', summary: "An Ingress or HTTPRoute backend names a port the Service does not have (by number or by name); Kubernetes accepts it, and requests routed there fail." },
  'ingress-annotation-ignored': { severity: 'warning', summary: "An ingress-nginx annotation (`nginx.ingress.kubernetes.io/*`) berth's edge does not read; only ssl-redirect is honoured." },
  'tls-secret-unusable': { severity: 'warning', summary: 'An Ingress or Gateway names a TLS Secret the edge cannot load: not of type kubernetes.io/tls, without tls.crt and tls.key, unparseable, or a key that is not the certificate\'s; HTTPS for its hosts fails until it is fixed.' },
} as const satisfies Record<string, ProblemCodeInfo>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

export function problemCodeInfo(code: ProblemCode): ProblemCodeInfo {
  return PROBLEM_CODES[code];
}
