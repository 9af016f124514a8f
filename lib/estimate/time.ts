/**
 * Wall-time estimates: tokens per second measured by earlier runs on this machine (same preset or model folder,
 * backend and method, else looser matches), else a stated default per preset (scaled by parameters for a model). Then
 * seconds = steps × batch × seq / tokens_per_s + evaluation + a fixed start-up overhead.
 */
import type { Preset, TrainConfig } from '@/lib/protocol/config';

/** Throughput of one finished run, e.g. the median `tokens_per_s` metric of its events. */
export interface ThroughputSample {
  preset: string;
  backend: string;
  method: string;
  tokensPerS: number;
}

/**
 * Defaults when nothing was measured: a rough guess for the tfjs trainer on one CPU slot, where small
 * models are bound by per-op overhead rather than arithmetic. Replaced by measurements as soon as one
 * run of the preset has finished on this machine.
 */
export const DEFAULT_TOKENS_PER_S: Record<Preset, number> = { nano: 5000, mini: 2500, small: 800, gpt2: 60 };
/** Process start, backend initialisation, model build, final checkpoint. */
export const RUN_OVERHEAD_S = 5;
/** An evaluation batch is forward-only: about a third of a training step's work. */
const EVAL_COST = 1 / 3;

export type TimeConfig = Pick<
  TrainConfig,
  'preset' | 'method' | 'backend' | 'steps' | 'batch' | 'grad_accum' | 'seq' | 'eval_every' | 'eval_records'
>;

export interface ThroughputEstimate {
  tokensPerS: number;
  source: 'measured' | 'default';
  /** Which history matched: `preset+backend+method`, `preset+backend`, `preset`, or `default`. */
  match: string;
  samples: number;
}

export interface TimeEstimate extends ThroughputEstimate {
  tokens: number;
  seconds: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * A Hugging Face model folder's run: its history is keyed by the folder (`preset` of a sample is the folder's path
 * for such runs), its default scaled from the gpt2 preset's by parameter count (step time grows with parameters).
 */
export interface ModelTimeKey {
  path: string;
  params: number;
}

const GPT2_PRESET_PARAMS = 162_954_240;

export function throughputFor(
  config: Pick<TimeConfig, 'preset' | 'method' | 'backend'>,
  history: ThroughputSample[],
  model?: ModelTimeKey,
): ThroughputEstimate {
  const key = model?.path ?? config.preset;
  const usable = history.filter((h) => h.preset === key && Number.isFinite(h.tokensPerS) && h.tokensPerS > 0);
  const sameBackend = (h: ThroughputSample) => config.backend === 'auto' || h.backend === config.backend;
  const tiers: [string, ThroughputSample[]][] = [
    ['preset+backend+method', usable.filter((h) => sameBackend(h) && h.method === config.method)],
    ['preset+backend', usable.filter(sameBackend)],
    ['preset', usable],
  ];
  for (const [match, samples] of tiers) {
    if (samples.length > 0) {
      return {
        tokensPerS: median(samples.map((s) => s.tokensPerS)),
        source: 'measured',
        match,
        samples: samples.length,
      };
    }
  }
  const tokensPerS = model
    ? (DEFAULT_TOKENS_PER_S.gpt2 * GPT2_PRESET_PARAMS) / Math.max(model.params, 1)
    : DEFAULT_TOKENS_PER_S[config.preset];
  return { tokensPerS, source: 'default', match: 'default', samples: 0 };
}

/** Seconds for one run. `seq` must be resolved (the planner makes it explicit). */
export function estimateRunTime(config: TimeConfig, history: ThroughputSample[], model?: ModelTimeKey): TimeEstimate {
  const t = throughputFor(config, history, model);
  const seq = config.seq ?? 0;
  // Every micro-batch of a step is processed (grad_accum × batch rows per step).
  const tokens = config.steps * config.batch * (config.grad_accum ?? 1) * seq;
  // Every evaluation scores the whole eval set (eval_records items), whatever the batch.
  const evalTokens = Math.floor(config.steps / config.eval_every) * config.eval_records * seq;
  const seconds = (tokens + EVAL_COST * evalTokens) / t.tokensPerS + RUN_OVERHEAD_S;
  return { ...t, tokens, seconds };
}

export interface PlanTime {
  /** One run after another. */
  serialSeconds: number;
  /** With `slots` concurrent runs: the pretrain first, then fine-tunes greedily in plan order. */
  parallelSeconds: number;
  slots: number;
}

/** Total time of a plan: `first` (the pretrain, 0 if reused) runs before every fine-tune. */
export function planTime(first: number, runs: number[], slots: number): PlanTime {
  const s = Math.max(1, Math.floor(slots));
  const free = new Array<number>(s).fill(0);
  for (const seconds of runs) {
    const i = free.indexOf(Math.min(...free));
    free[i] += seconds;
  }
  const serialSeconds = first + runs.reduce((a, b) => a + b, 0);
  return { serialSeconds, parallelSeconds: first + Math.max(...free), slots: s };
}
