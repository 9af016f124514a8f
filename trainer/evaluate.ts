/**
 * Held-out evaluation: token-weighted mean loss over fixed eval batches, and exact-match accuracy of
 * greedy decoding on held-out tasks (stop at EOS or a newline; correct when the generated answer
 * equals the expected one).
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, EvalTask } from './data/index';
import type { GPT } from './model';

export interface EvalResult {
  loss: number;
  accuracy?: number;
}

export function evalLoss(model: GPT, batches: Batch[]): number {
  let total = 0;
  let count = 0;
  for (const b of batches) {
    let n = 0;
    for (let i = 0; i < b.mask.length; i++) n += b.mask[i];
    if (n === 0) continue;
    const l = tf.tidy(() => model.loss(b));
    total += l.dataSync()[0] * n;
    l.dispose();
    count += n;
  }
  return count > 0 ? total / count : Number.NaN;
}

const NEWLINE = 10;

/**
 * Greedy continuation of every prompt, all rows decoded together: rows are right-padded (causal
 * attention makes padding after a row's end invisible to it) and each row reads the logits at its own
 * last position. Prompts longer than the context keep their last `ctx` tokens.
 */
export function greedyDecode(model: GPT, prompts: number[][], maxNew: number[], stop: Set<number>): number[][] {
  const ctx = model.shape.ctx;
  const seqs = prompts.map((p) => [...p]);
  const out: number[][] = prompts.map(() => []);
  const done = prompts.map((_, i) => maxNew[i] <= 0);
  for (let step = 0; step < Math.max(0, ...maxNew) && done.includes(false); step++) {
    const windows = seqs.map((s) => s.slice(Math.max(0, s.length - ctx)));
    const t = Math.max(...windows.map((w) => w.length));
    const ids = new Int32Array(windows.length * t);
    windows.forEach((w, r) => ids.set(w, r * t));
    const picks = tf.tidy(() => {
      const logits = model.forward(ids, windows.length, t); // [rows*t, V]
      const rows = tf.tensor1d(windows.map((w, r) => r * t + w.length - 1), 'int32');
      return tf.argMax(tf.gather(logits, rows), 1);
    });
    const next = picks.dataSync();
    picks.dispose();
    windows.forEach((_, r) => {
      if (done[r]) return;
      const tok = next[r];
      if (stop.has(tok)) {
        done[r] = true;
        return;
      }
      out[r].push(tok);
      seqs[r].push(tok);
      if (out[r].length >= maxNew[r]) done[r] = true;
    });
  }
  return out;
}

export function taskAccuracy(
  model: GPT,
  tasks: EvalTask[],
  encode: (s: string) => number[],
  decode: (ids: number[]) => string,
  eos: number,
): number | undefined {
  if (tasks.length === 0) return undefined;
  const prompts = tasks.map((t) => encode(t.prompt));
  // One token beyond the answer's length lets a wrong, longer answer show itself.
  const maxNew = tasks.map((t) => encode(t.answer).length + 1);
  const outs = greedyDecode(model, prompts, maxNew, new Set([eos, NEWLINE]));
  let correct = 0;
  outs.forEach((o, i) => {
    if (decode(o) === tasks[i].answer) correct++;
  });
  return correct / tasks.length;
}
