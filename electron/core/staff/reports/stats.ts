/** Upper tails of the two counting distributions the anomaly flags use, computed in log space. */

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** P(X ≥ k) for X ~ Poisson(lambda). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  let below = 0;
  for (let i = 0; i < k; i++) below += Math.exp(i * Math.log(lambda) - lambda - logFactorial(i));
  return Math.max(0, 1 - below);
}

/** P(X ≥ k) for X ~ Binomial(n, p). Summed directly over the tail, so tiny values stay accurate. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lf = (m: number) => logFactorial(m);
  let tail = 0;
  for (let i = k; i <= n; i++)
    tail += Math.exp(lf(n) - lf(i) - lf(n - i) + i * Math.log(p) + (n - i) * Math.log(1 - p));
  return Math.min(1, tail);
}
