/**
 * The Replicas field of the Scale form, read as `berth scale --replicas` reads its flag: a whole
 * number, 0 or more. An empty field is no number (`Number('')` is 0: read naively, an empty box
 * scaled the workload to nothing), and the message names the field it is about.
 */
export type ReplicasInput = { ok: true; replicas: number } | { ok: false; error: string };

/** Far above any host's pods; past it is a typo, not a plan. */
export const MAX_REPLICAS = 10_000;

export function parseReplicas(text: string): ReplicasInput {
  const t = text.trim();
  if (t === '') return { ok: false, error: 'Replicas: enter how many pods to run (a whole number, 0 or more).' };
  if (!/^\d+$/.test(t)) return { ok: false, error: `Replicas: "${t}" is not a whole number of 0 or more.` };
  const replicas = Number(t);
  if (replicas > MAX_REPLICAS) return { ok: false, error: `Replicas: at most ${MAX_REPLICAS}.` };
  return { ok: true, replicas };
}
