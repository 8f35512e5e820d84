import { kindInfo } from '../../model/kinds.js';

/** kubectl's `<resource>.<group>/<name>` form: `deployment.apps/web`, `service/web`. */
export function kubectlName(kind: string, name: string): string {
  const info = kindInfo(kind);
  const group = info && info.apiVersion.includes('/') ? `.${info.apiVersion.split('/')[0]}` : '';
  return `${kind.toLowerCase()}${group}/${name}`;
}

/** Splits a resource key `Kind/namespace/name`. */
export function parseKey(key: string): { kind: string; namespace: string; name: string } {
  const [kind = '', namespace = '', ...rest] = key.split('/');
  return { kind, namespace, name: rest.join('/') };
}

export function kubectlNameOfKey(key: string): string {
  const { kind, name } = parseKey(key);
  return kubectlName(kind, name);
}
