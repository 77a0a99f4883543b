/**
 * "Did you mean ...?" for a misspelt key or name, as commander does for options: the nearest
 * candidate by edit distance (insertions, deletions, substitutions and swaps of two neighbours,
 * the optimal string alignment distance), if it is near enough to be a likely typo.
 */

export function editDistance(a: string, b: string): number {
  // rows i-2, i-1, i of the dynamic programme over prefixes of a and b
  let before = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur.push(d);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The candidate nearest `word` (case and - versus _ ignored), or undefined when none is near. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/-/g, '_');
  const w = norm(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, norm(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // near: at most 40% of the word's letters changed, and never more than 3 (commander's bound)
  return bestDistance <= Math.min(3, Math.max(1, Math.floor(w.length * 0.4))) ? best : undefined;
}

/** `, did you mean 'x'?` or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : `, did you mean '${n}'?`;
}
