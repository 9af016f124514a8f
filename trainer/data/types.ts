import type { Batch } from './batch';

export type { Batch } from './batch';

/** Exact-match accuracy: greedy-decode from `prompt` (stop at EOS), compare with `answer`. */
export interface EvalTask {
  prompt: string;
  answer: string;
}

export interface Dataset {
  name: string;
  /** Byte-level tokenizer: 256. */
  vocab: number;
  /** Deterministic, pure function of (dataset seed, step, batch). */
  trainBatch(step: number, batch: number): Batch;
  /** Fixed held-out batches, disjoint from training examples; the same for every seed. */
  evalBatches(batch: number, count: number): Batch[];
  /** Held-out exact-match tasks ([] for plain LM data). */
  evalTasks(count: number): EvalTask[];
}

export type Stage = 'pretrain' | 'finetune';

export interface DatasetOptions {
  seq: number;
  seed: number;
  stage: Stage;
}

export function checkCount(what: string, n: number, min: number): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${n}`);
}
