import type { Batch } from './batch';
import type { EvalSet } from './eval-set';

export type { Batch } from './batch';
export type { EvalSet } from './eval-set';

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
  /**
   * `records` held-out items (fewer when the data holds fewer), disjoint from training; the same for every
   * seed and batch size. Records come in a fixed order (a prefix of any larger set); text windows spread
   * evenly over the held-out tail.
   */
  evalSet(records: number): EvalSet;
  /**
   * Training records, what an epoch passes over (docs/trainer.md, "Epochs"): instruction records outside the
   * held-out split, or for text the disjoint windows of seq + 1 tokens that fit in the training part.
   * Undefined for data without end (the generated `instruct` preset).
   */
  trainRecords?: number;
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
