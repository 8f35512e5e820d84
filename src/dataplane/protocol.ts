/**
 * The configuration protocol between berth (the writer) and its data-plane programs (the
 * service proxy and the DNS server), shared by both sides. Pure: no I/O, no clock.
 *
 * berth delivers a configuration by uploading a tar holding one file `config-<generation>.json`
 * into the program's config directory with Docker's archive API, and reads `status.json` back
 * the same way. Tar extraction is not atomic, so every file carries a checksum over its whole
 * content: a half-extracted or garbled file never verifies and is ignored until a complete
 * one arrives. The program applies the highest generation that verifies, deletes older ones and
 * acknowledges with `status.json`, which it writes atomically (temp file + rename).
 *
 * This module imports nothing from the rest of berth: it runs inside the data-plane image too.
 */
import { createHash } from 'node:crypto';
import type { DataplaneStatus, DnsConfig, ProxyConfig } from './protocol-types.js';
import { validateDnsConfig, validateProxyConfig } from './protocol-validate.js';
import type { EdgeConfig } from './edge-types.js';
import { validateEdgeConfig } from './edge-validate.js';

export type * from './protocol-types.js';
export type * from './edge-types.js';

export const PROTOCOL_FORMAT = 'berth.dataplane/v1';
export const STATUS_FILE = 'status.json';
export const DEFAULT_PROXY_CONFIG_DIR = '/var/run/berth-proxy';
export const DEFAULT_DNS_CONFIG_DIR = '/var/run/berth-dns';
export const DEFAULT_EDGE_CONFIG_DIR = '/var/run/berth-edge';

export type DataplaneKind = 'proxy' | 'dns' | 'edge';

export interface PayloadByKind {
  proxy: ProxyConfig;
  dns: DnsConfig;
  edge: EdgeConfig;
}

/** What a config file holds. `checksum` covers every other field. */
export interface ConfigEnvelope<K extends DataplaneKind = DataplaneKind> {
  format: typeof PROTOCOL_FORMAT;
  kind: K;
  generation: number;
  checksum: string;
  payload: PayloadByKind[K];
}

export interface EncodedConfig {
  fileName: string;
  content: string;
}

export type DecodeErrorCode =
  | 'NOT_JSON'
  | 'WRONG_FORMAT'
  | 'WRONG_KIND'
  | 'BAD_GENERATION'
  | 'GENERATION_MISMATCH'
  | 'CHECKSUM_MISMATCH'
  | 'INVALID_PAYLOAD';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
  /** For INVALID_PAYLOAD: every problem found, as `path: message`. */
  problems?: string[];
}

export type DecodeResult<K extends DataplaneKind> = { ok: true; config: ConfigEnvelope<K> } | { ok: false; error: DecodeError };

/** Thrown by the encoders when asked to write a payload the programs would reject. */
export class DataplaneConfigError extends Error {
  override readonly name = 'DataplaneConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    message: string,
    readonly data: { kind: DataplaneKind; problems: string[] },
  ) {
    super(message);
  }
}

const VALIDATORS: { [K in DataplaneKind]: (payload: unknown) => string[] } = {
  proxy: validateProxyConfig,
  dns: validateDnsConfig,
  edge: validateEdgeConfig,
};

const FILE_RE = /^config-(\d{1,16})\.json$/;

export function configFileName(generation: number): string {
  return `config-${generation}.json`;
}

/** The generation a directory entry names, or undefined when it is not a config file. */
export function parseConfigFileName(name: string): number | undefined {
  const m = FILE_RE.exec(name);
  if (!m) return undefined;
  const n = Number(m[1]);
  return isGeneration(n) ? n : undefined;
}

export function isGeneration(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
}

/**
 * Encodes a configuration as the file berth uploads. Generations must strictly increase per
 * program instance: choose one above the `generation` its status.json reports (a clock-based
 * value such as Date.now() also works across writer restarts).
 */
export function encodeConfig<K extends DataplaneKind>(kind: K, payload: PayloadByKind[K], generation: number): EncodedConfig {
  if (!isGeneration(generation)) {
    throw new DataplaneConfigError(`generation must be a positive safe integer, got ${String(generation)}`, {
      kind,
      problems: ['generation: must be a positive safe integer'],
    });
  }
  const problems = VALIDATORS[kind](payload);
  if (problems.length > 0) {
    throw new DataplaneConfigError(`invalid ${kind} configuration: ${problems.join('; ')}`, { kind, problems });
  }
  const checksum = configChecksum(kind, generation, payload);
  const envelope: ConfigEnvelope<K> = { format: PROTOCOL_FORMAT, kind, generation, checksum, payload };
  return { fileName: configFileName(generation), content: `${JSON.stringify(envelope, null, 1)}\n` };
}

export function encodeProxyConfig(payload: ProxyConfig, generation: number): EncodedConfig {
  return encodeConfig('proxy', payload, generation);
}

export function encodeDnsConfig(payload: DnsConfig, generation: number): EncodedConfig {
  return encodeConfig('dns', payload, generation);
}

export function encodeEdgeConfig(payload: EdgeConfig, generation: number): EncodedConfig {
  return encodeConfig('edge', payload, generation);
}

/**
 * Decodes and verifies a config file. `fileGeneration` (from the file name) must match the
 * generation inside, so a file renamed by hand cannot jump the queue.
 */
export function decodeConfig<K extends DataplaneKind>(text: string, kind: K, fileGeneration?: number): DecodeResult<K> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // A half-extracted file lands here: its JSON ends early.
    return fail('NOT_JSON', `not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(doc) || doc.format !== PROTOCOL_FORMAT) return fail('WRONG_FORMAT', `format must be ${PROTOCOL_FORMAT}`);
  if (doc.kind !== kind) return fail('WRONG_KIND', `this file is for kind ${JSON.stringify(doc.kind)}, expected ${kind}`);
  if (!isGeneration(doc.generation)) return fail('BAD_GENERATION', 'generation must be a positive safe integer');
  if (fileGeneration !== undefined && doc.generation !== fileGeneration) {
    return fail('GENERATION_MISMATCH', `file name says generation ${fileGeneration}, content says ${doc.generation}`);
  }
  const expected = configChecksum(kind, doc.generation, doc.payload);
  if (doc.checksum !== expected) return fail('CHECKSUM_MISMATCH', 'checksum does not match the content');
  const problems = VALIDATORS[kind](doc.payload);
  if (problems.length > 0) return { ok: false, error: { code: 'INVALID_PAYLOAD', message: problems.join('; '), problems } };
  return {
    ok: true,
    config: { format: PROTOCOL_FORMAT, kind, generation: doc.generation, checksum: expected, payload: doc.payload as PayloadByKind[K] },
  };
}

/** `sha256:<hex>` over the canonical JSON (sorted keys, no spaces) of format, kind, generation, payload. */
export function configChecksum(kind: DataplaneKind, generation: number, payload: unknown): string {
  const body = canonicalJson({ format: PROTOCOL_FORMAT, kind, generation, payload });
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/**
 * JSON with object keys sorted and undefined members dropped, so a checksum survives
 * re-serialisation by any writer. Non-finite numbers have no JSON form and are rejected.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
}

function fail(code: DecodeErrorCode, message: string): { ok: false; error: DecodeError } {
  return { ok: false, error: { code, message } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a status.json a program wrote. Status files are written atomically, so a parse
 * failure means something else wrote the file, not a torn read.
 */
export function decodeStatus(text: string): { ok: true; status: DataplaneStatus } | { ok: false; error: DecodeError } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('NOT_JSON', `not valid JSON (${(err as Error).message})`);
  }
  if (!isRecord(doc) || doc.format !== PROTOCOL_FORMAT) return fail('WRONG_FORMAT', `format must be ${PROTOCOL_FORMAT}`);
  if (doc.kind !== 'proxy' && doc.kind !== 'dns' && doc.kind !== 'edge') return fail('WRONG_KIND', `unknown status kind ${JSON.stringify(doc.kind)}`);
  if (typeof doc.generation !== 'number') return fail('BAD_GENERATION', 'generation must be a number');
  return { ok: true, status: doc as unknown as DataplaneStatus };
}
