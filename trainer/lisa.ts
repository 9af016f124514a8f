/**
 * LISA's layer sampler (Pan et al., arXiv 2403.17919). Every K steps it draws which of N units — transformer
 * blocks, or with module granularity the blocks' modules — train for the next period; the embedding, position
 * embedding, final LN and head always train.
 *
 * - `uniform` (paper v3+, LMFlow main): exactly γ units, uniformly without replacement.
 * - `bernoulli` (paper v1): each unit independently with p = γ/N, so the count varies.
 * - `importance`: γ units without replacement, one at a time; a remaining unit u is picked with probability
 *   ∝ q_u = (1 − ε)·w_u/Σw + ε/N, w_u = s_u^(1/τ) for its score s_u (all w = 1 when no score is known yet).
 * - `fixed`: the same given units in every period (no randomness).
 *
 * Its PRNG is its own stream derived from the run seed (different seeds → different layer sequences;
 * axolotl seeds with the global step, so every run gets the same sequence). Period 0 is one draw
 * (ms-swift draws twice at start). State is plain data, saved in checkpoints.
 */
import type { SamplingRule } from '../lib/protocol/config';
import { Rng, type RngState } from './rng';

export type { SamplingRule } from '../lib/protocol/config';

export interface LisaSamplerState {
  rng: RngState;
  /** Index of the last drawn period (-1 before the first draw). */
  period: number;
  active: number[];
  /** `importance`: per unit, the measurement taken at the end of the current period for the next draw. */
  pending?: number[];
  /** `weight_change_rate`: per unit, ‖ΔW‖ when the current period began. */
  updateAtStart?: number[];
}

export interface SamplerOptions {
  /** `importance`: temperature τ (Infinity: uniform weights). */
  tau?: number;
  /** `importance`: uniform floor ε in [0, 1]. */
  eps?: number;
  /** `fixed`: the unit indices of every period. */
  fixed?: number[];
}

export class LisaSampler {
  private rng: Rng;
  private periodIndex = -1;
  private current: number[] = [];

  constructor(
    readonly blocks: number,
    readonly gamma: number,
    readonly rule: SamplingRule,
    seed: number,
    readonly options: SamplerOptions = {},
  ) {
    if (rule !== 'fixed' && (!Number.isInteger(gamma) || gamma < 0 || gamma > blocks)) {
      throw new RangeError(`gamma must be an integer in 0..${blocks} (the number of units), got ${gamma}`);
    }
    if (rule === 'fixed' && !options.fixed?.length) throw new RangeError('sampling fixed needs a list of units');
    this.rng = new Rng(seed, 'lisa-sampler');
  }

  /**
   * Draw the next period's active units (sorted ascending). `scores` (`importance`): one per unit, from the
   * measurements before this draw; absent or all zero: every unit weighs the same.
   */
  next(scores?: readonly number[]): number[] {
    this.periodIndex++;
    if (this.rule === 'uniform') this.current = this.uniform();
    else if (this.rule === 'bernoulli') this.current = this.bernoulli();
    else if (this.rule === 'importance') this.current = this.importance(scores);
    else this.current = [...(this.options.fixed ?? [])].sort((a, b) => a - b);
    return [...this.current];
  }

  /**
   * The probability weights q_u of one pick: (1 − ε)·w_u/Σw + ε/N with w_u = s_u^(1/τ), computed as
   * exp((ln s_u − ln max s)/τ) so that small τ does not overflow; a score ≤ 0 or not finite weighs 0.
   */
  weights(scores?: readonly number[]): number[] {
    const n = this.blocks;
    const tau = this.options.tau ?? 1;
    const eps = this.options.eps ?? 0.1;
    const valid = (s: number) => Number.isFinite(s) && s > 0;
    const top = scores ? Math.max(0, ...scores.filter(valid)) : 0;
    const w =
      scores && top > 0
        ? scores.map((s) => (valid(s) ? (Number.isFinite(tau) ? Math.exp((Math.log(s) - Math.log(top)) / tau) : 1) : 0))
        : new Array<number>(n).fill(1);
    let total = 0;
    for (const x of w) total += x;
    return w.map((x) => ((1 - eps) * x) / total + eps / n);
  }

  private importance(scores?: readonly number[]): number[] {
    const q = this.weights(scores);
    const left = Array.from({ length: this.blocks }, (_, i) => i);
    const out: number[] = [];
    for (let k = 0; k < this.gamma; k++) {
      let total = 0;
      for (const i of left) total += q[i];
      let r = this.rng.next() * total;
      let pick = left.length - 1; // rounding can leave r at the very end of the range
      for (let j = 0; j < left.length; j++) {
        r -= q[left[j]];
        if (r < 0) {
          pick = j;
          break;
        }
      }
      out.push(left[pick]);
      left.splice(pick, 1);
    }
    return out.sort((a, b) => a - b);
  }

  private uniform(): number[] {
    // Partial Fisher-Yates: the first γ entries of a shuffled 0..N-1.
    const idx = Array.from({ length: this.blocks }, (_, i) => i);
    for (let i = 0; i < this.gamma; i++) {
      const j = i + this.rng.int(this.blocks - i);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx.slice(0, this.gamma).sort((a, b) => a - b);
  }

  private bernoulli(): number[] {
    const p = this.gamma / this.blocks;
    const out: number[] = [];
    for (let i = 0; i < this.blocks; i++) if (this.rng.next() < p) out.push(i);
    return out;
  }

  get period(): number {
    return this.periodIndex;
  }

  get active(): number[] {
    return [...this.current];
  }

  state(): Pick<LisaSamplerState, 'rng' | 'period' | 'active'> {
    return { rng: this.rng.state(), period: this.periodIndex, active: [...this.current] };
  }

  restore(s: Pick<LisaSamplerState, 'rng' | 'period' | 'active'>): void {
    this.rng = Rng.fromState(s.rng);
    this.periodIndex = s.period;
    this.current = [...s.active];
  }
}

/** True when update `step` is the first of a period, i.e. a re-draw happens before it. */
export function startsPeriod(step: number, interval: number): boolean {
  return (step - 1) % interval === 0;
}
