/**
 * The evaluation set of a run: a fixed list of held-out items (instruction records, or windows of held-out
 * text), chosen by the data alone — never by the run seed or the batch size — so every run of a sweep is
 * scored on the same items. Its content hash lets the server refuse to compare runs scored on different sets.
 */
import { createHash } from 'node:crypto';
import { exampleBatch, windowBatch, type Batch, type Example } from './batch';
import type { EvalTask } from './types';

export interface EvalSet {
  /** Number of held-out items (records, or text windows of seq + 1 bytes). */
  records: number;
  /** evalSetHash of the items. */
  hash: string;
  /** Loss batches of `rows` items each (the last may be shorter), always in the same order. */
  batches(rows: number): Batch[];
  /**
   * The records again for exact-match accuracy, `rows` per batch in windows of `window` tokens cut as in
   * training (mask 1 on the answer and its EOS); [] for plain text.
   */
  taskBatches(rows: number, window: number): Batch[];
  /** One exact-match task per record; [] for plain text. */
  tasks: EvalTask[];
  /** Positions the longest item needs in one window (its tokens − 1); 0 for plain text. */
  longest: number;
  /** The token that ends every record (the tokenizer's EOS); null for plain text. */
  eos: number | null;
}

/** Default number of evaluation records (`eval_records`). */
export const EVAL_RECORDS = 256;

/**
 * SHA-256 (lower-case hex) over the items in order, each as its length (4 bytes, little-endian) followed by
 * its bytes. A record's bytes are its formatted prompt, response and EOS; a text window's are its seq + 1
 * bytes.
 */
function evalSetHash(items: readonly (Uint8Array | Int32Array)[]): string {
  const h = createHash('sha256');
  const len = Buffer.alloc(4);
  for (const item of items) {
    len.writeUInt32LE(item.length, 0);
    h.update(len);
    h.update(item);
  }
  return h.digest('hex');
}

function chunks<T>(items: readonly T[], rows: number): T[][] {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be an integer >= 1, got ${rows}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += rows) out.push(items.slice(i, i + rows));
  return out;
}

export function recordEvalSet(
  examples: readonly Example[],
  tasks: EvalTask[],
  seq: number,
  lossOnAll: boolean,
): EvalSet {
  return {
    records: examples.length,
    hash: evalSetHash(examples.map((e) => e.tokens)),
    batches: (rows) => chunks(examples, rows).map((c) => exampleBatch(c, seq, lossOnAll)),
    taskBatches: (rows, window) => chunks(examples, rows).map((c) => exampleBatch(c, window, false)),
    tasks,
    longest: examples.reduce((m, e) => Math.max(m, e.tokens.length - 1), 0),
    eos: examples.length > 0 ? examples[0].tokens[examples[0].tokens.length - 1] : null,
  };
}

export function windowEvalSet(text: Uint8Array | Int32Array, starts: readonly number[], seq: number): EvalSet {
  return {
    records: starts.length,
    hash: evalSetHash(starts.map((s) => text.subarray(s, s + seq + 1))),
    batches: (rows) => chunks(starts, rows).map((c) => windowBatch(text, c, seq)),
    taskBatches: () => [],
    tasks: [],
    longest: 0,
    eos: null,
  };
}
