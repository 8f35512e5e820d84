/**
 * ACME HTTP-01 answers: `GET /.well-known/acme-challenge/<token>` is answered from the file
 * `acme/<token>.json` ({keyAuthorization, notAfter, identifier}) that berth's certificate
 * controller uploads, for the host it names. A token past its `notAfter` is deleted and no longer answered; a request for a token
 * the edge does not have goes through normal routing (an app may answer its own challenges).
 */
import { unlink } from 'node:fs/promises';
import type http from 'node:http';
import { join } from 'node:path';
import { normalizeHost } from './edge-table.js';
import { readRegularFile } from './safe-file.js';

/** Token files are tiny; anything larger is not one. */
const MAX_TOKEN_FILE = 64 * 1024;

const CHALLENGE = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]{1,200})$/;

export interface AcmeToken {
  keyAuthorization: string;
  /** ISO time (or epoch milliseconds) after which the token is no longer answered. */
  notAfter: string | number;
  /**
   * The name the CA validates: when present, the token is answered for that Host only. berth
   * always writes it: it checks that no other app holds the name, and this keeps a token an
   * ACME server obtained for one name from proving another app's host to a real CA.
   */
  identifier?: string;
}

/** The token a request asks for, or undefined when it is not an HTTP-01 challenge request. */
export function challengeToken(req: http.IncomingMessage): string | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return CHALLENGE.exec(q < 0 ? url : url.slice(0, q))?.[1];
}

/** The key authorization to answer with, or undefined (no such token, unreadable, expired, or for another host). */
export async function readToken(acmeDir: string, token: string, now: number, host?: string): Promise<string | undefined> {
  const file = join(acmeDir, `${token}.json`);
  let doc: Partial<AcmeToken>;
  try {
    // Never through a symlink, never a FIFO: the volume's content is hostile.
    doc = JSON.parse((await readRegularFile(file, MAX_TOKEN_FILE)).toString('utf8')) as Partial<AcmeToken>;
  } catch {
    return undefined;
  }
  const notAfter = typeof doc.notAfter === 'number' ? doc.notAfter : Date.parse(String(doc.notAfter));
  // RFC 8555 §8.1: token "." base64url(thumbprint). Anything else would let the file serve
  // arbitrary content under every host's /.well-known/acme-challenge/.
  if (typeof doc.keyAuthorization !== 'string' || !Number.isFinite(notAfter)) return undefined;
  if (!doc.keyAuthorization.startsWith(`${token}.`) || !/^[A-Za-z0-9_-]{1,128}$/.test(doc.keyAuthorization.slice(token.length + 1))) return undefined;
  if (doc.identifier !== undefined && (typeof doc.identifier !== 'string' || host === undefined || normalizeHost(host) !== normalizeHost(doc.identifier))) return undefined;
  if (now > notAfter) {
    await unlink(file).catch(() => {});
    return undefined;
  }
  return doc.keyAuthorization;
}
