/**
 * Small dense linear systems for the planar tests' Gauss–Newton / Levenberg–Marquardt steps
 * (8×8 at most, so plain Gauss–Jordan elimination is enough and needs no library).
 */

/**
 * Solves a·x = b by Gauss–Jordan elimination with partial pivoting; null when a pivot falls below
 * `minPivot` (singular, or too close to it for the caller's scale).
 */
export function solveLinear(a: number[][], b: number[], minPivot: number): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[pivot]?.[col] ?? 0)) pivot = r;
    const pr = m[pivot];
    if (!pr || Math.abs(pr[col] ?? 0) < minPivot) return null;
    [m[col], m[pivot]] = [pr, m[col] ?? pr];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r];
      if (!row) continue;
      const f = (row[col] ?? 0) / (pr[col] ?? 1);
      if (f === 0) continue;
      for (let k = col; k <= n; k++) row[k] = (row[k] ?? 0) - f * (pr[k] ?? 0);
    }
  }
  return m.map((row, i) => (row[n] ?? 0) / (row[i] ?? 1));
}
