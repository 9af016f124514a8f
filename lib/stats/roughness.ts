/**
 * Loss roughness: how jumpy a training curve is around its own trend. The series' residual after a centred
 * moving average of ROUGHNESS_WINDOW steps (ROUGHNESS_HALF on each side), then the population standard
 * deviation of the residuals, over the steps whose whole window lies inside the run. In the series' unit
 * (nats / token for train/loss); 0 for any straight or parabolic curve (the average follows those, up to a
 * constant), and ε·(1 + 1/w) for a ±ε zig-zag around a line when the half-window is odd.
 */

/** Steps on each side of the centre; the window is 2 × ROUGHNESS_HALF + 1 = 11 steps. */
export const ROUGHNESS_HALF = 5;
export const ROUGHNESS_WINDOW = 2 * ROUGHNESS_HALF + 1;

/**
 * Roughness of one series given in step order (one value per step; non-finite values are left out first, so a
 * diverged run is scored on the steps before it blew up). NaN when fewer than one full window remains.
 */
export function roughness(values: readonly number[], half = ROUGHNESS_HALF): number {
  const xs = values.filter((v) => Number.isFinite(v));
  const w = 2 * half + 1;
  if (xs.length < w) return NaN;
  const residuals: number[] = [];
  let sum = 0;
  for (let i = 0; i < w; i++) sum += xs[i];
  for (let c = half; c + half < xs.length; c++) {
    if (c > half) sum += xs[c + half] - xs[c - half - 1];
    residuals.push(xs[c] - sum / w);
  }
  const mean = residuals.reduce((a, b) => a + b, 0) / residuals.length;
  const variance = residuals.reduce((a, r) => a + (r - mean) ** 2, 0) / residuals.length;
  return Math.sqrt(variance);
}
