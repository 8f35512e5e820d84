import type { KindInfo } from '../../model/kinds.js';
import { checkDns1123Label } from '../../model/names.js';
import { matches, selectorFromMap } from '../../model/selectors.js';
import { resourceKey } from '../../model/types.js';
import type { Path } from '../path.js';
import { formatPath } from '../path.js';
import type { Reporter } from '../report.js';
import type { ObjectFacts, PodFacts, Reference } from './context.js';
import type { Rec } from './values.js';
import { rec } from './values.js';
import { clip, clipList, quote } from '../../model/excerpt.js';
import { checkServiceAccounts } from './service-accounts.js';
import { checkEdgeReferences } from './edge-refs.js';
import { checkClaimClasses } from './storage.js';
import type { AnyObject } from '../../model/types.js';
import { allCertificates } from '../../plan/ingress-certificates.js';

/** One supported object of the revision, with what its own checks learned. */
export interface Entry {
  r: Reporter;
  info: KindInfo;
  object: Rec;
  name: string | undefined;
  /** Defaulted namespace; '' for cluster-scoped kinds. */
  namespace: string;
  /** `Kind/namespace/name`, when the object has a name. */
  key: string | undefined;
  facts: ObjectFacts;
  /** Where the object starts; `file` when that is not the document's own (a kustomize build's object). */
  start: { line: number; column: number; file?: string };
  /** An object the app keeps from an earlier apply (manifests/kept-entries.ts): checked against, never reported on. */
  kept?: true;
}

/**
 * Checks that need the whole revision: duplicates, references between objects, namespaces,
 * Services against the pods they select, nodePort collisions on the host.
 */
export function checkRevision(entries: readonly Entry[]): void {
  const byKey = new Map<string, Entry[]>();
  for (const e of entries) if (e.key !== undefined) push(byKey, e.key, e);
  checkDuplicates(byKey);
  const issued = certificateSecrets(entries);
  for (const e of entries) checkReferences(e, byKey, issued);
  checkNamespaces(entries);
  checkServices(entries);
  checkServiceAccounts(entries, byKey);
  checkClaimClasses(entries);
  checkEdgeReferences(entries);
}

function where(e: Entry): string {
  return `${e.start.file ?? e.r.doc.parsed.file}:${e.start.line}`;
}

function checkDuplicates(byKey: ReadonlyMap<string, Entry[]>): void {
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    group.forEach((e, i) => {
      const other = group[i === 0 ? 1 : 0]!;
      const ns = e.info.namespaced ? ` in namespace ${clip(e.namespace)}` : '';
      // The same lines twice: two kustomizations of the folder both build them (one includes the
      // other's directory, or both a shared one); "also defined at" itself would not say why.
      const twice = where(e) === where(other)
        ? ': the same lines, built twice, by two kustomizations in this folder that both include them; point berth at the kustomization that includes the others (e.g. the overlay directory), or drop one of the includes'
        : '';
      e.r.report('duplicate-resource', ['metadata', 'name'], `${e.info.kind} ${quote(e.name)}${ns} is also defined at ${where(other)}${twice}`);
    });
  }
}

/**
 * Secrets a Certificate of the revision (or an Ingress's cert-manager.io annotation) makes:
 * berth's certificate controller generates them (plan/certificate-secrets.ts), so a pod may
 * name one, as it would name a Secret cert-manager writes.
 */
function certificateSecrets(entries: readonly Entry[]): ReadonlySet<string> {
  const certs = allCertificates(entries.filter((e) => e.info.kind === 'Certificate' || e.info.kind === 'Ingress').map((e) => ({ ...e.object, metadata: { ...rec(e.object.metadata), namespace: e.namespace } }) as unknown as AnyObject));
  return new Set(certs.map((c) => resourceKey('Secret', c.metadata.namespace, c.spec?.secretName ?? '')));
}

function checkReferences(e: Entry, byKey: ReadonlyMap<string, Entry[]>, issued: ReadonlySet<string>): void {
  const reported = new Set<string>();
  for (const ref of e.facts.refs) {
    const target = byKey.get(resourceKey(ref.kind, e.namespace, ref.name))?.[0];
    if (!target && ref.kind === 'Secret' && issued.has(resourceKey('Secret', e.namespace, ref.name))) continue;
    if (!target) {
      const at = formatPath(ref.path);
      if (ref.optional || reported.has(at)) continue;
      reported.add(at);
      e.r.report('missing-reference', ref.path, `${ref.kind} ${quote(ref.name)} is not defined in namespace ${clip(e.namespace)} in this revision; add it, or set optional: true if the pod may start without it`);
      continue;
    }
    if (ref.key === undefined || ref.optional || ref.keyPath === undefined) continue;
    const keys = keysOf(ref, target.object);
    if (!keys.includes(ref.key)) {
      const known = keys.length > 0 ? `its keys: ${clipList(keys)}` : 'it has no keys';
      e.r.report('missing-reference-key', ref.keyPath, `${ref.kind} ${quote(ref.name)} has no key ${quote(ref.key)} (${known}; defined at ${where(target)})`);
    }
  }
}

function keysOf(ref: Reference, target: Rec): string[] {
  const fields = ref.kind === 'ConfigMap' ? ['data', 'binaryData'] : ['data', 'stringData'];
  return [...new Set(fields.flatMap((f) => Object.keys(rec(target[f]) ?? {})))];
}

function checkNamespaces(entries: readonly Entry[]): void {
  const declared = new Set(entries.filter((e) => e.info.kind === 'Namespace' && e.name !== undefined).map((e) => e.name!));
  const users = new Map<string, Entry[]>();
  for (const e of entries) {
    // An invalid namespace is already an error; "berth will create it" would not be true.
    if (!e.info.namespaced || e.namespace === 'default' || declared.has(e.namespace) || checkDns1123Label(e.namespace)) continue;
    push(users, e.namespace, e);
  }
  for (const [ns, list] of users) {
    // The app's objects applied before live there: berth made it then, nothing is new.
    if (list.some((e) => e.kept)) continue;
    const count = list.length === 1 ? '' : ` (${list.length} objects use it)`;
    list[0]!.r.report('undeclared-namespace', ['metadata', 'namespace'], `namespace ${quote(ns)} is not declared by a Namespace in this revision; berth will create it${count}`);
  }
}

function checkServices(entries: readonly Entry[]): void {
  const pods = new PodIndex();
  for (const e of entries) for (const p of e.facts.pods) pods.add(e.namespace, p);
  const nodePorts = new Map<number, Array<{ e: Entry; path: Path }>>();
  const hostPorts: HostPortUse[] = [];
  for (const e of entries) {
    const svc = e.facts.service;
    if (!svc) continue;
    for (const np of svc.nodePorts) push(nodePorts, np.port, { e, path: np.path });
    for (const np of svc.nodePorts) hostPorts.push({ e, port: np.port, protocol: np.protocol, hostIp: '', nodePort: true, path: np.path });
    for (const lb of svc.loadBalancerPorts) hostPorts.push({ e, port: lb.port, protocol: lb.protocol, hostIp: lb.hostIp, nodePort: false, path: lb.path });
    if (!svc.selector) continue;
    const selected = pods.select(e.namespace, svc.selector);
    if (selected.length === 0) {
      const shown = clipList(Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`));
      e.r.report('service-selects-nothing', ['spec', 'selector'], `selector ${shown} matches no pod template in namespace ${clip(e.namespace)} in this revision; the Service will have no endpoints`);
      continue;
    }
    for (const t of svc.namedTargetPorts) {
      if (selected.some((p) => p.portNames.has(t.name))) continue;
      const names = new Set(selected.flatMap((p) => [...p.portNames]));
      const known = names.size > 0 ? `they name ${clipList(names)}` : 'they name no ports';
      // Kubernetes accepts it (a pod added later may name the port): a warning, and the Service
      // simply has no endpoint for a pod without the name (plan/services.ts, dataplane/balancer.ts).
      e.r.report('unknown-target-port', t.path, `targetPort ${quote(t.name)} is not a port name of the pods this Service selects (${known}); those pods are no endpoints of this port until a container names a port ${quote(t.name)}`);
    }
  }
  for (const [port, uses] of nodePorts) {
    if (uses.length < 2) continue;
    uses.forEach((u, i) => {
      const other = uses[i === 0 ? 1 : 0]!;
      const doc = other.e.r.doc;
      const at = doc.parsed.locator.locate([...doc.base, ...other.path]);
      u.e.r.report('duplicate-node-port', u.path, `nodePort ${port} is also claimed by Service ${clip(`${other.e.namespace}/${other.e.name ?? '?'}`)} at ${at.file ?? doc.parsed.file}:${at.line}`);
    });
  }
  checkHostPorts(hostPorts);
}

interface HostPortUse {
  e: Entry;
  port: number;
  protocol: string;
  /** '' (or an unspecified address): every address of the host. */
  hostIp: string;
  nodePort: boolean;
  path: Path;
}

/**
 * One host port and protocol published twice: Docker publishes the first and refuses the second
 * ("port is already allocated") halfway through the apply. A LoadBalancer publishes its own
 * ports on the host (on loadBalancerIP when set, else every address), node ports are on every
 * address; the same port on two different explicit addresses is fine. Two node ports are
 * duplicate-node-port's; the later use is reported, naming the first.
 */
function checkHostPorts(uses: readonly HostPortUse[]): void {
  const every = (ip: string) => ip === '' || ip === '0.0.0.0' || ip === '::';
  // Earlier uses of the same port and protocol, in order: each use is compared with those only,
  // not with every earlier one (16,000 LoadBalancer Services took 0.3 s here; issue 18).
  const earlier = new Map<string, HostPortUse[]>();
  for (const u of uses) {
    const key = `${u.port}/${u.protocol}`;
    const same = earlier.get(key);
    const first = same?.find((f) => !(f.nodePort && u.nodePort) && (every(f.hostIp) || every(u.hostIp) || f.hostIp === u.hostIp));
    if (same) same.push(u);
    else earlier.set(key, [u]);
    if (!first) continue;
    const doc = first.e.r.doc;
    const at = doc.parsed.locator.locate([...doc.base, ...first.path]);
    const what = (x: HostPortUse) => (x.nodePort ? 'nodePort' : `port (LoadBalancer${x.hostIp ? ` on ${x.hostIp}` : ''})`);
    u.e.r.report(
      'duplicate-host-port',
      u.path,
      `host port ${u.port}/${clip(u.protocol)} of this ${what(u)} is already published by the ${what(first)} of Service ${clip(`${first.e.namespace}/${first.e.name ?? '?'}`)} at ${at.file ?? doc.parsed.file}:${at.line}; a host port can be published once: choose another port, or distinct loadBalancerIPs`,
    );
  }
}

/**
 * Pod templates by namespace and label, so matching every Service against every template
 * costs the size of the smallest label bucket, not services × templates.
 */
class PodIndex {
  private readonly all = new Map<string, PodFacts[]>();
  private readonly byLabel = new Map<string, PodFacts[]>();

  add(namespace: string, pod: PodFacts): void {
    push(this.all, namespace, pod);
    for (const [k, v] of Object.entries(pod.labels)) push(this.byLabel, `${namespace}\0${k}\0${v}`, pod);
  }

  /** Pods whose labels include every pair of an equality selector. */
  select(namespace: string, selector: Readonly<Record<string, string>>): PodFacts[] {
    let smallest: PodFacts[] | undefined;
    for (const [k, v] of Object.entries(selector)) {
      const bucket = this.byLabel.get(`${namespace}\0${k}\0${v}`) ?? [];
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
    }
    const candidates = smallest ?? this.all.get(namespace) ?? [];
    const sel = selectorFromMap(selector);
    return candidates.filter((p) => matches(sel, p.labels));
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
