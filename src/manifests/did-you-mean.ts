/**
 * The closest candidate to a misspelt name, or undefined when nothing is close enough to be a
 * useful suggestion. Case, `-` and `_` differences count as exact (`container_port`,
 * `ContainerPort` → `containerPort`); otherwise the edit distance over lower case (with swapped
 * neighbours as one edit: `imgae` → `image`), allowing roughly one edit per three characters, or
 * a dropped or added word.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const norm = normalize(input);
  const budget = Math.max(1, Math.floor(input.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === input) continue;
    const nc = normalize(c);
    if (nc === norm) return c;
    // A name with a word left out or added (`imagePolicy` for `imagePullPolicy`) is a near miss
    // even when it is more edits away than the budget allows.
    const abbreviated = Math.min(norm.length, nc.length) >= 4 && (isSubsequence(norm, nc) || isSubsequence(nc, norm));
    const d = editDistance(input.toLowerCase(), c.toLowerCase(), abbreviated ? Number.POSITIVE_INFINITY : budget);
    if ((d <= budget || abbreviated) && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (short[i] === long[j]) i++;
  return i === short.length;
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, '');
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein without editing a substring twice):
 * insertions, deletions, substitutions and transpositions of adjacent characters, the slip a
 * typist makes most (`imgae`, `contianers`, `replcias`), each one edit. Gives up (returning
 * limit + 1) once two rows in a row exceed `limit`: a transposition reaches back two rows.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let prevMin = 0;
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, before[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit && prevMin > limit) return limit + 1;
    before = prev;
    prev = cur;
    prevMin = rowMin;
  }
  return Math.min(prev[b.length]!, limit + 1);
}
