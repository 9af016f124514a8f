/**
 * Held-out evaluation over the run's fixed evaluation set (data/eval-set.ts): token-weighted mean loss over
 * all its items, and exact-match accuracy of greedy decoding on all its records. Items are taken in batches
 * whose size depends only on the window length, never on the run's training batch, so
 * two runs that differ only in `batch` get bit-identical evaluations of the same weights.
 *
 * Accuracy needs no token-by-token decoding: greedy decoding reproduces an answer exactly when, with the
 * answer itself as the prefix (one teacher-forced pass), the most likely next token at every answer position
 * is the answer's own, and after the answer it is EOS or a newline (where decoding stops). Records are cut
 * to the model's context as in training (prompt bytes dropped from its start), so one forward pass per
 * batch scores all of them; when the run's seq equals the context it is the very pass that gives the loss.
 * Otherwise the windows are as wide as the longest record needs, never wider than the context.
 */
import * as tf from '@tensorflow/tfjs';
import { EOS, VOCAB, type Batch, type EvalSet } from './data/index';
import type { GPT } from './model';
import { crossEntropy } from './ops';

/**
 * Tokens per evaluation forward pass: about one training batch of the mini preset, so evaluation does not grow
 * the wasm heap (which never shrinks, and is reported as mem/wasm_heap_bytes) much beyond what training needs.
 * With a large vocabulary the logits decide: at most EVAL_LOGITS of them per pass (2,048 tokens up to 512 ids;
 * one 128-token row for GPT-2's 50,257, whose 2,048-token pass aborted the wasm heap at the first evaluation).
 */
const EVAL_TOKENS = 2048;
const EVAL_LOGITS = 2048 * 512;
const NEWLINE = 10;
/** Greedy decoding stops at these (byte tokens: EOS or a newline; other tokenizers: their EOS). */
const STOP_TOKENS: ReadonlySet<number> = new Set([EOS, NEWLINE]);

/** Rows per evaluation forward pass for windows of `seq` tokens: a function of seq and the vocabulary only. */
export function evalRows(seq: number, vocab: number): number {
  return Math.max(1, Math.floor(Math.min(EVAL_TOKENS, EVAL_LOGITS / vocab) / seq));
}

function masked(mask: Float32Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** One forward pass: the batch's mean loss over its mask, and (when asked) the argmax token per position. */
function score(model: GPT, b: Batch, wantPicks: boolean): { loss: number; picks: Int32Array | null } {
  const [loss, picks] = tf.tidy(() => {
    const logits = model.forward(b.x, b.batch, b.seq); // [B*T, V]
    return [crossEntropy(logits, b.y, b.mask), wantPicks ? tf.argMax(logits, 1) : null] as const;
  });
  const out = { loss: loss.dataSync()[0], picks: picks ? (picks.dataSync() as Int32Array) : null };
  tf.dispose([loss, picks ?? []]);
  return out;
}

/**
 * Rows of `b` that greedy decoding answers exactly, given the argmax `picks` of a teacher-forced pass. A row's
 * masked positions are its answer bytes and the EOS after them; a row whose answer was cut by the window, or
 * whose answer holds a stop token, cannot be reproduced.
 */
export function exactMatches(b: Batch, picks: Int32Array, stop: ReadonlySet<number> = STOP_TOKENS, eos = EOS): number {
  let correct = 0;
  for (let r = 0; r < b.batch; r++) {
    let ok = false;
    for (let t = 0; t < b.seq; t++) {
      const i = r * b.seq + t;
      if (b.mask[i] === 0) continue;
      if (b.y[i] === eos) {
        ok = stop.has(picks[i]);
        break;
      }
      if (picks[i] !== b.y[i] || stop.has(b.y[i])) break;
    }
    if (ok) correct++;
  }
  return correct;
}

/** `eval/loss`, `eval/ppl` and, when the set has records to answer, `eval/accuracy`. */
export function evaluateSet(model: GPT, set: EvalSet, seq: number): Record<string, number> {
  const { ctx, vocab } = model.shape;
  const eos = set.eos ?? EOS;
  const stop = model.shape.vocab === VOCAB ? new Set([eos, NEWLINE]) : new Set([eos]);
  let lossSum = 0;
  let lossCount = 0;
  const addLoss = (b: Batch, loss: number) => {
    const n = masked(b.mask);
    if (n === 0) return;
    lossSum += loss * n;
    lossCount += n;
  };
  let correct = 0;
  const answering = set.tasks.length > 0;
  if (answering && seq === ctx) {
    // Same windows for both: one pass gives the loss and the greedy tokens.
    const rows = evalRows(seq, vocab);
    const lossBatches = set.batches(rows);
    const taskBatches = set.taskBatches(rows, ctx);
    lossBatches.forEach((b, k) => {
      const { loss, picks } = score(model, b, true);
      addLoss(b, loss);
      correct += exactMatches(taskBatches[k], picks!, stop, eos);
    });
  } else {
    for (const b of set.batches(evalRows(seq, vocab))) addLoss(b, score(model, b, false).loss);
    // Windows as long as the longest record needs, up to the context: a shorter record reads the same tokens
    // at the same positions either way (the padding after it is never attended to), and a model with a long
    // context (GPT-2's 1,024) is not run at its full width for short records (that pass alone overran the wasm heap).
    const window = Math.max(1, Math.min(ctx, set.longest));
    const taskBatches = answering ? set.taskBatches(evalRows(window, vocab), window) : [];
    for (const b of taskBatches) correct += exactMatches(b, score(model, b, true).picks!, stop, eos);
  }
  const loss = lossCount > 0 ? lossSum / lossCount : Number.NaN;
  const values: Record<string, number> = { 'eval/loss': loss, 'eval/ppl': Math.exp(loss) };
  if (answering) values['eval/accuracy'] = correct / set.tasks.length;
  return values;
}
