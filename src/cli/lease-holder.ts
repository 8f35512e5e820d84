import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseHolder, LeaseHolderKind } from '../runtime/store/index.js';

/**
 * Who holds an app's lease: this process (pid, host) plus a random part, so two commands of
 * one process never pass for each other. Built here, in cli/, because it reads the process;
 * runtime/ receives it (SPEC §6: one writer per app per host).
 */
export function leaseHolder(kind: LeaseHolderKind): LeaseHolder {
  return { id: `${kind}:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, pid: process.pid, hostname: hostname(), kind };
}
