import { checkConfigKey } from '../../model/names.js';
import type { Path } from '../path.js';
import type { Reporter } from '../report.js';
import { checkClaimResources } from './resources.js';
import type { Rec } from './values.js';
import { isRecord, rec } from './values.js';
import { quote } from '../../model/excerpt.js';

/**
 * Keys a typed Secret must carry (pkg/apis/core/validation ValidateSecret). A Map: `type` is the
 * manifest's, and `type: constructor` must not find Object.prototype's.
 */
const REQUIRED_SECRET_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['kubernetes.io/tls', ['tls.crt', 'tls.key']],
  ['kubernetes.io/dockerconfigjson', ['.dockerconfigjson']],
  ['kubernetes.io/dockercfg', ['.dockercfg']],
  ['kubernetes.io/ssh-auth', ['ssh-privatekey']],
]);

/** Go's base64.StdEncoding, which ignores CR and LF. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkConfigMap(object: Rec, r: Reporter): void {
  checkKeys(object.data, ['data'], r);
  checkKeys(object.binaryData, ['binaryData'], r);
  checkBase64Values(object.binaryData, ['binaryData'], r, 'binaryData holds base64; put text in data');
  const data = rec(object.data);
  const binary = rec(object.binaryData);
  if (data && binary)
    for (const key of Object.keys(binary))
      if (Object.prototype.hasOwnProperty.call(data, key))
        r.report('duplicate-config-key', ['binaryData', key], `key ${quote(key)} is in both data and binaryData`, { at: 'key' });
}

export function checkSecret(object: Rec, r: Reporter): void {
  checkKeys(object.data, ['data'], r);
  checkKeys(object.stringData, ['stringData'], r);
  checkBase64Values(object.data, ['data'], r, 'Secret data holds base64; put plain text in stringData');
  const type = typeof object.type === 'string' ? object.type : 'Opaque';
  const required = REQUIRED_SECRET_KEYS.get(type);
  if (!required) return;
  const present = new Set([...Object.keys(rec(object.data) ?? {}), ...Object.keys(rec(object.stringData) ?? {})]);
  for (const key of required)
    if (!present.has(key))
      r.report('missing-field', ['data', key], `a Secret of type ${type} needs key ${quote(key)} in data or stringData`, { locate: isRecord(object.data) ? ['data'] : [], at: 'key' });
}

export function checkClaim(object: Rec, r: Reporter): void {
  const spec = rec(object.spec);
  if (spec) checkClaimResources(spec.resources, ['spec', 'resources'], r);
}

function checkKeys(map: unknown, path: Path, r: Reporter): void {
  if (!isRecord(map)) return;
  for (const key of Object.keys(map)) {
    const err = checkConfigKey(key);
    if (err) r.report('invalid-config-key', [...path, key], `key ${quote(key)} is invalid: ${err}`, { at: 'key' });
  }
}

function checkBase64Values(map: unknown, path: Path, r: Reporter, hint: string): void {
  if (!isRecord(map)) return;
  for (const [key, value] of Object.entries(map)) {
    if (typeof value !== 'string') continue;
    if (!BASE64.test(value.replace(/[\r\n]/g, '')))
      r.report('invalid-base64', [...path, key], `value of ${quote(key)} is not base64 (${hint})`);
  }
}
