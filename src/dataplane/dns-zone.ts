/**
 * The names the data-plane DNS server answers itself, built from a DnsConfig. Pure: lookup()
 * says what to answer, or that the question belongs upstream.
 *
 * Names, as Kubernetes DNS defines them (d = the cluster domain):
 *   <svc>.<ns>.svc.d            ClusterIP → its clusterIPs (or upstream, where Docker's embedded
 *                               DNS answers the proxy's alias); headless → ready pod IPs;
 *                               ExternalName → CNAME
 *   <host>.<svc>.<ns>.svc.d     headless: one pod (hostname, or its IP with dashes)
 *   _<port>._<proto>.<svc>.<ns>.svc.d   SRV per named port
 *   <a-b-c-d>.<ns>.pod.d        the pod IP written in the name
 * `<svc>.<ns>.svc` and `<svc>.<ns>` answer like the full name. Anything else under d is
 * NXDOMAIN (or NODATA for names that exist with other types or only as parents); anything
 * outside d is forwarded.
 */
import { isIP } from 'node:net';
import type { DnsConfig, DnsEndpoint, DnsPort, DnsService } from './protocol.js';
import type { ResourceRecord, SoaData, SrvData } from './dns-wire.js';
import { CLASS_IN, RCODE, TYPE } from './dns-wire.js';

interface Node {
  addresses: string[];
  /** A/AAAA questions go upstream (ClusterIP without known addresses). */
  forwardAddresses?: boolean;
  cname?: string;
  srv: SrvData[];
}

export interface ZoneAnswer {
  rcode: number;
  authoritative: boolean;
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  /** The answer ends in a CNAME pointing outside the zone: resolve `name`/`type` upstream and append. */
  chase?: { name: string; type: number };
}

export type ZoneLookup = { kind: 'answer'; answer: ZoneAnswer } | { kind: 'forward' };

const MAX_CNAME_CHAIN = 8;

export class Zone {
  readonly domain: string;
  private readonly ttl: number;
  private readonly nodes = new Map<string, Node>();
  /** Names under the domain that exist only as parents of others (empty non-terminals). */
  private readonly parents = new Set<string>();
  private readonly soa: SoaData;
  readonly serviceCount: number;

  constructor(config: DnsConfig, serial: number) {
    this.domain = config.domain.toLowerCase();
    this.ttl = config.ttlSeconds;
    this.serviceCount = config.services.length;
    this.soa = { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl };
    for (const svc of config.services) this.addService(svc);
    for (const pod of ['pod', 'svc']) this.parents.add(`${pod}.${this.domain}`);
    for (const name of this.nodes.keys()) {
      if (!name.endsWith(`.${this.domain}`)) continue;
      let p = name;
      while ((p = p.slice(p.indexOf('.') + 1)) !== this.domain && p.includes('.')) this.parents.add(p);
    }
  }

  get nameCount(): number {
    return this.nodes.size;
  }

  lookup(qname: string, qtype: number): ZoneLookup {
    const name = qname.toLowerCase();
    const inDomain = name === this.domain || name.endsWith(`.${this.domain}`);
    const node = this.nodes.get(name) ?? this.podNode(name);
    if (!node) {
      if (!inDomain) return { kind: 'forward' };
      if (name === this.domain && (qtype === TYPE.SOA || qtype === TYPE.ANY)) {
        return this.reply(RCODE.NOERROR, [{ name: qname, type: TYPE.SOA, class: CLASS_IN, ttl: this.ttl, data: this.soa }]);
      }
      const exists = name === this.domain || this.parents.has(name);
      return this.reply(exists ? RCODE.NOERROR : RCODE.NXDOMAIN, []);
    }
    if (node.forwardAddresses && !node.cname && (qtype === TYPE.A || qtype === TYPE.AAAA || qtype === TYPE.ANY)) return { kind: 'forward' };
    const answers: ResourceRecord[] = [];
    const additional: ResourceRecord[] = [];
    let owner = qname;
    let current: Node | undefined = node;
    for (let depth = 0; current?.cname && qtype !== TYPE.CNAME; depth++) {
      answers.push({ name: owner, type: TYPE.CNAME, class: CLASS_IN, ttl: this.ttl, data: current.cname });
      owner = current.cname;
      if (depth >= MAX_CNAME_CHAIN) return this.reply(RCODE.SERVFAIL, []);
      const next = this.nodes.get(owner.toLowerCase()) ?? this.podNode(owner.toLowerCase());
      const nextInDomain = owner.toLowerCase() === this.domain || owner.toLowerCase().endsWith(`.${this.domain}`);
      if (!next || (next.forwardAddresses && !next.cname)) {
        // Out of our zone (or an address only upstream knows): the server resolves it upstream.
        if (!next && nextInDomain) return this.reply(RCODE.NXDOMAIN, answers);
        const answer = this.reply(RCODE.NOERROR, answers).answer;
        answer.chase = { name: owner, type: qtype };
        return { kind: 'answer', answer };
      }
      current = next;
    }
    if (!current) return this.reply(RCODE.NOERROR, answers);
    if (current.cname && qtype === TYPE.CNAME) {
      answers.push({ name: owner, type: TYPE.CNAME, class: CLASS_IN, ttl: this.ttl, data: current.cname });
    }
    if (qtype === TYPE.A || qtype === TYPE.ANY) for (const ip of current.addresses) if (isIP(ip) === 4) answers.push(this.rr(owner, TYPE.A, ip));
    if (qtype === TYPE.AAAA || qtype === TYPE.ANY) for (const ip of current.addresses) if (isIP(ip) === 6) answers.push(this.rr(owner, TYPE.AAAA, ip));
    if (qtype === TYPE.SRV || qtype === TYPE.ANY) {
      for (const srv of current.srv) {
        answers.push(this.rr(owner, TYPE.SRV, srv));
        for (const ip of this.nodes.get(srv.target)?.addresses ?? []) additional.push(this.rr(srv.target, isIP(ip) === 6 ? TYPE.AAAA : TYPE.A, ip));
      }
    }
    const result = this.reply(RCODE.NOERROR, answers);
    result.answer.additional = additional;
    return result;
  }

  private reply(rcode: number, answers: ResourceRecord[]): { kind: 'answer'; answer: ZoneAnswer } {
    // Negative answers carry the SOA so resolvers cache them for at most `ttl` (RFC 2308).
    const negative = rcode === RCODE.NXDOMAIN || (rcode === RCODE.NOERROR && answers.length === 0);
    return {
      kind: 'answer',
      answer: {
        rcode,
        authoritative: true,
        answers,
        authority: negative ? [{ name: this.domain, type: TYPE.SOA, class: CLASS_IN, ttl: this.ttl, data: this.soa }] : [],
        additional: [],
      },
    };
  }

  private rr(name: string, type: number, data: ResourceRecord['data']): ResourceRecord {
    return { name, type, class: CLASS_IN, ttl: this.ttl, data };
  }

  private node(name: string): Node {
    let n = this.nodes.get(name);
    if (!n) {
      n = { addresses: [], srv: [] };
      this.nodes.set(name, n);
    }
    return n;
  }

  private addService(svc: DnsService): void {
    const base = `${svc.name}.${svc.namespace}.svc.${this.domain}`;
    const main = this.node(base);
    const ready = svc.endpoints.filter((e) => e.ready);
    if (svc.type === 'ExternalName' && svc.externalName) {
      main.cname = svc.externalName.toLowerCase();
    } else if (svc.type === 'Headless') {
      for (const ep of ready) {
        main.addresses.push(ep.ip);
        this.node(`${podLabel(ep)}.${base}`).addresses.push(ep.ip);
      }
    } else if (svc.clusterIPs && svc.clusterIPs.length > 0) {
      main.addresses.push(...svc.clusterIPs);
    } else {
      main.forwardAddresses = true;
    }
    if (svc.type !== 'ExternalName') {
      for (const port of svc.ports) {
        if (!port.name) continue;
        const srvName = `_${port.name}._${port.protocol.toLowerCase()}.${base}`;
        const records = svc.type === 'Headless' ? ready.map((ep) => this.endpointSrv(ep, port, base, ready.length)) : [{ priority: 0, weight: 100, port: port.port, target: base }];
        this.node(srvName).srv.push(...records);
        main.srv.push(...records);
      }
    }
    // Short forms answer like the full name (the proxy's Docker aliases do the same for ClusterIP).
    for (const alias of [`${svc.name}.${svc.namespace}.svc`, `${svc.name}.${svc.namespace}`]) {
      if (!this.nodes.has(alias)) this.nodes.set(alias, main);
    }
  }

  private endpointSrv(ep: DnsEndpoint, port: DnsPort, base: string, count: number): SrvData {
    return { priority: 0, weight: Math.max(1, Math.floor(100 / count)), port: (ep.ports && Object.hasOwn(ep.ports, port.name) ? ep.ports[port.name] : undefined) ?? port.targetPort ?? port.port, target: `${podLabel(ep)}.${base}` };
  }

  /** `10-1-2-3.<ns>.pod.<domain>` → 10.1.2.3 (Kubernetes pod A records). */
  private podNode(name: string): Node | undefined {
    const suffix = `.pod.${this.domain}`;
    if (!name.endsWith(suffix)) return undefined;
    const labels = name.slice(0, -suffix.length).split('.');
    if (labels.length !== 2) return undefined;
    const ip = labels[0]!.replaceAll('-', '.');
    if (isIP(ip) !== 4) return undefined;
    return { addresses: [ip], srv: [] };
  }
}

function podLabel(ep: DnsEndpoint): string {
  return (ep.hostname ?? (isIP(ep.ip) === 6 ? ep.ip.replaceAll(':', '-') : ep.ip.replaceAll('.', '-'))).toLowerCase();
}
