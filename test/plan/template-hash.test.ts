import { describe, expect, it } from 'vitest';
import { buildDesiredState } from '../../src/plan/desired.js';
import type { Workload } from '../../src/plan/desired.js';
import type { ObservedPod } from '../../src/plan/observed.js';
import { plan } from '../../src/plan/plan.js';
import { deriveHashKey, HASH_KEY_BYTES, SAFE_ALPHABET, stableStringify } from '../../src/model/hash.js';
import type { Resource } from '../../src/model/types.js';
import type { PodShape } from '../support/builders.js';
import { deployment, observedFrom, observedState, res, sequence, TEST_HASH_KEY } from '../support/builders.js';

/**
 * The pod-template-hash covers the content of the Secrets a template uses (content-driven
 * updates) and is shown everywhere: ReplicaSet and pod names, labels, events, the API. Issue 11
 * (finding 9e): unkeyed, it gave a short Secret away to anyone who tried every value.
 */

const OTHER_KEY = Buffer.alloc(HASH_KEY_BYTES, 0x01);

function secret(pin: string): Resource {
  return res({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pin' }, data: { PIN: Buffer.from(pin).toString('base64') } });
}

const WEB = deployment('web', { replicas: 1, env: [{ name: 'PIN', valueFrom: { secretKeyRef: { name: 'pin', key: 'PIN' } } }] });

function web(resources: Resource[], hashKey: Buffer = TEST_HASH_KEY): Extract<Workload, { kind: 'Deployment' }> {
  const w = buildDesiredState(resources, { hashKey }).workloads.find((x) => x.key === WEB.key);
  if (w?.kind !== 'Deployment') throw new Error('no Deployment web');
  return w;
}

/** A ReplicaSet's pod name as everyone sees it: `web-<pod-template-hash>-<5 random>`. */
function podName(resources: Resource[], hashKey: Buffer = TEST_HASH_KEY): string {
  return `web-${web(resources, hashKey).template.hash}-x7k2q`;
}

/**
 * What an attacker computes from the manifests they can read (the Deployment, the Secret's
 * name) and a guess of the value: the unkeyed FNV-1a hash berth named ReplicaSets with. Written
 * here, not imported: it is the attacker's tool, whatever src/ does.
 */
function unkeyedHash(resources: Resource[]): string {
  const w = web(resources);
  const content = {
    template: w.podTemplate,
    extra: null,
    configMaps: [],
    secrets: [['default/pin', { PIN: Buffer.from(pinOf(resources)).toString('base64') }]],
  };
  let h = 0x811c9dc5;
  for (const b of Buffer.from(stableStringify(content), 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  let out = '';
  for (const c of String(h >>> 0)) out += SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

function pinOf(resources: Resource[]): string {
  const s = resources.find((r) => r.object.kind === 'Secret')!.object as unknown as { data: { PIN: string } };
  return Buffer.from(s.data.PIN, 'base64').toString();
}

/** Every 4-digit PIN whose pod name the attacker's hash (under `guess`) reproduces. */
function bruteForce(name: string, guess: (resources: Resource[]) => string): string[] {
  const found: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const pin = String(i).padStart(4, '0');
    if (name === `web-${guess([secret(pin), WEB])}-x7k2q`) found.push(pin);
  }
  return found;
}

describe('pod-template-hash: keyed with the host key', () => {
  it.each([
    { name: 'the same template under the same key', a: [secret('4711'), WEB], b: [secret('4711'), WEB], keyB: TEST_HASH_KEY, equal: true },
    { name: 'the same template under another host key', a: [secret('4711'), WEB], b: [secret('4711'), WEB], keyB: OTHER_KEY, equal: false },
    { name: 'another Secret value under the same key', a: [secret('4711'), WEB], b: [secret('4712'), WEB], keyB: TEST_HASH_KEY, equal: false },
  ])('$name: equal $equal', ({ a, b, keyB, equal }) => {
    expect(web(a).template.hash === web(b, keyB).template.hash).toBe(equal);
  });

  it("keeps Kubernetes' shape: a 32-bit number, decimal, safe-encoded (at most 10 characters, no vowels)", () => {
    for (let i = 0; i < 200; i++) {
      const hash = web([secret(String(i)), WEB]).template.hash;
      expect(hash).toMatch(new RegExp(`^[${SAFE_ALPHABET}]{1,10}$`));
    }
  });

  it('is stable from run to run under the same key: planning holds no hidden randomness', () => {
    const resources = [secret('4711'), WEB];
    const runs = Array.from({ length: 3 }, () => buildDesiredState(resources, { hashKey: Buffer.from(TEST_HASH_KEY) }).workloads.map((w) => [w.key, w.template.hash]));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    // The desired state only carries the key it was given.
    expect(buildDesiredState(resources, { hashKey: OTHER_KEY }).hashKey).toBe(OTHER_KEY);
  });

  it('derives one key per app from the host key, none of them the host key itself', () => {
    const host = Buffer.alloc(HASH_KEY_BYTES, 0x33);
    const keys = [deriveHashKey(host, 'pod-template-hash', 'shop'), deriveHashKey(host, 'pod-template-hash', 'blog'), host];
    expect(new Set(keys.map((k) => Buffer.from(k).toString('hex'))).size).toBe(3);
    expect(deriveHashKey(host, 'pod-template-hash', 'shop')).toEqual(keys[0]);
    expect(() => deriveHashKey(Buffer.alloc(8), 'pod-template-hash', 'shop')).toThrow(RangeError);
  });
});

describe('pod-template-hash: a 4-digit Secret cannot be recovered from a pod name', () => {
  it('the unkeyed hash berth used before recovers the PIN from the pod name in one pass over 10 000 guesses', () => {
    // The attack is real: this is what anyone reading `berth get pods` could do before issue 11.
    const before = `web-${web([secret('4711'), WEB]).template.legacyHash}-x7k2q`;
    expect(bruteForce(before, unkeyedHash)).toEqual(['4711']);
  });

  it('the same enumeration against the keyed pod name finds nothing without the key', () => {
    const name = podName([secret('4711'), WEB]);
    expect(bruteForce(name, unkeyedHash)).toEqual([]);
    // Nor with a key anyone could guess.
    for (const guessed of [Buffer.alloc(HASH_KEY_BYTES), Buffer.alloc(HASH_KEY_BYTES, 0xff)]) {
      expect(bruteForce(name, (r) => web(r, guessed).template.hash)).toEqual([]);
    }
    // With the host's key (which only the host's state store holds) the name is reproduced:
    // the hash still names the template, as Kubernetes' does.
    expect(bruteForce(name, (r) => web(r).template.hash)).toEqual(['4711']);
  });
});

describe('upgrading a host whose pods carry the unkeyed hash', () => {
  const NOW = 1_000_000;
  const replicaSet = res({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'cache' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'cache' } }, template: { metadata: { labels: { app: 'cache' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } } },
  });
  const bare = res({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db' }, spec: { containers: [{ name: 'db', image: 'img:1' }] } });
  const job = res({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { completions: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'm', image: 'img:1' }] } } } });
  const twoWeb = deployment('web', { replicas: 2 });

  /** Pods as a berth before issue 11 left them: named and labelled with the legacy hash. */
  function legacyPods(resources: Resource[], key: string, names: string[], shape: PodShape = {}): ObservedPod[] {
    const w = buildDesiredState(resources, { hashKey: TEST_HASH_KEY }).workloads.find((x) => x.key === key)!;
    const rename = (s: string) => s.replace(w.template.hash, w.template.legacyHash);
    return names.map((n) => {
      const p = observedFrom(w.template.build(rename(n)), shape);
      return { ...p, specHash: w.template.legacyHash, owner: rename(p.owner), labels: Object.fromEntries(Object.entries(p.labels).map(([k, v]) => [k, rename(v)])) };
    });
  }

  it.each([
    { name: 'a ReplicaSet keeps its pods (no restart all at once)', resources: [replicaSet], key: 'ReplicaSet/default/cache', pods: ['cache-a', 'cache-b'], shape: {} },
    { name: 'a bare Pod keeps running', resources: [bare], key: 'Pod/default/db', pods: ['db'], shape: {} },
    { name: 'a finished Job is not run again', resources: [job], key: 'Job/default/migrate', pods: ['migrate-a'], shape: { containerState: 'exited' as const, exitCode: 0 } },
  ])('$name', ({ resources, key, pods, shape }) => {
    const observed = legacyPods(resources, key, pods, shape);
    const step = plan(buildDesiredState(resources, { hashKey: TEST_HASH_KEY }), observedState(observed), { now: NOW, random: sequence(), prune: false });
    expect(step.actions).toEqual([]);
    if (key.startsWith('Job/')) expect(step.workloads.find((w) => w.key === key)?.job?.condition?.type).toBe('Complete');
  });

  it('a Deployment rolls once to names under the keyed hash, health-gated like any rollout', () => {
    const hashOf = buildDesiredState([twoWeb], { hashKey: TEST_HASH_KEY }).workloads[0]!.template;
    const old = legacyPods([twoWeb], twoWeb.key, [`web-${hashOf.hash}-a`, `web-${hashOf.hash}-b`], { ready: true, readySince: 0 });
    expect(old.map((p) => p.name)).toEqual([`web-${hashOf.legacyHash}-a`, `web-${hashOf.legacyHash}-b`]);
    const step = plan(buildDesiredState([twoWeb], { hashKey: TEST_HASH_KEY }), observedState(old), { now: NOW, random: sequence(), prune: false });
    // maxSurge 25% of 2 → 1 new pod first; maxUnavailable 25% of 2 → 0: no old pod goes before a new one is ready.
    const created = step.actions.filter((a) => a.type === 'create-pod').map((a) => (a.type === 'create-pod' ? a.pod.name : ''));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(new RegExp(`^web-${hashOf.hash}-[${SAFE_ALPHABET}]{5}$`));
    expect(step.actions.filter((a) => a.type === 'delete-pod')).toEqual([]);
    // The status counts what runs: two pods of the old (legacy-named) ReplicaSet, none updated yet.
    expect(step.workloads[0]?.deployment).toMatchObject({ updatedReplicas: 0, oldReplicas: 2, complete: false });
  });
});
