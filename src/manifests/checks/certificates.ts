import { checkDns1123Subdomain } from '../../model/names.js';
import { quote } from '../../model/excerpt.js';
import { parseGoDuration } from '../../model/go-duration.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkHostname } from './edge-names.js';
import type { Rec } from './values.js';
import { arr, has, rec, str } from './values.js';

// cert-manager's Issuer, ClusterIssuer and Certificate, checked as its validating webhook
// (internal/apis/certmanager/validation) does: what it rejects is an error here. What is valid
// but not run by berth (other issuer types, DNS-01) the schema warns of by name.

const ISSUER_TYPES = ['acme', 'ca', 'selfSigned', 'vault', 'venafi'];
const HOUR_MS = 3_600_000;

export function checkIssuer(object: Rec, r: Reporter): void {
  const spec = rec(object.spec);
  if (!spec) return;
  const types = ISSUER_TYPES.filter((t) => has(spec, t));
  if (types.length === 0) r.report('missing-field', ['spec'], `an issuer needs one issuer type: ${ISSUER_TYPES.join(', ')} (berth runs acme)`, { at: 'key' });
  if (types.length > 1) r.report('invalid-value', ['spec', types[1]!], `an issuer has one type; ${types.join(' and ')} are both set`, { at: 'key' });
  // Valid cert-manager issuers berth does not run: stored and shown, named here (`selfSigned: {}` is their usual, empty, spelling).
  for (const t of types) if (t !== 'acme') r.report('unsupported-route-feature', ['spec', t], `a ${t} issuer is valid, but berth runs ACME issuers only; Certificates naming it are not issued`, { at: 'key' });
  const acme = rec(spec.acme);
  if (acme) checkAcme(acme, ['spec', 'acme'], r);
}

function checkAcme(acme: Rec, path: Path, r: Reporter): void {
  const server = str(acme.server);
  if (server !== undefined && !/^https?:\/\/[^\s/]+/.test(server)) r.report('invalid-value', [...path, 'server'], `server ${quote(server)} must be the URL of the ACME directory (https://…)`);
  const email = str(acme.email);
  if (email !== undefined && !/^[^@\s]+@[^@\s]+$/.test(email)) r.report('invalid-value', [...path, 'email'], `email ${quote(email)} is not an email address`);
  if (has(acme, 'caBundle') && acme.skipTLSVerify === true)
    r.report('invalid-value', [...path, 'skipTLSVerify'], 'caBundle and skipTLSVerify are mutually exclusive: trust the bundle, or skip verification', { at: 'key' });
  const bundle = str(acme.caBundle);
  if (bundle !== undefined && !decodesToPem(bundle)) r.report('invalid-value', [...path, 'caBundle'], 'caBundle must be base64 of PEM certificates (-----BEGIN CERTIFICATE-----)');
  const privateKeyName = str(rec(acme.privateKeySecretRef)?.name);
  const nameErr = privateKeyName !== undefined ? checkDns1123Subdomain(privateKeyName) : undefined;
  if (nameErr) r.report('invalid-name', [...path, 'privateKeySecretRef', 'name'], `Secret name ${quote(privateKeyName!)} is invalid: ${nameErr}`);
  arr(acme.solvers).forEach((s, i) => checkSolver(rec(s), [...path, 'solvers', i], r));
}

function decodesToPem(b64: string): boolean {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(b64)) return false;
  return Buffer.from(b64, 'base64').toString('latin1').includes('-----BEGIN CERTIFICATE-----');
}

function checkSolver(solver: Rec | undefined, path: Path, r: Reporter): void {
  if (!solver) return;
  const kinds = ['http01', 'dns01'].filter((k) => has(solver, k));
  if (kinds.length === 0) r.report('missing-field', path, 'a solver needs http01 (or dns01)', { at: 'key' });
  if (kinds.length > 1) r.report('invalid-value', [...path, 'dns01'], 'a solver has one type; http01 and dns01 are both set (write two solvers)', { at: 'key' });
  const http01 = rec(solver.http01);
  if (!http01) return;
  const ways = ['ingress', 'gatewayHTTPRoute'].filter((k) => has(http01, k));
  if (ways.length !== 1) r.report(ways.length ? 'invalid-value' : 'missing-field', [...path, 'http01'], 'http01 needs exactly one of ingress and gatewayHTTPRoute', { at: 'key' });
  const ingress = rec(http01.ingress);
  const named = ['class', 'ingressClassName', 'name'].filter((k) => has(ingress, k));
  if (named.length > 1) r.report('invalid-value', [...path, 'http01', 'ingress', named[1]!], `only one of class, ingressClassName and name may be set (${named.join(', ')} are)`, { at: 'key' });
}

export function checkCertificate(object: Rec, r: Reporter): void {
  const spec = rec(object.spec);
  if (!spec) return;
  const secret = str(spec.secretName);
  const secretErr = secret !== undefined ? checkDns1123Subdomain(secret) : undefined;
  if (secretErr) r.report('invalid-name', ['spec', 'secretName'], `secretName ${quote(secret!)} is invalid: ${secretErr}`);
  const commonName = str(spec.commonName);
  if (commonName !== undefined && commonName.length > 64) r.report('invalid-value', ['spec', 'commonName'], `commonName must be no more than 64 characters (is ${commonName.length}); X.509 allows no more`);
  const dnsNames = arr(spec.dnsNames);
  if (dnsNames.length === 0 && !has(spec, 'commonName')) r.report('missing-field', ['spec'], 'a Certificate needs dnsNames (or a commonName)', { at: 'key' });
  dnsNames.forEach((n, i) => {
    const name = str(n);
    if (name === undefined) return;
    const err = checkHostname(name);
    if (err) r.report('invalid-host', ['spec', 'dnsNames', i], `DNS name ${quote(name)} is invalid: ${err}`);
    // ACME CAs validate a wildcard only by DNS-01, which berth does not run.
    else if (name.startsWith('*.')) r.report('unsupported-route-feature', ['spec', 'dnsNames', i], `${quote(name)} is a wildcard; ACME CAs issue wildcards only through DNS-01 challenges, and berth answers HTTP-01`);
  });
  const issuer = rec(spec.issuerRef);
  const group = str(issuer?.group) ?? 'cert-manager.io';
  const kind = str(issuer?.kind) ?? 'Issuer';
  if (group === 'cert-manager.io' && kind !== 'Issuer' && kind !== 'ClusterIssuer')
    r.report('invalid-value', ['spec', 'issuerRef', 'kind'], `issuerRef.kind must be Issuer or ClusterIssuer, not ${quote(kind)}`);
  else if (group !== 'cert-manager.io') r.report('unsupported-route-feature', ['spec', 'issuerRef', 'group'], `issuers of group ${quote(group)} are external issuers; berth runs cert-manager.io ACME issuers only`);
  checkDurations(spec, r);
  checkPrivateKey(rec(spec.privateKey), r);
}

function checkDurations(spec: Rec, r: Reporter): void {
  const duration = readDuration(spec, 'duration', r);
  const renewBefore = readDuration(spec, 'renewBefore', r);
  if (duration !== undefined && duration < HOUR_MS) r.report('invalid-value', ['spec', 'duration'], `duration must be at least 1h (is ${String(spec.duration)})`);
  if (renewBefore !== undefined && renewBefore < 5 * 60_000) r.report('invalid-value', ['spec', 'renewBefore'], `renewBefore must be at least 5m (is ${String(spec.renewBefore)})`);
  if (renewBefore !== undefined && renewBefore >= (duration ?? 2160 * HOUR_MS))
    r.report('invalid-value', ['spec', 'renewBefore'], `renewBefore (${String(spec.renewBefore)}) must be less than duration (${String(spec.duration ?? '2160h, the default')})`);
  if (has(spec, 'renewBefore') && has(spec, 'renewBeforePercentage'))
    r.report('invalid-value', ['spec', 'renewBeforePercentage'], 'renewBefore and renewBeforePercentage are mutually exclusive', { at: 'key' });
}

function readDuration(spec: Rec, field: string, r: Reporter): number | undefined {
  const text = str(spec[field]);
  if (text === undefined) return undefined;
  const ms = parseGoDuration(text);
  if (ms === undefined) r.report('invalid-value', ['spec', field], `${field} ${quote(text)} is not a duration (write it as Go does: 2160h, 720h30m)`);
  return ms;
}

function checkPrivateKey(key: Rec | undefined, r: Reporter): void {
  if (!key || key.size === undefined) return;
  const algorithm = str(key.algorithm) ?? 'RSA';
  const size = Number(key.size);
  const ok = algorithm === 'RSA' ? size >= 2048 && size <= 8192 : algorithm === 'ECDSA' ? [256, 384, 521].includes(size) : true;
  if (!ok) r.report('invalid-value', ['spec', 'privateKey', 'size'], algorithm === 'RSA' ? `an RSA key size must be 2048 to 8192 (is ${size})` : `an ECDSA key size must be 256, 384 or 521 (is ${size})`);
}
