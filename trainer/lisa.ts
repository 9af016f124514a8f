/**
 * LISA's layer sampler (Pan et al., arXiv 2403.17919). Every K steps it draws which transformer
 * blocks train for the next period; the embedding, position embedding, final LN and head always train.
 *
 * - `uniform` (paper v3+, LMFlow main): exactly γ blocks, uniformly without replacement.
 * - `bernoulli` (paper v1): each block independently with p = γ/N, so the count varies.
 *
 * Its PRNG is its own stream derived from the run seed (different seeds → different layer sequences;
 * axolotl seeds with the global step, so every run gets the same sequence). Period 0 is one draw
 * (ms-swift draws twice at start). State is plain data, saved in checkpoints.
 */
import { Rng, type RngState } from './rng';

export type SamplingRule = 'uniform' | 'bernoulli';

export interface LisaSamplerState {
  rng: RngState;
  /** Index of the last drawn period (-1 before the first draw). */
  period: number;
  active: number[];
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
  ) {
    if (!Number.isInteger(gamma) || gamma < 0 || gamma > blocks) {
      throw new RangeError(`gamma must be an integer in 0..${blocks} (the number of blocks), got ${gamma}`);
    }
    this.rng = new Rng(seed, 'lisa-sampler');
  }

  /** Draw the next period's active blocks (sorted ascending). */
  next(): number[] {
    this.periodIndex++;
    this.current = this.rule === 'uniform' ? this.uniform() : this.bernoulli();
    return [...this.current];
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

  state(): LisaSamplerState {
    return { rng: this.rng.state(), period: this.periodIndex, active: [...this.current] };
  }

  restore(s: LisaSamplerState): void {
    this.rng = Rng.fromState(s.rng);
    this.periodIndex = s.period;
    this.current = [...s.active];
  }
}

/** True when update `step` is the first of a period, i.e. a re-draw happens before it. */
export function startsPeriod(step: number, interval: number): boolean {
  return (step - 1) % interval === 0;
}
