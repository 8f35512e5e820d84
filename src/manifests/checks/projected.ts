import { quote } from '../../model/excerpt.js';
import type { Path } from '../path.js';
import type { CheckContext, ReferenceKind } from './context.js';
import { checkDownwardVolume } from './downward.js';
import { arr, has, rec, str } from './values.js';

/** How pod.ts checks a configMap/secret source: the object it reads and the keys its items pick. */
export type KeysCheck = (value: unknown, path: Path, nameField: string, kind: ReferenceKind, ctx: CheckContext) => void;

const PROJECTIONS = ['configMap', 'secret', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'] as const;

/**
 * A projected volume (validateProjectedVolumeSource): each source is one projection, its
 * configMap and secret read objects of the revision as those volumes do, and no two items write
 * the same path.
 */
export function checkProjectedVolume(value: unknown, at: Path, containers: ReadonlySet<string>, ctx: CheckContext, keys: KeysCheck): void {
  const src = rec(value);
  if (!src) return;
  const paths = new Set<string>();
  arr(src.sources).forEach((s, i) => {
    const source = rec(s);
    if (!source) return;
    const here = [...at, 'sources', i];
    const kinds = PROJECTIONS.filter((k) => has(source, k));
    if (kinds.length !== 1) ctx.r.report('invalid-volume', here, `a projected source needs exactly one of ${PROJECTIONS.join(', ')}; it has ${kinds.length ? kinds.join(' and ') : 'none'}`);
    keys(source.configMap, [...here, 'configMap'], 'name', 'ConfigMap', ctx);
    keys(source.secret, [...here, 'secret'], 'name', 'Secret', ctx);
    checkDownwardVolume(source.downwardAPI, [...here, 'downwardAPI'], containers, ctx);
    // Against the sources before this one (a downwardAPI source checks its own items).
    const mine: string[] = [];
    for (const kind of ['configMap', 'secret', 'downwardAPI'] as const) {
      arr(rec(source[kind])?.items).forEach((it, j) => {
        const p = str(rec(it)?.path);
        if (p === undefined) return;
        if (paths.has(p)) ctx.r.report('invalid-path', [...here, kind, 'items', j, 'path'], `items path ${quote(p)} is written by another source of this projected volume`);
        mine.push(p);
      });
    }
    for (const p of mine) paths.add(p);
  });
}
