import { readdirSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateRevision } from '../../src/manifests/index.js';
import { DEFAULT_HOST_POLICY } from '../../src/model/policy.js';
import type { ProblemCode } from '../../src/manifests/problem-codes.js';
import { readPath } from '../../src/sources/folder.js';

/**
 * Issue 14: manifests shaped as real repositories write them (Helm output, `kubectl get -o yaml`
 * exports, sample apps) validate without an error, as the Kubernetes API server accepts them.
 * Each fixture is a folder under test/fixtures/real-world/, read as one revision.
 *
 * Adding a fixture is one line here: its folder, what it shows, and the warnings it must give
 * (code → count; none unless listed). Every object of the folder must become a resource.
 */
interface Fixture {
  dir: string;
  shows: string;
  warnings?: Partial<Record<ProblemCode, number>>;
  /** Host directories the host's operator allows (`--host-path-prefix`), for hostPath volumes. */
  hostPathPrefixes?: string[];
}

const CORPUS: Fixture[] = [
  { dir: 'helm-empty-values', shows: 'Helm output: empty (null) labels, annotations, env, resources, securityContext, probes, volumes, emptyDir, unimplemented fields' },
  { dir: 'volume-defaults', shows: 'a volume with no source and `emptyDir:` left empty are emptyDirs' },
  { dir: 'kind-list', shows: '`kubectl get -o yaml` output: a List, server-written fields, empty annotations' },
  { dir: 'relaxed-env-names', shows: '.NET/Spring env names (any printable ASCII but =)' },
  { dir: 'named-ports', shows: 'a port name in two containers; a named targetPort only some pods define', warnings: { 'shared-port-name': 1, 'unknown-target-port': 1 } },
  { dir: 'image-placeholder', shows: 'image placeholders a CI step fills in', warnings: { 'unresolvable-image': 2 } },
  { dir: 'microservices-grpc', shows: 'microservices-demo: a ServiceAccount per service, gRPC probes, restricted securityContext, LoadBalancer', warnings: { 'no-service-account-token': 1 } },
  { dir: 'downward-api', shows: 'the downward API in env (fields, labels, resources with divisor), in a volume and a projected volume' },
  { dir: 'statefulset-headless', shows: 'a StatefulSet behind its headless Service, a claim per pod, retention policy' },
  { dir: 'daemonset-node-agent', shows: 'a node agent DaemonSet: nodeSelector, node affinity, control-plane toleration' },
  { dir: 'static-pv-claim', shows: 'the PersistentVolume tutorial: a hostPath PV of class manual and the claim it binds', hostPathPrefixes: ['/mnt'] },
];

const ROOT = fileURLToPath(new URL('../fixtures/real-world/', import.meta.url));

describe('real-world corpus', () => {
  it.each(CORPUS)('$dir: $shows', async ({ dir, warnings = {}, hostPathPrefixes }) => {
    const revision = await readPath(`${ROOT}${dir}`);
    const { resources, problems } = validateRevision(revision.files, hostPathPrefixes ? { hostPolicy: { ...DEFAULT_HOST_POLICY, hostPathPrefixes } } : {});
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.file}:${p.line} ${p.code} ${p.path}: ${p.message}`)).toEqual([]);
    const counts: Record<string, number> = {};
    for (const p of problems) counts[p.code] = (counts[p.code] ?? 0) + 1;
    expect(counts).toEqual(warnings);
    expect(resources.length).toBe(objectCount(revision.files));
  });

  it('lists every fixture folder', () => {
    expect(readdirSync(ROOT).sort()).toEqual(CORPUS.map((f) => f.dir).sort());
  });
});

/** Objects written in the files: non-empty documents, each item of a List counted. */
function objectCount(files: ReadonlyArray<{ content: Buffer }>): number {
  let n = 0;
  for (const f of files)
    for (const doc of loadAll(f.content.toString('utf8')) as Array<{ kind?: unknown; items?: unknown[] } | null>)
      if (doc) n += doc.kind === 'List' ? (doc.items?.length ?? 0) : 1;
  return n;
}
