/** Plain language modelling over one text: random training windows, evaluation on a held-out tail. */
import { windowBatch, type Batch } from './batch';
import { DataError } from './files';
import { rngFor } from './counter-rng';
import { VOCAB } from './tokenizer';
import { windowEvalSet, type EvalSet } from './eval-set';
import { checkCount, type Dataset, type DatasetOptions } from './types';

/** Share of the text (at its end) held out for evaluation; at least one window. */
const EVAL_TAIL_FRACTION = 0.1;

export function textDataset(name: string, text: Uint8Array | Int32Array, opts: DatasetOptions, vocab = VOCAB): Dataset {
  const { seq, seed } = opts;
  const window = seq + 1;
  if (text.length < 2 * window) {
    throw new DataError(
      `${name}: ${text.length} bytes is too little text for seq ${seq}; need at least ${2 * window} ` +
        '(training windows plus a held-out tail)',
    );
  }
  const tail = Math.max(window, Math.floor(text.length * EVAL_TAIL_FRACTION));
  /** Training windows lie wholly in [0, split); evaluation windows in [split, end). */
  const split = text.length - tail;

  return {
    name,
    vocab,
    trainRecords: Math.floor(split / window),
    trainBatch(step: number, batch: number): Batch {
      checkCount('step', step, 0);
      checkCount('batch', batch, 1);
      const r = rngFor(seed, step);
      const starts = Array.from({ length: batch }, () => r.int(split - seq));
      return windowBatch(text, starts, seq);
    },
    /** Windows spread evenly over the held-out tail, as many as asked while their starts stay distinct. */
    evalSet(records: number): EvalSet {
      checkCount('records', records, 1);
      const span = tail - window;
      const n = Math.min(records, span + 1);
      const starts = Array.from({ length: n }, (_, i) => split + Math.floor((i * span) / Math.max(1, n - 1)));
      return windowEvalSet(text, starts, seq);
    },
  };
}
