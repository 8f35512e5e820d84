/**
 * Applies kernel-forwarding rules (kernel-rules.ts) with `iptables-restore --noflush` and keeps
 * per-endpoint counts of open kernel flows (conntrack.ts). When the rules cannot be applied
 * (no iptables binary in the image, no CAP_NET_ADMIN, a kernel without the modules) it says so
 * and steps aside: our chains are emptied so every connection reaches the userspace listeners,
 * which serve the same config. Each apply tries the kernel again.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { FlowCounts } from './conntrack.js';
import { countDnatFlows, departedClosedFlows, sameCounts } from './conntrack.js';
import type { Frontend, RenderedRules, RuleNames } from './kernel-rules.js';
import { parseHostRules, renderRules, svcChain } from './kernel-rules.js';
import type { Logger } from './log.js';
import { errorText } from './log.js';
import type { EndpointStatus, ProxyConfig } from './protocol.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin; never rejects for a non-zero exit (ENOENT does reject). */
export type CommandRunner = (file: string, args: readonly string[], input?: string) => Promise<CommandResult>;

export interface KernelForwarderOptions {
  /** `iptables` and `iptables-restore` (symlinks to the host's multi-call binary in the image). */
  iptables: string;
  iptablesRestore: string;
  /** `/proc/net/nf_conntrack` of this namespace. */
  conntrackFile: string;
  names: RuleNames;
  frontends: (config: ProxyConfig) => Frontend[];
  /** Host mode (renderRules): the NodePort fast path in the host's namespace. */
  host?: boolean;
  /**
   * Host mode: this program's owner marker, `iptables-save`, and how to tell whether another
   * owner still lives (owner.ts). With them, host-rule sets whose owner is gone are removed:
   * a fast path killed without its shutdown must not leave DNAT rules behind.
   */
  owner?: string;
  iptablesSave?: string;
  ownerAlive?: (owner: string) => boolean | undefined;
  /** Only flows that arrived on these ports count (host mode); all DNATed flows otherwise. */
  countPorts?: (config: ProxyConfig) => ReadonlySet<number> | undefined;
  /**
   * Host mode: the `conntrack` tool. With it, closed flows of endpoints that left are deleted
   * (conntrack.ts departedClosedFlows says why) and, until they are, reported as draining.
   */
  conntrack?: string;
  now?: () => number;
  log: Logger;
  run?: CommandRunner;
  readText?: (path: string) => Promise<string>;
}

export type ForwardingMode = 'kernel' | 'userspace';

export class KernelForwarder {
  private chains = new Set<string>();
  private hooked = new Set<string>();
  private counts: FlowCounts = new Map();
  private config: ProxyConfig | undefined;
  private rendered: RenderedRules | undefined;
  private readonly run: CommandRunner;
  private readonly readText: (path: string) => Promise<string>;
  mode: ForwardingMode = 'userspace';
  error: string | undefined;
  /** Host mode with the conntrack tool: when refreshFlows last read the table (epoch ms). */
  flowsReadAt: number | undefined;

  constructor(private readonly o: KernelForwarderOptions) {
    this.run = o.run ?? runCommand;
    this.readText = o.readText ?? ((p) => readFile(p, 'utf8'));
  }

  /** Renders and applies the rules for `config`; falls back to userspace forwarding on failure. */
  async apply(config: ProxyConfig): Promise<void> {
    this.config = config;
    const rendered = renderRules(config, {
      names: this.o.names,
      frontends: this.o.frontends(config),
      previous: this.chains,
      ...(this.o.host ? { host: true } : {}),
      ...(this.o.owner ? { owner: this.o.owner } : {}),
    });
    try {
      await this.restore(rendered);
      await this.hook(rendered);
      if (!this.rendered) await this.sweepStale().catch(() => []);
      this.rendered = rendered;
      this.chains = rendered.chains;
      if (this.mode !== 'kernel') this.o.log.info('kernel forwarding on', { chains: rendered.chains.size });
      this.mode = 'kernel';
      this.error = undefined;
    } catch (err) {
      const message = errorText(err);
      if (this.mode === 'kernel' || this.error !== message) this.o.log.warn('kernel forwarding unavailable; forwarding in userspace', { err: message });
      this.mode = 'userspace';
      this.error = message;
      // Rules of an earlier config may still DNAT to endpoints that have left: empty our entry chain.
      if (this.chains.size > 0) await this.run(this.o.iptables, ['-w', '5', '-t', 'nat', '-F', svcChain(this.o.names)]).catch(() => undefined);
    }
  }

  /**
   * Checks that our hooks are still in place and still first where they must be (Docker
   * re-inserts its own jumps at the top when it restarts; a firewall reload may flush them).
   */
  async reassert(): Promise<void> {
    if (this.mode !== 'kernel' || !this.rendered) return;
    try {
      await this.hook(this.rendered);
      await this.sweepStale();
    } catch (err) {
      this.o.log.warn('could not restore kernel forwarding hooks', { err: errorText(err) });
    }
  }

  /**
   * Removes host-rule sets (other than ours) whose owner process is gone: hooks first, then
   * their chains. Owners this program cannot judge (another PID namespace) are left alone.
   */
  async sweepStale(): Promise<string[]> {
    if (!this.o.host || !this.o.iptablesSave || !this.o.ownerAlive) return [];
    const saved = await this.run(this.o.iptablesSave, []);
    if (saved.code !== 0) return [];
    const own = this.o.names.chainPrefix;
    const removed: string[] = [];
    for (const set of parseHostRules(saved.stdout)) {
      if (set.prefix === own) continue;
      if (set.owner !== undefined && this.o.ownerAlive(set.owner) !== false) continue;
      for (const h of set.hooks) await this.run(this.o.iptables, ['-w', '5', '-t', h.table, ...h.args]);
      const tables = [...new Set(set.chains.map((c) => c.table))];
      const script = tables.flatMap((t) => {
        const chains = set.chains.filter((c) => c.table === t).map((c) => c.chain);
        return [`*${t}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT'];
      });
      const r = await this.run(this.o.iptablesRestore, ['--noflush', '-w', '5'], `${script.join('\n')}\n`);
      if (r.code === 0) {
        removed.push(set.prefix);
        this.o.log.info('removed stale host rules', { chains: set.prefix, owner: set.owner ?? 'unknown' });
      }
    }
    return removed;
  }

  /** Re-reads conntrack; true when the per-endpoint counts changed. */
  async refreshFlows(): Promise<boolean> {
    let next: FlowCounts = new Map();
    if (this.mode === 'kernel' && this.config) {
      try {
        let text = await this.readText(this.o.conntrackFile);
        const ports = this.o.countPorts?.(this.config);
        if (this.o.host && this.o.conntrack && ports && (await this.deleteDeparted(text, ports, this.config))) text = await this.readText(this.o.conntrackFile);
        next = countDnatFlows(text, ports);
        if (this.o.host && this.o.conntrack) this.flowsReadAt = (this.o.now ?? Date.now)();
        // Closed flows of departed endpoints still there (deleting failed, or closed since) keep the
        // endpoint draining: berth removes a pod's sandbox (and dockerd purges its address) only
        // once they are gone (runtime/services.ts, afterStop).
        if (this.o.host && this.o.conntrack && ports) {
          for (const d of departedClosedFlows(text, ports, endpointIps(this.config))) next.set(`${d.ip}:${d.port}`, (next.get(`${d.ip}:${d.port}`) ?? 0) + d.count);
        }
      } catch {
        next = new Map();
      }
    }
    // A fresh read is news in itself when berth waits for one (flowsReadAt).
    if (sameCounts(next, this.counts)) return this.flowsReadAt !== undefined;
    this.counts = next;
    return true;
  }

  /**
   * Deletes the closed flows of endpoints that left (conntrack.ts departedClosedFlows), by node
   * port, address, port and state: open flows of those endpoints, and every flow of a listed
   * endpoint, stay. True when it deleted anything.
   */
  private async deleteDeparted(text: string, ports: ReadonlySet<number>, config: ProxyConfig): Promise<boolean> {
    const departed = departedClosedFlows(text, ports, endpointIps(config));
    let deleted = false;
    for (const d of departed) {
      const args = ['-D', '-p', 'tcp', '--orig-port-dst', String(d.dport), '--reply-src', d.ip, '--reply-port-src', String(d.port), '--state', d.state];
      // Exit 1 with "0 flow entries" when they went by themselves meanwhile: not an error.
      const r = await this.run(this.o.conntrack!, args).catch((err: unknown) => ({ code: -1, stdout: '', stderr: errorText(err) }));
      if (/[1-9]\d* flow entries have been deleted/.test(r.stderr + r.stdout)) deleted = true;
      else if (r.code !== 0 && !/ 0 flow entries/.test(r.stderr + r.stdout)) this.o.log.warn('could not delete closed flows of a departed endpoint', { endpoint: `${d.ip}:${d.port}`, err: r.stderr.trim() });
    }
    return deleted;
  }

  /** Open kernel flows to `ip:port`. */
  flowsTo(ip: string, port: number): number {
    return this.counts.get(`${ip}:${port}`) ?? 0;
  }

  /** Every `ip:port` with open kernel flows. */
  flowTargets(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Removes our hooks and chains (host mode on shutdown; a proxy's namespace dies with it). */
  async remove(): Promise<void> {
    for (const key of this.hooked) {
      const [table, chain, ...rule] = key.split(' ');
      await this.run(this.o.iptables, ['-w', '5', '-t', table!, '-D', chain!, ...rule]).catch(() => undefined);
    }
    this.hooked.clear();
    const byTable = new Map<string, string[]>();
    for (const c of this.chains) {
      const table = c.endsWith('-FWD') ? 'filter' : 'nat';
      byTable.set(table, [...(byTable.get(table) ?? []), c]);
    }
    const script = [...byTable].flatMap(([table, chains]) => [`*${table}`, ...chains.map((c) => `:${c} - [0:0]`), ...chains.map((c) => `-X ${c}`), 'COMMIT']).join('\n');
    if (this.chains.size > 0) await this.run(this.o.iptablesRestore, ['--noflush', '-w', '5'], `${script}\n`).catch(() => undefined);
    this.chains.clear();
    this.mode = 'userspace';
  }

  private async restore(r: RenderedRules): Promise<void> {
    const result = await this.run(this.o.iptablesRestore, ['--noflush', '-w', '5'], r.script);
    if (result.code !== 0) throw new Error(`iptables-restore exited with ${result.code}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  }

  /**
   * Attaches our chains to the built-in ones: `-C` checks, `-I … 1` inserts at the top. A hook
   * that must come first is moved back to the top when something was inserted above it.
   */
  private async hook(r: RenderedRules): Promise<void> {
    for (const h of r.hooks) {
      const rule = h.rule.split(' ');
      const ipt = (...args: string[]) => this.run(this.o.iptables, ['-w', '5', '-t', h.table, ...args]);
      if (h.first) {
        const listed = await ipt('-S', h.chain);
        if (listed.stdout.split('\n').find((l) => l.startsWith('-A ')) === `-A ${h.chain} ${h.rule}`) {
          this.hooked.add(`${h.table} ${h.chain} ${h.rule}`);
          continue;
        }
        for (let i = 0; i < 5 && (await ipt('-C', h.chain, ...rule)).code === 0; i++) await ipt('-D', h.chain, ...rule);
      } else if ((await ipt('-C', h.chain, ...rule)).code === 0) {
        this.hooked.add(`${h.table} ${h.chain} ${h.rule}`);
        continue;
      }
      const insert = await ipt('-I', h.chain, '1', ...rule);
      if (insert.code !== 0) throw new Error(`iptables -t ${h.table} -I ${h.chain} failed: ${insert.stderr.trim().split('\n')[0] ?? ''}`);
      this.hooked.add(`${h.table} ${h.chain} ${h.rule}`);
    }
  }
}

/** Every address the config lists, ready or not: only pods that left it can be removed. */
function endpointIps(config: ProxyConfig): Set<string> {
  return new Set(config.endpoints.map((e) => e.ip));
}

/** spawn with stdin, stdout and stderr collected, a 10 s limit. */
export const runCommand: CommandRunner = (file, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(file, [...args], { stdio: ['pipe', 'pipe', 'pipe'], timeout: 10_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });

/**
 * Adds open kernel flows to the endpoint list of status.json: to the endpoint with that IP, or
 * as a `draining` entry for an endpoint that has left the config but still carries flows
 * (named after what it was called when it was last configured).
 */
export function withKernelFlows(endpoints: EndpointStatus[], flows: ReadonlyMap<string, number>, namesByIp: ReadonlyMap<string, string>): EndpointStatus[] {
  const byIp = new Map<string, number>();
  for (const [target, n] of flows) {
    const ip = target.slice(0, target.lastIndexOf(':'));
    byIp.set(ip, (byIp.get(ip) ?? 0) + n);
  }
  const out = endpoints.map((e) => {
    const n = byIp.get(e.ip) ?? 0;
    byIp.delete(e.ip);
    return n > 0 ? { ...e, active: e.active + n } : e;
  });
  for (const [ip, n] of byIp) out.push({ name: namesByIp.get(ip) ?? ip, ip, ready: false, state: 'draining', active: n, total: 0, failures: 0 });
  return out;
}
