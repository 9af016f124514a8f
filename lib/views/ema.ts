/**
 * Exponential moving average with the start-up bias removed (as TensorBoard's smoothing slider):
 * s_t = w·s_{t−1} + (1−w)·x_t, divided by 1 − w^t. Non-finite inputs are skipped (the output repeats the
 * last smoothed value there, or is NaN before the first finite one) so a single NaN does not poison the rest.
 */
export function ema(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return [...values];
  let s = 0;
  let k = 0;
  return values.map((x) => {
    if (Number.isFinite(x)) {
      s = w * s + (1 - w) * x;
      k++;
    }
    return k === 0 ? NaN : s / (1 - w ** k);
  });
}
