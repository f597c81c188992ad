/**
 * Suggestions for misspelt keys and values ("hgih" → "high").
 */

/**
 * Optimal-string-alignment distance: Levenshtein plus swaps of two adjacent characters,
 * because swapped letters ("hgih", "stratgey") are the most common typo in hand-written files.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: the transposition case looks two rows back.
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2]! + 1);
      }
      row.push(d);
    }
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate the user most likely meant, or undefined when none is close.
 * Close means: same word ignoring case, edit distance ≤ 2 (but not more than half the
 * longer word, so "foo" does not suggest "low"), or one is a prefix of the other
 * ("keep" → "keep_top") with at least 3 characters in common.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    const hay = candidate.toLowerCase();
    let score: number;
    if (hay === needle) {
      score = 0;
    } else {
      const distance = editDistance(needle, hay);
      const longest = Math.max(needle.length, hay.length);
      if (distance <= 2 && distance <= Math.floor(longest / 2)) {
        score = distance;
      } else if (Math.min(needle.length, hay.length) >= 3 && (hay.startsWith(needle) || needle.startsWith(hay))) {
        // Ranked after real typos: a prefix says less about intent than a one-letter slip.
        // An unfinished word ("trials_per") is likelier than one with extra text appended.
        score = hay.startsWith(needle) ? 3 : 3.5;
      } else {
        continue;
      }
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** `; did you mean "high"?` or an empty string, to append to a message. */
export function suggestion(input: string, candidates: readonly string[]): string {
  const match = didYouMean(input, candidates);
  return match === undefined ? '' : `; did you mean "${match}"?`;
}
