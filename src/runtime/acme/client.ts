import http from 'node:http';
import https from 'node:https';
import acme from 'acme-client';
import type { AcmeAccountRecord } from '../../model/certificate-state.js';
import type { Clock } from '../../model/clock.js';
import type { CertificateOrder } from '../../plan/certificates.js';
import type { Logger } from '../log.js';
import type { ChallengePublisher } from './challenge.js';

/**
 * One ACME order with acme-client (RFC 8555): account, CSR, HTTP-01 through the edge, the
 * certificate chain. acme-client keeps its HTTP settings in one process-wide axios instance
 * (`acme.axios.defaults`: the https agent for caBundle/skipTLSVerify, retry settings), so the
 * issuer runs one order at a time and sets them for that order only; this file is the only one
 * that touches them. Keys are PEM strings handed back to the caller; none is ever logged.
 */
export interface AccountBook {
  get(issuerKey: string, server: string): AcmeAccountRecord | undefined;
  /** Commits the account (a new key before it is registered, then its URL). */
  save(account: AcmeAccountRecord): void;
}

export interface IssueRequest {
  order: CertificateOrder;
  publisher: ChallengePublisher;
  /** berth's own check that the edge answers the token, before the CA is told to validate. */
  precheck?: (identifier: string, token: string, keyAuthorization: string) => Promise<void>;
}

export interface Issued {
  keyPem: string;
  chainPem: string;
  notBefore: number;
  notAfter: number;
}

/** A failed order: the ACME problem type when the CA sent one, and what went wrong. */
export class AcmeOrderError extends Error {
  constructor(
    message: string,
    readonly problemType?: string,
  ) {
    super(message);
    this.name = 'AcmeOrderError';
  }
}

export interface AcmeIssuerDeps {
  clock: Clock;
  log: Logger;
  accounts: AccountBook;
  /** An order that has not finished by then fails (default 5 minutes). */
  deadlineMs?: number;
  /** acme-client's retry of failed requests (default: its own, 5 attempts 5 s apart growing). */
  retry?: { maxAttempts: number; delaySeconds: number };
  /** One request to the CA, connect to last byte (default 30 s). */
  requestTimeoutMs?: number;
  /** The longest Retry-After the CA may make a retry wait (default 60 s). */
  maxRetryAfterSeconds?: number;
}

export interface AcmeIssuer {
  issue(req: IssueRequest): Promise<Issued>;
}

export const ORDER_DEADLINE_MS = 5 * 60_000;
/** An ACME response is a small JSON document or a PEM chain: anything larger is not one. */
export const MAX_ACME_RESPONSE_BYTES = 1024 * 1024;

/** Orders one at a time (acme-client's settings are process-wide); one issuer per process. */
export function createAcmeIssuer(deps: AcmeIssuerDeps): AcmeIssuer {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    issue(req) {
      const started = queue.then(() => ({ work: orderOnce(deps, req) }));
      // The next order waits for this one to end, even past its deadline: it holds the process-wide settings.
      queue = started.then(({ work }) => work.catch(() => undefined));
      return started.then(({ work }) => withDeadline(deps, req.order, work));
    },
  };
}

/** The order's result, or a failure at the deadline. */
async function withDeadline<T>(deps: AcmeIssuerDeps, order: CertificateOrder, work: Promise<T>): Promise<T> {
  const ms = deps.deadlineMs ?? ORDER_DEADLINE_MS;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = deps.clock.setTimeout(() => reject(new AcmeOrderError(`the order for ${order.dnsNames.join(', ')} did not finish within ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    if (timer) deps.clock.clearTimeout(timer);
  }
}

async function orderOnce(deps: AcmeIssuerDeps, req: IssueRequest): Promise<Issued> {
  const { order } = req;
  const log = deps.log.child({ component: 'acme', certificate: order.key, issuer: order.issuerKey });
  const agent = trustAgent(order);
  const restore = boundRequests(deps, agent);
  // acme-client reports a CA's problem by its detail alone: note each problem document (and each
  // invalid challenge's error) the CA sends, so a failure keeps its RFC 8555 type.
  const problems: Array<{ type: string; detail: string }> = [];
  const noteProblems = acme.axios.interceptors.response.use((resp) => {
    const data = resp.data as { type?: unknown; detail?: unknown; error?: { type?: unknown; detail?: unknown } } | undefined;
    const p = data?.error ?? data;
    if (typeof p?.type === 'string' && typeof p.detail === 'string' && p.type.startsWith('urn:ietf:params:acme:error:')) problems.push({ type: p.type, detail: p.detail });
    return resp;
  });
  try {
    await reachDirectory(order.acme.server, agent, deps.requestTimeoutMs ?? 30_000);
    const client = await accountClient(deps, order);
    const certKey = order.reuseKeyPem ?? (order.privateKey.algorithm === 'ECDSA' ? await acme.crypto.createPrivateEcdsaKey(curve(order.privateKey.size)) : await acme.crypto.createPrivateRsaKey(order.privateKey.size)).toString();
    const commonName = order.commonName ?? order.dnsNames[0]!;
    const [, csr] = await acme.crypto.createCsr({ commonName, altNames: order.dnsNames }, certKey);
    log.info({ dnsNames: order.dnsNames }, 'ordering a certificate');
    const chainPem = await client.auto({
      csr,
      ...(order.acme.email ? { email: order.acme.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // acme-client would resolve each name in public DNS; berth checks through the edge instead (precheck).
      skipChallengeVerification: true,
      ...(order.acme.preferredChain ? { preferredChain: order.acme.preferredChain } : {}),
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        if (challenge.type !== 'http-01') throw new AcmeOrderError(`the CA offers no http-01 challenge for ${authz.identifier.value} (berth answers HTTP-01 only)`);
        const token = (challenge as { token: string }).token;
        await req.publisher.publish(token, keyAuthorization, authz.identifier.value);
        await req.precheck?.(authz.identifier.value, token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        await req.publisher.unpublish((challenge as { token: string }).token);
      },
    });
    const info = acme.crypto.readCertificateInfo(chainPem);
    log.info({ dnsNames: order.dnsNames, notAfter: info.notAfter.toISOString() }, 'certificate issued');
    return { keyPem: certKey, chainPem, notBefore: info.notBefore.getTime(), notAfter: info.notAfter.getTime() };
  } catch (err) {
    throw asOrderError(err, problems);
  } finally {
    acme.axios.interceptors.response.eject(noteProblems);
    restore();
  }
}

type OrderDefaults = {
  httpsAgent?: unknown;
  timeout?: number;
  maxContentLength?: number;
  maxBodyLength?: number;
  maxRedirects?: number;
  transformResponse?: unknown;
  acmeSettings?: { retryMaxAttempts: number; retryDefaultDelay: number };
};

/**
 * Sets acme-client's process-wide axios settings for one order and returns what puts them back.
 * The CA is whatever URL a manifest's Issuer names, so it is hostile: every request has a
 * timeout, a response a size cap, a redirect is an error (never followed to another host), and
 * a Retry-After is capped, so an order always ends and the next one (which waits for it) runs.
 */
function boundRequests(deps: AcmeIssuerDeps, agent: https.Agent | undefined): () => void {
  const defaults = acme.axios.defaults as OrderDefaults;
  const saved: OrderDefaults = { ...defaults, ...(defaults.acmeSettings ? { acmeSettings: { ...defaults.acmeSettings } } : {}) };
  const cap = deps.maxRetryAfterSeconds ?? 60;
  const transforms = Array.isArray(saved.transformResponse) ? saved.transformResponse : saved.transformResponse ? [saved.transformResponse] : [];
  // acme-client reads Retry-After from the response headers after the transforms ran on them.
  const capRetryAfter = (data: unknown, headers?: { get(n: string): unknown; set(n: string, v: string): void }) => {
    const v = headers?.get('retry-after');
    if (v !== undefined && v !== null) {
      const seconds = /^\d+$/.test(String(v).trim()) ? Number(String(v).trim()) : Math.ceil((Date.parse(String(v)) - deps.clock.now()) / 1000);
      if (Number.isFinite(seconds) && seconds > cap) headers!.set('retry-after', String(cap));
    }
    return data;
  };
  Object.assign(defaults, {
    httpsAgent: agent,
    timeout: deps.requestTimeoutMs ?? 30_000,
    maxContentLength: MAX_ACME_RESPONSE_BYTES,
    maxBodyLength: MAX_ACME_RESPONSE_BYTES,
    maxRedirects: 0,
    transformResponse: [capRetryAfter, ...transforms],
  });
  if (deps.retry && defaults.acmeSettings) {
    defaults.acmeSettings.retryMaxAttempts = deps.retry.maxAttempts;
    defaults.acmeSettings.retryDefaultDelay = deps.retry.delaySeconds;
  }
  return () => {
    for (const k of ['httpsAgent', 'timeout', 'maxContentLength', 'maxBodyLength', 'maxRedirects', 'transformResponse'] as const) defaults[k] = saved[k] as never;
    if (saved.acmeSettings && defaults.acmeSettings) Object.assign(defaults.acmeSettings, saved.acmeSettings);
  };
}

/** The client for the issuer's account: the revision's Secret, else the stored key, else a new key committed before it is registered. */
async function accountClient(deps: AcmeIssuerDeps, order: CertificateOrder): Promise<acme.Client> {
  const server = order.acme.server;
  const stored = deps.accounts.get(order.issuerKey, server);
  let keyPem = order.accountKeyPem ?? stored?.keyPem;
  const email = order.acme.email;
  if (keyPem === undefined) {
    keyPem = (await acme.crypto.createPrivateEcdsaKey()).toString();
    deps.accounts.save({ issuerKey: order.issuerKey, server, keyPem, ...(email ? { email } : {}) });
  }
  // A stored URL belongs to the stored key: a key from the Secret is looked up (or registered) anew.
  const accountUrl = stored && stored.keyPem === keyPem ? stored.accountUrl : undefined;
  const client = new acme.Client({ directoryUrl: server, accountKey: keyPem, ...(accountUrl ? { accountUrl } : {}), backoffMin: 1000, backoffMax: 10_000 });
  if (!accountUrl) {
    // Registering a key already registered returns its account (RFC 8555 §7.3.1).
    await client.createAccount({ termsOfServiceAgreed: true, ...(email ? { contact: [`mailto:${email}`] } : {}) });
    deps.accounts.save({ issuerKey: order.issuerKey, server, keyPem, accountUrl: client.getAccountUrl(), ...(email ? { email } : {}) });
  }
  return client;
}

/**
 * The directory, fetched once with the order's trust settings: a CA that cannot be reached is
 * reported as such (acme-client turns a refused connection into a TypeError about its own
 * request config, losing the cause).
 */
function reachDirectory(server: string, agent: https.Agent | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(server);
    const get = url.protocol === 'http:' ? http.get : https.get;
    const req = get(url, { ...(agent && url.protocol === 'https:' ? { agent } : {}), timeout: timeoutMs }, (res) => {
      res.resume();
      if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve();
      else reject(new AcmeOrderError(`the ACME directory ${server} answered HTTP ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new AcmeOrderError(`cannot reach the ACME server ${server}: ${e.code ?? ''}${e.code ? ' ' : ''}${e.message}`)));
  });
}

function trustAgent(order: CertificateOrder): https.Agent | undefined {
  if (order.acme.skipTLSVerify) return new https.Agent({ rejectUnauthorized: false });
  if (order.acme.caBundle) return new https.Agent({ ca: Buffer.from(order.acme.caBundle, 'base64').toString('utf8') });
  return undefined;
}

function curve(size: number): 'P-256' | 'P-384' | 'P-521' {
  return size === 384 ? 'P-384' : size === 521 ? 'P-521' : 'P-256';
}

/** acme-client reports an ACME problem as its detail only; the type is kept when an error carries it. */
function asOrderError(err: unknown, problems: ReadonlyArray<{ type: string; detail: string }>): AcmeOrderError {
  if (err instanceof AcmeOrderError) return err;
  const e = err as { message?: string; code?: string; response?: { data?: { type?: string; detail?: string } } };
  const sent = e.response?.data?.type ?? [...problems].reverse().find((p) => e.message?.includes(p.detail))?.type;
  // Only an RFC 8555 problem type is kept: it is shown as the failure's reason.
  const type = typeof sent === 'string' && /^urn:ietf:params:acme:error:[A-Za-z0-9]{1,64}$/.test(sent) ? sent : undefined;
  let detail = e.response?.data?.detail ?? e.message ?? String(err);
  // acme-client's response interceptor reads a missing response after a request failed without
  // one, losing the cause: say what can cause it.
  if (err instanceof TypeError && /reading 'config'/.test(detail)) detail = 'a request to the ACME server failed without a response (the connection failed, no answer in time, an answer over 1 MiB)';
  return new AcmeOrderError(capped(e.code && !detail.includes(e.code) ? `${e.code}: ${detail}` : detail), type);
}

/** The CA's text goes into events, logs and the Certificate's status: its first KiB is enough to act on. */
function capped(text: string, max = 1024): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
