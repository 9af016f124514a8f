/**
 * Turning token streams into training batches. Layout is row-major [batch, seq]:
 * x[b*seq + t] is the input token, y[b*seq + t] the token that follows it, mask 1 where the loss counts.
 */
import { PAD } from './tokenizer';

export interface Batch {
  x: Int32Array;
  y: Int32Array;
  mask: Float32Array;
  batch: number;
  seq: number;
}

/** One supervised example: prompt bytes, then response bytes and EOS (token ids with a model's tokenizer). */
export interface Example {
  tokens: Uint8Array | Int32Array;
  /** Tokens before the first one the loss counts (windowStart keeps the window from there). */
  promptLen: number;
  /**
   * Which tokens the loss counts as targets (1) in fine-tuning, when not simply those from promptLen on: a chat's
   * assistant turns, with the user turns between them masked. Same length as tokens.
   */
  targets?: Uint8Array;
}

function emptyBatch(batch: number, seq: number): Batch {
  const n = batch * seq;
  return { x: new Int32Array(n).fill(PAD), y: new Int32Array(n).fill(PAD), mask: new Float32Array(n), batch, seq };
}

/** Rows [from, from + count) of a batch (views, no copy): a micro-batch of gradient accumulation. */
export function batchRows(b: Batch, from: number, count: number): Batch {
  const [start, end] = [from * b.seq, (from + count) * b.seq];
  if (from < 0 || count < 1 || from + count > b.batch)
    throw new RangeError(`rows ${from}+${count} outside a batch of ${b.batch}`);
  return {
    x: b.x.subarray(start, end),
    y: b.y.subarray(start, end),
    mask: b.mask.subarray(start, end),
    batch: count,
    seq: b.seq,
  };
}

/** Plain language modelling: row b is text[starts[b] .. starts[b]+seq], every position counts. */
export function windowBatch(text: Uint8Array | Int32Array, starts: readonly number[], seq: number): Batch {
  const out = emptyBatch(starts.length, seq);
  for (let b = 0; b < starts.length; b++) {
    const s = starts[b];
    if (s < 0 || s + seq + 1 > text.length)
      throw new RangeError(`window ${s}+${seq + 1} outside text of ${text.length}`);
    const o = b * seq;
    for (let t = 0; t < seq; t++) {
      out.x[o + t] = text[s + t];
      out.y[o + t] = text[s + t + 1];
    }
    out.mask.fill(1, o, o + seq);
  }
  return out;
}

/**
 * Where an example's window begins. An example of L tokens has L-1 (input, target) positions; when that
 * exceeds seq, bytes are dropped from the start of the prompt (its fixed header goes first) so that the
 * response keeps counting; only a response longer than the window itself is cut at the end.
 */
export function windowStart(ex: Example, seq: number): number {
  const positions = ex.tokens.length - 1;
  if (positions <= seq) return 0;
  return Math.min(positions - seq, Math.max(0, ex.promptLen - 1));
}

/**
 * Supervised fine-tuning rows, one example per row, padded with mask 0. With `lossOnAll` (pretrain stage)
 * every real position counts; otherwise only positions whose target is a response byte or the EOS (or, with
 * `targets`, a token it marks).
 */
export function exampleBatch(examples: readonly Example[], seq: number, lossOnAll: boolean): Batch {
  const out = emptyBatch(examples.length, seq);
  for (let b = 0; b < examples.length; b++) {
    const ex = examples[b];
    const start = windowStart(ex, seq);
    const end = Math.min(ex.tokens.length - 1, start + seq);
    const o = b * seq - start;
    for (let i = start; i < end; i++) {
      out.x[o + i] = ex.tokens[i];
      out.y[o + i] = ex.tokens[i + 1];
      const counts = ex.targets ? ex.targets[i + 1] === 1 : i + 1 >= ex.promptLen;
      out.mask[o + i] = lossOnAll || counts ? 1 : 0;
    }
  }
  return out;
}
