import { BerthError } from '../model/errors.js';
import type { HostPolicy } from '../model/policy.js';
import { WELL_KNOWN_NODE_LABELS, parseTaint } from '../model/node-scheduling.js';
import { checkLabelKey, checkLabelValue } from '../model/names.js';

/**
 * `--node-label k=v` and `--node-taint k=v:Effect` (config file: nodeLabels, nodeTaints): the
 * operator's labels and taints of the node this host is (its name and kubelet labels come from
 * Docker, runtime/node-facts.ts), for DaemonSet placement and local volumes' nodeAffinity. Part
 * of the host policy so that every command converging the app later (rollout, scale, the
 * daemon) sees the same node.
 */
export function nodeSettings(labels: readonly string[] | undefined, taints: readonly string[] | undefined): Pick<HostPolicy, 'nodeLabels' | 'nodeTaints'> {
  const out: { nodeLabels?: Record<string, string>; nodeTaints?: HostPolicy['nodeTaints'] } = {};
  if (labels?.length) out.nodeLabels = nodeLabels(labels.map((l) => splitLabel(l)));
  if (taints?.length) out.nodeTaints = taints.map((t) => nodeTaint(t));
  return out;
}

function splitLabel(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new BerthError('USAGE', `--node-label ${JSON.stringify(text)}: give it as key=value`, { flag: '--node-label', value: text });
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Checked as Kubernetes checks label keys and values; the kubelet's own labels cannot be replaced. */
export function nodeLabels(entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    const why = checkLabelKey(key) ?? checkLabelValue(value);
    if (why) throw new BerthError('USAGE', `--node-label ${key}=${value}: ${why}`, { flag: '--node-label', value: `${key}=${value}` });
    if (WELL_KNOWN_NODE_LABELS.includes(key)) throw new BerthError('USAGE', `--node-label ${key}: the node sets this label itself`, { flag: '--node-label', value: key });
    out[key] = value;
  }
  return out;
}

export function nodeTaint(text: string): NonNullable<HostPolicy['nodeTaints']>[number] {
  const t = parseTaint(text);
  if (!t) throw new BerthError('USAGE', `--node-taint ${JSON.stringify(text)}: give it as key=value:Effect or key:Effect, Effect one of NoSchedule, PreferNoSchedule, NoExecute`, { flag: '--node-taint', value: text });
  return t;
}

