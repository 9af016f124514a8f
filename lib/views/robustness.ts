/**
 * Seed robustness of a sweep's configurations: the spread of the final metric over seeds, the coefficient
 * of variation, and whether the ranking of configurations holds from one seed to another (per-seed ranks,
 * Kendall's τ-b and Spearman's ρ for every pair of seeds, over the configurations both seeds have).
 * Pure: works on the rows of an AblationTable (lib/queries/table.ts).
 */
import { aggregate, type Aggregate } from '../stats/aggregate';

export interface RobustnessInputRow {
  method: string;
  label: string;
  seeds: (number | null)[];
  values: number[];
}

export interface ConfigSpread {
  method: string;
  label: string;
  /** seed → value (NaN kept). */
  bySeed: Record<number, number>;
  stats: Aggregate;
  /** seed → rank among configurations for that seed (1 = best); only finite values are ranked. */
  ranks: Record<number, number>;
}

export interface SeedPair {
  a: number;
  b: number;
  /** Configurations with a finite value for both seeds. */
  n: number;
  kendall: number;
  spearman: number;
  sameBest: boolean;
}

export interface Robustness {
  seeds: number[];
  configs: ConfigSpread[];
  pairs: SeedPair[];
  /** Mean τ over pairs; NaN with fewer than 2 seeds. */
  meanKendall: number;
  verdict: 'stable' | 'mostly stable' | 'unstable' | 'not enough data';
}

/** Average ranks (ties share the mean of their positions), 1 = first in order. */
export function ranks(values: readonly number[], better: 'lower' | 'higher' = 'lower'): number[] {
  const idx = values.map((v, i) => ({ v: better === 'lower' ? v : -v, i })).sort((x, y) => x.v - y.v);
  const out = new Array<number>(values.length);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && idx[e + 1].v === idx[s].v) e++;
    for (let k = s; k <= e; k++) out[idx[k].i] = (s + e) / 2 + 1;
    s = e + 1;
  }
  return out;
}

/** Kendall's τ-b (tie-corrected); NaN when fewer than 2 pairs or one side is constant. */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  let concordant = 0,
    discordant = 0,
    tiesX = 0,
    tiesY = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

/** Spearman's ρ: Pearson correlation of the average ranks. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const n = x.length;
  if (n < 2) return NaN;
  const mx = rx.reduce((a, b) => a + b, 0) / n;
  const my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

export function robustness(rows: readonly RobustnessInputRow[], better: 'lower' | 'higher' = 'lower'): Robustness {
  const seeds = [...new Set(rows.flatMap((r) => r.seeds.filter((s): s is number => s !== null)))].sort((a, b) => a - b);
  const configs: ConfigSpread[] = rows.map((r) => {
    const bySeed: Record<number, number> = {};
    r.seeds.forEach((s, i) => {
      if (s !== null) bySeed[s] = r.values[i] ?? NaN;
    });
    return { method: r.method, label: r.label, bySeed, stats: aggregate(r.values), ranks: {} };
  });
  for (const seed of seeds) {
    const ranked = configs.filter((c) => Number.isFinite(c.bySeed[seed]));
    const rk = ranks(
      ranked.map((c) => c.bySeed[seed]),
      better,
    );
    ranked.forEach((c, i) => {
      c.ranks[seed] = rk[i];
    });
  }
  const pairs: SeedPair[] = [];
  for (let i = 0; i < seeds.length; i++) {
    for (let j = i + 1; j < seeds.length; j++) {
      const [a, b] = [seeds[i], seeds[j]];
      const both = configs.filter((c) => Number.isFinite(c.bySeed[a]) && Number.isFinite(c.bySeed[b]));
      const xa = both.map((c) => c.bySeed[a]);
      const xb = both.map((c) => c.bySeed[b]);
      const bestOf = (xs: number[]) =>
        xs.length ? xs.indexOf(better === 'lower' ? Math.min(...xs) : Math.max(...xs)) : -1;
      pairs.push({
        a,
        b,
        n: both.length,
        kendall: kendallTau(xa, xb),
        spearman: spearman(xa, xb),
        sameBest: both.length > 0 && bestOf(xa) === bestOf(xb),
      });
    }
  }
  const taus = pairs.map((p) => p.kendall).filter((t) => Number.isFinite(t));
  const meanKendall = taus.length ? taus.reduce((a, b) => a + b, 0) / taus.length : NaN;
  const verdict = !taus.length
    ? 'not enough data'
    : meanKendall >= 0.8 && pairs.every((p) => p.sameBest)
      ? 'stable'
      : meanKendall >= 0.5
        ? 'mostly stable'
        : 'unstable';
  return { seeds, configs, pairs, meanKendall, verdict };
}
