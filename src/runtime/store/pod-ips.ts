import type { Clock } from '../../model/clock.js';
import { formatIpv4, nextFree, parseIpv4 } from '../../model/ipv4.js';
import { inWriteTransaction, type Db } from './database.js';

/** An address berth assigned to a pod on its namespace network (apply/pod-ips.ts). */
export interface PodIpClaim {
  network: string;
  /** `namespace/name` */
  pod: string;
  app: string;
  ip: string;
  claimedAt: number;
}

export interface PodIpClaimRequest {
  app: string;
  /** The namespace network's Docker name. */
  network: string;
  pod: string;
  /** The network's pod range, as numbers (model/ipv4.ts podAddresses). */
  first: number;
  last: number;
  /**
   * Addresses seen in use on the network (by its containers, whatever the store says): never
   * handed out, and a claim of the pod's own that is among them is given up. The caller leaves
   * out the addresses of the pod's own containers.
   */
  taken: ReadonlySet<string>;
}

/** Which claim a deleted pod held (apply/pod-delete.ts). */
export interface HeldClaim {
  /** When its termination began: a claim made or taken again after is another pod's. */
  before: number;
  /** The address its owner container was made with, when it had one. */
  ip?: string;
}

export interface PodIpStore {
  /**
   * The pod's address, in one write transaction: the one it holds when that is still in the
   * range and not taken, else the next free one after the last claimed on the network
   * (round-robin, wrapping). Undefined when every address of the range is claimed or taken.
   */
  claimPodIp(req: PodIpClaimRequest): string | undefined;
  /**
   * Gives up the pod's address (the pod was deleted); whether it held one. With `held`, only
   * the claim that pod held: claimed (or taken again) no later than `before`, and at `ip` when
   * that is known. A pod re-created under the same name meanwhile (a StatefulSet ordinal) has
   * claimed since, and keeps its claim.
   */
  releasePodIp(network: string, pod: string, held?: HeldClaim): boolean;
  /** Gives up every address on a network (it was removed); how many. */
  releaseNetworkPodIps(network: string): number;
  listPodIps(network?: string): PodIpClaim[];
  /**
   * `berth state rebuild`: the app's claims (and round-robin cursors) become exactly the ones
   * read back from Docker, the addresses its single pods' containers were made with, each dated
   * when its container was made. Whatever the store held before (an older backup's rows for pods
   * gone since) goes. Where two containers name the same pod or address, the newest wins; the
   * others are returned.
   */
  replaceAppPodIps(app: string, claims: readonly PodIpClaim[]): PodIpClaim[];
}

interface Row {
  network: string;
  pod: string;
  app: string;
  ip: string;
  claimed_at: number;
}

export function createPodIpStore(db: Db, clock: Clock): PodIpStore {
  const selectOwn = db.prepare('SELECT * FROM pod_ips WHERE network = ? AND pod = ?');
  const selectNetwork = db.prepare('SELECT * FROM pod_ips WHERE network = ? ORDER BY pod');
  const selectAll = db.prepare('SELECT * FROM pod_ips ORDER BY network, pod');
  const insert = db.prepare('INSERT INTO pod_ips (network, pod, app, ip, claimed_at) VALUES (?, ?, ?, ?, ?)');
  const insertIfFree = db.prepare('INSERT INTO pod_ips (network, pod, app, ip, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const deleteOwn = db.prepare('DELETE FROM pod_ips WHERE network = ? AND pod = ?');
  const deleteHeld = db.prepare('DELETE FROM pod_ips WHERE network = ? AND pod = ? AND claimed_at <= ? AND (? IS NULL OR ip = ?)');
  const touchOwn = db.prepare('UPDATE pod_ips SET claimed_at = ? WHERE network = ? AND pod = ?');
  const deleteNetwork = db.prepare('DELETE FROM pod_ips WHERE network = ?');
  const selectCursor = db.prepare('SELECT next FROM pod_ip_cursors WHERE network = ?').pluck();
  const upsertCursor = db.prepare('INSERT INTO pod_ip_cursors (network, app, next) VALUES (?, ?, ?) ON CONFLICT (network) DO UPDATE SET next = excluded.next');
  const deleteCursor = db.prepare('DELETE FROM pod_ip_cursors WHERE network = ?');
  const deleteApp = db.prepare('DELETE FROM pod_ips WHERE app = ?');
  const deleteAppCursors = db.prepare('DELETE FROM pod_ip_cursors WHERE app = ?');

  return {
    claimPodIp: (req) =>
      inWriteTransaction(db, () => {
        const own = selectOwn.get(req.network, req.pod) as Row | undefined;
        if (own) {
          const n = parseIpv4(own.ip);
          if (n !== undefined && n >= req.first && n <= req.last && !req.taken.has(own.ip)) {
            // Dated anew: the claim is now the one of the container made with it (a pod
            // re-created under its name while the old one's termination ends keeps it, see
            // releasePodIp's `held`).
            touchOwn.run(clock.now(), req.network, req.pod);
            return own.ip;
          }
          deleteOwn.run(req.network, req.pod);
        }
        const claimed = new Set((selectNetwork.all(req.network) as Row[]).map((r) => r.ip));
        const cursor = Number(selectCursor.get(req.network) ?? req.first);
        const ip = nextFree({ first: req.first, last: req.last }, cursor, (n) => claimed.has(formatIpv4(n)) || req.taken.has(formatIpv4(n)));
        if (ip === undefined) return undefined;
        insert.run(req.network, req.pod, req.app, formatIpv4(ip), clock.now());
        upsertCursor.run(req.network, req.app, ip + 1);
        return formatIpv4(ip);
      }),
    releasePodIp: (network, pod, held) =>
      inWriteTransaction(db, () => (held ? deleteHeld.run(network, pod, held.before, held.ip ?? null, held.ip ?? null) : deleteOwn.run(network, pod)).changes > 0),
    releaseNetworkPodIps: (network) =>
      inWriteTransaction(db, () => {
        deleteCursor.run(network);
        return deleteNetwork.run(network).changes;
      }),
    replaceAppPodIps: (app, claims) =>
      inWriteTransaction(db, () => {
        deleteApp.run(app);
        deleteAppCursors.run(app);
        const newestFirst = [...claims].sort((a, b) => b.claimedAt - a.claimedAt);
        return newestFirst.filter((c) => insertIfFree.run(c.network, c.pod, app, c.ip, c.claimedAt).changes === 0);
      }),
    listPodIps: (network) => ((network === undefined ? selectAll.all() : selectNetwork.all(network)) as Row[]).map((r) => ({ network: r.network, pod: r.pod, app: r.app, ip: r.ip, claimedAt: r.claimed_at })),
  };
}
