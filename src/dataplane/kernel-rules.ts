/**
 * Kernel forwarding for the service proxy: a ProxyConfig rendered as an `iptables-restore`
 * script for the nat table of the network namespace the program runs in. kube-proxy's iptables
 * mode, scaled down to one service:
 *
 *   PREROUTING ─► <P>-SVC ─(tcp dport)─► <P>-P<i> ─ MARK, [affinity checks], statistic ─► DNAT ip:port
 *   POSTROUTING ─► <P>-MASQ ─(mark)─► MASQUERADE
 *
 * Balancing is random (`statistic`, probability 1/(n-k) for the k-th of n endpoints, the last
 * unconditional), ClientIP affinity uses one `recent` list per endpoint, exactly as kube-proxy
 * does. MASQUERADE makes replies come back through this namespace so conntrack can undo the
 * DNAT. Established flows live in conntrack, not in the rules: replacing the rules never cuts a
 * connection, and an endpoint that leaves the rules gets no new flows (natural drain).
 *
 * Pure: no I/O. Only TCP is rendered; UDP stays on the userspace proxy, which closes the flows
 * of an endpoint that leaves (conntrack would keep sending a UDP flow to a removed endpoint).
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { endpointId, targetPortOf } from './balancer.js';
import type { ProxyConfig } from './protocol.js';

export interface RuleNames {
  /** Chain name prefix; chain names stay within iptables' 28 characters with ≤ 12 here. */
  chainPrefix: string;
  /** Prefix of the `recent` list names (one list per endpoint). */
  listPrefix: string;
  /** Packet mark bit that asks POSTROUTING to masquerade. */
  markBit: number;
}

export const PROXY_RULE_NAMES: RuleNames = { chainPrefix: 'BERTH', listPrefix: 'berth-', markBit: 0x4000 };

/** Which destination port a service port is reached on in this namespace. */
export interface Frontend {
  /** The service port's name. */
  portName: string;
  /** TCP port matched (the service port in the proxy's namespace; a node port on the host). */
  dport: number;
  /**
   * Host mode: the one host address matched (a LoadBalancer's loadBalancerIP, which is all
   * Docker publishes); absent, every local non-loopback address.
   */
  hostIp?: string;
}

export interface RenderOptions {
  names: RuleNames;
  frontends: readonly Frontend[];
  /** Chains that exist from an earlier render; those no longer used are deleted. */
  previous?: ReadonlySet<string>;
  /**
   * Host mode (the NodePort fast path, in the host's network namespace): frontends match
   * local, non-loopback destinations, for packets from outside (PREROUTING) and from the host
   * itself (OUTPUT), ahead of Docker's own jumps; the flows are accepted in FORWARD, ahead of
   * Docker's isolation rules. Loopback stays with Docker's userland proxy.
   */
  host?: boolean;
  /**
   * Host mode: who owns these rules (`pid:starttime@pidns` of the program), written as a
   * comment into the entry chain so another program can tell stale rules from live ones.
   */
  owner?: string;
}

/** `-A <prefix>-SVC -m comment --comment berth-owner=<owner>`: the owner marker of host rules. */
export const OWNER_MARK = 'berth-owner=';
/** Chain name prefix of host-mode rules (hostRuleNames). */
export const HOST_CHAIN_RE = /^(BNP[0-9a-f]{8})-/;

/** Matches of host-mode frontends: a local address, not loopback (route_localnet stays off). */
export const HOST_ENTRY_MATCH = '-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8';

export function fwdChain(n: RuleNames): string {
  return `${n.chainPrefix}-FWD`;
}

/** Chain and list names of one Service's host-mode rules, unique per app and Service. */
export function hostRuleNames(id: string): RuleNames {
  const h = createHash('sha256').update(id).digest('hex').slice(0, 8);
  return { chainPrefix: `BNP${h}`, listPrefix: `bnp${h}-`, markBit: 0x2000000 };
}

export interface RenderedRules {
  /** Input for `iptables-restore --noflush`. */
  script: string;
  /** Every chain of ours the script leaves in place. */
  chains: Set<string>;
  /** Rules that attach our chains to the built-in ones (checked with `iptables -C`, added once). */
  hooks: Hook[];
}

export interface Hook {
  table: 'nat' | 'filter';
  chain: 'PREROUTING' | 'OUTPUT' | 'POSTROUTING' | 'FORWARD';
  rule: string;
  /** Must stay the chain's first rule (ahead of jumps others insert at the top later). */
  first?: boolean;
}

export function svcChain(n: RuleNames): string {
  return `${n.chainPrefix}-SVC`;
}

export function masqChain(n: RuleNames): string {
  return `${n.chainPrefix}-MASQ`;
}

/**
 * The frontends of the host fast path: every TCP port published on the host, by the service port
 * it serves, on the address it is published on. A port published on one address only must never
 * be forwarded from the host's other addresses (a host process may serve the port there, issue
 * 11). Loopback and IPv6 addresses get no frontend: these rules never match loopback
 * (route_localnet stays off) and are IPv4 only, so Docker's userland proxy, bound to exactly
 * that address, serves them.
 */
export function hostFrontends(config: ProxyConfig): Frontend[] {
  return (config.published ?? []).flatMap((p): Frontend[] => {
    if (p.protocol !== 'TCP') return [];
    const ip = p.hostIp;
    if (ip === undefined || ip === '' || ip === '0.0.0.0') return [{ portName: p.name, dport: p.hostPort }];
    if (!isIPv4(ip) || ip.startsWith('127.')) return [];
    return [{ portName: p.name, dport: p.hostPort, hostIp: ip }];
  });
}

/** Host mode: the destination match of a frontend (HOST_ENTRY_MATCH, or its one address). */
function hostEntryMatch(f: Frontend): string {
  return f.hostIp === undefined ? HOST_ENTRY_MATCH : `-m addrtype --dst-type LOCAL -d ${f.hostIp}/32`;
}

/** The frontends of the proxy itself: every TCP service port, on its own port number. */
export function proxyFrontends(config: ProxyConfig): Frontend[] {
  return config.ports.filter((p) => p.protocol === 'TCP').map((p) => ({ portName: p.name, dport: p.port }));
}

/** A stable `recent` list name for an endpoint, so affinity survives unrelated endpoint changes. */
export function affinityList(n: RuleNames, id: string): string {
  return `${n.listPrefix}${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

export function renderRules(config: ProxyConfig, o: RenderOptions): RenderedRules {
  const n = o.names;
  const svc = svcChain(n);
  const masq = masqChain(n);
  const mark = `0x${n.markBit.toString(16)}/0x${n.markBit.toString(16)}`;
  const fwd = fwdChain(n);
  const chains = new Set<string>([svc, masq, ...(o.host ? [fwd] : [])]);
  const rules: string[] = [`-A ${masq} -m mark --mark ${mark} -j MASQUERADE`];
  if (o.host && o.owner) rules.push(`-A ${svc} -m comment --comment ${OWNER_MARK}${o.owner}`);
  const filter: string[] = [];
  const affinity = config.sessionAffinity.type === 'ClientIP' ? config.sessionAffinity.timeoutSeconds : undefined;
  o.frontends.forEach((f, i) => {
    const port = config.ports.find((p) => p.name === f.portName && p.protocol === 'TCP');
    if (!port) return;
    const targets = config.endpoints.flatMap((ep) => {
      const tp = targetPortOf(ep, port);
      return ep.ready && tp !== undefined ? [{ id: endpointId(ep), ip: ep.ip, port: tp }] : [];
    });
    // No ready endpoint: no DNAT, so the connection reaches the userspace listener, which resets it.
    if (targets.length === 0) return;
    const portChain = `${n.chainPrefix}-P${i}`;
    chains.add(portChain);
    rules.push(`-A ${svc}${o.host ? ` ${hostEntryMatch(f)}` : ''} -p tcp -m tcp --dport ${f.dport} -j ${portChain}`);
    const origDst = f.hostIp === undefined ? '' : ` --ctorigdst ${f.hostIp}/32`;
    if (o.host) filter.push(`-A ${fwd} -p tcp -m conntrack --ctstate DNAT${origDst} --ctorigdstport ${f.dport} -j ACCEPT`);
    rules.push(`-A ${portChain} -j MARK --set-xmark ${mark}`);
    const dnat = (t: { ip: string; port: number }) => `-j DNAT --to-destination ${t.ip}:${t.port}`;
    const jumps = targets.map((t, j) => {
      if (affinity === undefined) return dnat(t);
      const epChain = `${n.chainPrefix}-E${i}-${j}`;
      chains.add(epChain);
      const list = affinityList(n, t.id);
      rules.push(`-A ${epChain} -p tcp -m recent --name ${list} --set ${dnat(t)}`);
      return `-j ${epChain}`;
    });
    if (affinity !== undefined) {
      targets.forEach((t, j) => rules.push(`-A ${portChain} -m recent --name ${affinityList(n, t.id)} --rcheck --seconds ${affinity} --reap ${jumps[j]}`));
    }
    targets.forEach((_, j) => {
      const left = targets.length - j;
      rules.push(left === 1 ? `-A ${portChain} -p tcp ${jumps[j]}` : `-A ${portChain} -p tcp -m statistic --mode random --probability ${(1 / left).toFixed(10)} ${jumps[j]}`);
    });
  });
  const stale = [...(o.previous ?? [])].filter((c) => !chains.has(c) && c !== fwd).sort();
  const declared = [...chains, ...stale].filter((c) => c !== fwd).sort();
  const lines = ['*nat', ...declared.map((c) => `:${c} - [0:0]`), ...sortRules(rules), ...stale.map((c) => `-X ${c}`), 'COMMIT'];
  if (o.host) lines.push('*filter', `:${fwd} - [0:0]`, ...filter, 'COMMIT');
  const hooks: Hook[] = o.host
    ? [
        { table: 'nat', chain: 'PREROUTING', rule: `-j ${svc}`, first: true },
        { table: 'nat', chain: 'OUTPUT', rule: `-j ${svc}`, first: true },
        { table: 'nat', chain: 'POSTROUTING', rule: `-j ${masq}` },
        { table: 'filter', chain: 'FORWARD', rule: `-j ${fwd}`, first: true },
      ]
    : [
        { table: 'nat', chain: 'PREROUTING', rule: `-j ${svc}` },
        { table: 'nat', chain: 'POSTROUTING', rule: `-j ${masq}` },
      ];
  return { script: [...lines, ''].join('\n'), chains, hooks };
}

/**
 * Rules grouped by chain in first-appearance order, keeping their order within a chain: the
 * script reads chain by chain, as iptables-save prints it.
 */
function sortRules(rules: string[]): string[] {
  const byChain = new Map<string, string[]>();
  for (const r of rules) {
    const chain = r.split(' ')[1]!;
    const list = byChain.get(chain) ?? [];
    list.push(r);
    byChain.set(chain, list);
  }
  return [...byChain.values()].flat();
}

/** Host-rule sets in an `iptables-save` dump: prefix → owner marker (if any), tables, hook rules. */
export interface SavedHostRules {
  prefix: string;
  owner?: string;
  /** `table chain` of every chain of the set. */
  chains: Array<{ table: string; chain: string }>;
  /** Rules in built-in chains that jump into the set, as `iptables -t TABLE -D` arguments. */
  hooks: Array<{ table: string; args: string[] }>;
}

export function parseHostRules(saved: string): SavedHostRules[] {
  const sets = new Map<string, SavedHostRules>();
  const get = (prefix: string) => {
    let s = sets.get(prefix);
    if (!s) sets.set(prefix, (s = { prefix, chains: [], hooks: [] }));
    return s;
  };
  let table = '';
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0]!;
      const m = HOST_CHAIN_RE.exec(chain);
      if (m) get(m[1]!).chains.push({ table, chain });
    } else if (line.startsWith('-A ')) {
      const words = line.trim().split(/\s+/);
      const chain = words[1]!;
      const own = HOST_CHAIN_RE.exec(chain);
      const marker = words.find((w) => w.startsWith(OWNER_MARK));
      if (own && marker) get(own[1]!).owner = marker.slice(OWNER_MARK.length).replace(/^"|"$/g, '');
      const target = words[words.indexOf('-j') + 1];
      const into = target ? HOST_CHAIN_RE.exec(target) : null;
      if (!own && into) get(into[1]!).hooks.push({ table, args: ['-D', ...words.slice(1)] });
    }
  }
  return [...sets.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
}
