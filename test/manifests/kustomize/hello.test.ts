import { describe, expect, it } from 'vitest';
import { build, dedent, output } from './support.js';

/**
 * kubernetes-sigs/kustomize examples/helloWorld: the base files as the example downloads them
 * (its kustomization says `apiVersion: v1`, which kustomize builds anyway) and the staging and
 * production overlays of its README. The README shows the start of `diff staging production`;
 * the whole output here follows from it and kustomize's rules.
 */
const BASE: Record<string, string> = {
  'base/kustomization.yaml': '# Example configuration for the webserver\n# at https://github.com/monopole/hello\napiVersion: v1\nkind: Kustomization\ncommonLabels:\n  app: hello\n\nresources:\n- deployment.yaml\n- service.yaml\n- configMap.yaml\n',
  'base/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: the-deployment\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      deployment: hello\n  template:\n    metadata:\n      labels:\n        deployment: hello\n    spec:\n      containers:\n      - name: the-container\n        image: monopole/hello:1\n        command: ["/hello",\n                  "--port=8080",\n                  "--enableRiskyFeature=$(ENABLE_RISKY)"]\n        ports:\n        - containerPort: 8080\n        env:\n        - name: ALT_GREETING\n          valueFrom:\n            configMapKeyRef:\n              name: the-map\n              key: altGreeting\n        - name: ENABLE_RISKY\n          valueFrom:\n            configMapKeyRef:\n              name: the-map\n              key: enableRisky\n',
  'base/service.yaml': '# Copyright 2019 The Kubernetes Authors.\n# SPDX-License-Identifier: Apache-2.0\n\nkind: Service\napiVersion: v1\nmetadata:\n  name: the-service\nspec:\n  selector:\n    deployment: hello\n  type: LoadBalancer\n  ports:\n  - protocol: TCP\n    port: 8666\n    targetPort: 8080\n',
  'base/configMap.yaml': '# Copyright 2019 The Kubernetes Authors.\n# SPDX-License-Identifier: Apache-2.0\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: the-map\ndata:\n  altGreeting: "Good Morning!"\n  enableRisky: "false"\n',
  'overlays/staging/kustomization.yaml': 'namePrefix: staging-\ncommonLabels:\n  variant: staging\n  org: acmeCorporation\ncommonAnnotations:\n  note: Hello, I am staging!\nresources:\n- ../../base\npatches:\n- path: map.yaml\n',
  'overlays/staging/map.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: the-map\ndata:\n  altGreeting: "Have a pineapple!"\n  enableRisky: "true"\n',
  'overlays/production/kustomization.yaml': 'namePrefix: production-\ncommonLabels:\n  variant: production\n  org: acmeCorporation\ncommonAnnotations:\n  note: Hello, I am production!\nresources:\n- ../../base\npatches:\n- path: deployment.yaml\n',
  'overlays/production/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: the-deployment\nspec:\n  replicas: 10\n',
};

const expected = (variant: string, greeting: string, risky: string, replicas: number): string =>
  dedent(`
    apiVersion: v1
    data:
      altGreeting: ${greeting}
      enableRisky: "${risky}"
    kind: ConfigMap
    metadata:
      annotations:
        note: Hello, I am ${variant}!
      labels:
        app: hello
        org: acmeCorporation
        variant: ${variant}
      name: ${variant}-the-map
    ---
    apiVersion: v1
    kind: Service
    metadata:
      annotations:
        note: Hello, I am ${variant}!
      labels:
        app: hello
        org: acmeCorporation
        variant: ${variant}
      name: ${variant}-the-service
    spec:
      ports:
      - port: 8666
        protocol: TCP
        targetPort: 8080
      selector:
        app: hello
        deployment: hello
        org: acmeCorporation
        variant: ${variant}
      type: LoadBalancer
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      annotations:
        note: Hello, I am ${variant}!
      labels:
        app: hello
        org: acmeCorporation
        variant: ${variant}
      name: ${variant}-the-deployment
    spec:
      replicas: ${replicas}
      selector:
        matchLabels:
          app: hello
          deployment: hello
          org: acmeCorporation
          variant: ${variant}
      template:
        metadata:
          annotations:
            note: Hello, I am ${variant}!
          labels:
            app: hello
            deployment: hello
            org: acmeCorporation
            variant: ${variant}
        spec:
          containers:
          - command:
            - /hello
            - --port=8080
            - --enableRiskyFeature=$(ENABLE_RISKY)
            env:
            - name: ALT_GREETING
              valueFrom:
                configMapKeyRef:
                  key: altGreeting
                  name: ${variant}-the-map
            - name: ENABLE_RISKY
              valueFrom:
                configMapKeyRef:
                  key: enableRisky
                  name: ${variant}-the-map
            image: monopole/hello:1
            name: the-container
            ports:
            - containerPort: 8080
  `);

const WARNING = '# base/kustomization.yaml:3:13 unsupported-api-version: apiVersion of a Kustomization is kustomize.config.k8s.io/v1beta1, not "v1"; kustomize builds it anyway\n';

describe('kustomize examples/helloWorld', () => {
  it.each([
    { overlay: 'staging', greeting: 'Have a pineapple!', risky: 'true', replicas: 3 },
    { overlay: 'production', greeting: 'Good Morning!', risky: 'false', replicas: 10 },
  ])('overlays/$overlay', ({ overlay, greeting, risky, replicas }) => {
    expect(output(BASE, `overlays/${overlay}`)).toBe(WARNING + expected(overlay, greeting, risky, replicas));
  });

  it("the base's apiVersion: v1 is a warning, not an error (kustomize builds it)", () => {
    expect(build(BASE, 'base').problems.map((p) => [p.code, p.severity])).toEqual([['unsupported-api-version', 'warning']]);
  });
});
