import type { Clock } from '../../model/clock.js';
import { BerthError } from '../../model/errors.js';
import { NODE_PORT_RANGE } from '../../plan/node-ports.js';
import { inWriteTransaction, type Db } from './database.js';
import type { NodePortAllocation } from './types.js';

export { NODE_PORT_RANGE };

/**
 * NodePort numbers. A host port is global to the host, so allocations are unique across
 * every app sharing this state dir, and stable: the same Service port gets the same number
 * on every apply until it is released. Which number a Service port gets is decided by the
 * planner (plan/node-ports.ts); the store records it and refuses a port someone holds.
 */
export interface NodePortStore {
  /**
   * Records `port` for a Service port, moving the allocation if the Service port held another
   * one; throws CONFLICT when another Service port (of any app) holds it, USAGE when it is
   * outside the range. `cursor`: the round-robin cursor after an automatic allocation.
   */
  allocateNodePort(app: string, serviceKey: string, portName: string, port: number, options?: { cursor?: number }): number;
  /** Releases a Service's ports, except those named in `keep`; returns the ports released. */
  releaseNodePorts(app: string, serviceKey: string, options?: { keep?: readonly string[] }): number[];
  /** Allocations of one app, or of every app, by port. */
  listNodePorts(app?: string): NodePortAllocation[];
  /** Where the next automatic allocation starts looking (one past the last one handed out). */
  nodePortCursor(): number;
}

interface Row {
  port: number;
  app: string;
  service_key: string;
  port_name: string;
  allocated_at: number;
}

const NEXT_KEY = 'node_port_next';

export function createNodePortStore(db: Db, clock: Clock): NodePortStore {
  const selectByPort = db.prepare('SELECT * FROM node_ports WHERE port = ?');
  const selectOwn = db.prepare('SELECT * FROM node_ports WHERE app = ? AND service_key = ? AND port_name = ?');
  const selectService = db.prepare('SELECT * FROM node_ports WHERE app = ? AND service_key = ? ORDER BY port');
  const selectAll = db.prepare('SELECT * FROM node_ports ORDER BY port');
  const selectApp = db.prepare('SELECT * FROM node_ports WHERE app = ? ORDER BY port');
  const insert = db.prepare('INSERT INTO node_ports (port, app, service_key, port_name, allocated_at) VALUES (?, ?, ?, ?, ?)');
  const deletePort = db.prepare('DELETE FROM node_ports WHERE port = ?');
  const selectNext = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const upsertNext = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');

  const claim = (app: string, serviceKey: string, portName: string, port: number, own: Row | undefined) => {
    if (!Number.isInteger(port) || port < NODE_PORT_RANGE.min || port > NODE_PORT_RANGE.max) {
      throw new BerthError(
        'USAGE',
        `nodePort ${port} of ${serviceKey} is outside the range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
        { app, serviceKey, portName, port },
      );
    }
    if (own?.port === port) return port;
    const holder = selectByPort.get(port) as Row | undefined;
    if (holder !== undefined) {
      const heldBy = { app: holder.app, serviceKey: holder.service_key, portName: holder.port_name };
      throw new BerthError(
        'CONFLICT',
        `nodePort ${port} requested by ${serviceKey} (app ${app}) is already allocated to ${heldBy.serviceKey} (app ${heldBy.app})`,
        { app, serviceKey, portName, port, heldBy },
      );
    }
    if (own !== undefined) deletePort.run(own.port);
    insert.run(port, app, serviceKey, portName, clock.now());
    return port;
  };

  return {
    allocateNodePort: (app, serviceKey, portName, port, options) =>
      inWriteTransaction(db, () => {
        const claimed = claim(app, serviceKey, portName, port, selectOwn.get(app, serviceKey, portName) as Row | undefined);
        if (options?.cursor !== undefined) upsertNext.run(NEXT_KEY, String(options.cursor));
        return claimed;
      }),

    releaseNodePorts: (app, serviceKey, options) =>
      inWriteTransaction(db, () => {
        const keep = new Set(options?.keep ?? []);
        const released = (selectService.all(app, serviceKey) as Row[]).filter((r) => !keep.has(r.port_name));
        for (const r of released) deletePort.run(r.port);
        return released.map((r) => r.port);
      }),

    listNodePorts: (app) => ((app === undefined ? selectAll.all() : selectApp.all(app)) as Row[]).map(fromRow),

    nodePortCursor: () => {
      const hint = Number(selectNext.get(NEXT_KEY) ?? NODE_PORT_RANGE.min);
      return Number.isInteger(hint) && hint >= NODE_PORT_RANGE.min && hint <= NODE_PORT_RANGE.max ? hint : NODE_PORT_RANGE.min;
    },
  };
}

function fromRow(r: Row): NodePortAllocation {
  return { port: r.port, app: r.app, serviceKey: r.service_key, portName: r.port_name, allocatedAt: r.allocated_at };
}
