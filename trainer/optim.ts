/**
 * AdamW (decoupled weight decay, Loshchilov & Hutter) with a bias-correction step count per variable,
 * global-norm gradient clipping, and the learning-rate schedule.
 *
 * Not tfjs's built-in Adam: that one has a single global step counter, so a LISA block first activated
 * at step 500 would get bias correction for t=500 on its first update instead of t=1.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdamW } from './kernels/adamw-wasm';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

const ADAMW_DEFAULTS: AdamWOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };

interface Slot {
  m: tf.Tensor;
  v: tf.Tensor;
  /** Updates this variable has received since its state was (re)created. */
  t: number;
}

/** Serialisable optimizer state of one variable (for checkpoints). */
export interface SlotState {
  name: string;
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export interface Trainee {
  name: string;
  variable: tf.Variable;
  /** Decoupled weight decay applies to matrices only (not LayerNorm gains/biases). */
  decay: boolean;
}

export class AdamW {
  private readonly slots = new Map<string, Slot>();
  readonly opts: AdamWOptions;

  constructor(opts: Partial<AdamWOptions> = {}) {
    this.opts = { ...ADAMW_DEFAULTS, ...opts };
  }

  /**
   * One update of every trainee from its gradient, multiplied by `gradScale` first (clipping).
   * p ← p − lr·( m̂/(√v̂ + ε) + wd·p ),  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t), t counted per variable.
   */
  step(trainees: Trainee[], grads: Map<string, tf.Tensor>, lr: number, gradScale = 1): void {
    const { beta1, beta2, eps, weightDecay } = this.opts;
    for (const p of trainees) {
      const g0 = grads.get(p.name);
      if (!g0) continue;
      let slot = this.slots.get(p.name);
      if (!slot) {
        slot = { m: tf.keep(tf.zerosLike(p.variable)), v: tf.keep(tf.zerosLike(p.variable)), t: 0 };
        this.slots.set(p.name, slot);
      }
      const t = slot.t + 1;
      const s = slot;
      const decay = p.decay && weightDecay > 0 ? 1 - lr * weightDecay : 1;
      const constants = {
        scale: gradScale,
        beta1,
        beta2,
        c1: 1 - beta1 ** t,
        c2: Math.sqrt(1 - beta2 ** t),
        eps,
        lr,
        decay,
      };
      if (fusedAdamW(p.variable, g0, s.m, s.v, constants)) {
        s.t = t;
        continue;
      }
      const [m, v, next] = tf.tidy(() => {
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        const m1 = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const v1 = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        // m̂/(√v̂+ε) = (m/c1) / (√v/√c2 + ε)
        const c1 = 1 - beta1 ** t;
        const c2 = Math.sqrt(1 - beta2 ** t);
        const update = tf.div(tf.mul(m1, 1 / c1), tf.add(tf.mul(tf.sqrt(v1), 1 / c2), eps));
        const decayed = decay !== 1 ? tf.mul(p.variable, decay) : p.variable;
        return [m1, v1, tf.sub(decayed, tf.mul(update, lr))];
      });
      s.m.dispose();
      s.v.dispose();
      s.m = tf.keep(m);
      s.v = tf.keep(v);
      s.t = t;
      p.variable.assign(next);
      next.dispose();
    }
  }

  /** Drop the state of the named variables (all when omitted): their next update starts at t = 1. */
  reset(names?: Iterable<string>): void {
    const keys = names ? [...names] : [...this.slots.keys()];
    for (const k of keys) {
      const s = this.slots.get(k);
      if (!s) continue;
      s.m.dispose();
      s.v.dispose();
      this.slots.delete(k);
    }
  }

  /** Names of the variables that currently hold state (grows under `keep`). */
  get names(): string[] {
    return [...this.slots.keys()];
  }

  stepCount(name: string): number {
    return this.slots.get(name)?.t ?? 0;
  }

  exportState(): SlotState[] {
    return [...this.slots.entries()].map(([name, s]) => ({
      name,
      t: s.t,
      m: (s.m.dataSync() as Float32Array).slice(),
      v: (s.v.dataSync() as Float32Array).slice(),
    }));
  }

  importState(states: SlotState[], shapes: Map<string, number[]>): void {
    this.reset();
    for (const st of states) {
      const shape = shapes.get(st.name);
      if (!shape) throw new Error(`optimizer state for unknown variable ${st.name}`);
      this.slots.set(st.name, { m: tf.keep(tf.tensor(st.m, shape)), v: tf.keep(tf.tensor(st.v, shape)), t: st.t });
    }
  }

  /** Bytes of optimizer state held (moments only). */
  get bytes(): number {
    let n = 0;
    for (const s of this.slots.values()) n += (s.m.size + s.v.size) * 4;
    return n;
  }

  dispose(): void {
    this.reset();
  }
}

export interface ScheduleOptions {
  lr: number;
  steps: number;
  warmup: number;
  schedule: 'cosine' | 'linear' | 'constant';
  minLrRatio: number;
}

/** Learning rate for update number `step` (1-based) over the global step count; never restarts. */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (o.warmup > 0 && step <= o.warmup) return (o.lr * step) / o.warmup;
  if (o.schedule === 'constant') return o.lr;
  const min = o.lr * o.minLrRatio;
  const span = Math.max(1, o.steps - o.warmup);
  const progress = Math.min(1, Math.max(0, (step - o.warmup) / span));
  if (o.schedule === 'linear') return o.lr - (o.lr - min) * progress;
  return min + (o.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * Squared L2 norm of each gradient (one device read for all of them), and the factor that scales the
 * global norm down to `maxNorm` (1 when clipping is off or not needed).
 */
export function gradientNorms(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { sq: Map<string, number>; norm: number; scale: number } {
  const names = [...grads.keys()];
  const values =
    names.length === 0
      ? new Float32Array(0)
      : tf.tidy(() => tf.stack(names.map((n) => tf.sum(tf.square(grads.get(n)!))))).dataSync();
  const sq = new Map<string, number>();
  let total = 0;
  names.forEach((n, i) => {
    sq.set(n, values[i]);
    total += values[i];
  });
  const norm = Math.sqrt(total);
  const scale = maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  return { sq, norm, scale };
}
