// One teacher-forced pass scores exact-match accuracy exactly as token-by-token greedy decoding would.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { exampleBatch } from './data/batch';
import { EOS, loadDataset, VOCAB } from './data/index';
import { evalRows, evaluateSet, exactMatches } from './evaluate';
import { GPT } from './model';
import { rngFor } from './data/counter-rng';

beforeAll(async () => {
  await chooseBackend('wasm');
});

/** The reference: decode one token at a time from the prompt until a stop token or `maxNew` tokens. */
function greedy(model: GPT, prompt: number[], maxNew: number, stop: ReadonlySet<number>): number[] {
  const seq = [...prompt];
  const out: number[] = [];
  while (out.length < maxNew) {
    const logits = () => model.forward(Int32Array.from(seq), 1, seq.length); // [T, V]
    const tok = tf.tidy(() => tf.argMax(logits(), 1).dataSync()[seq.length - 1]);
    if (stop.has(tok)) break;
    out.push(tok);
    seq.push(tok);
  }
  return out;
}

describe('exact-match accuracy in one pass', () => {
  it('agrees with greedy decoding on every row, right and wrong answers alike', () => {
    const model = GPT.create(MODEL_PRESETS.nano, 5);
    const r = rngFor(11);
    const prompts = Array.from({ length: 24 }, () => Array.from({ length: r.range(6, 14) }, () => r.range(32, 126)));
    // Free-running continuations; the token after each row's answer becomes a stop token.
    const free = prompts.map((p) => greedy(model, p, 8, new Set()));
    const cut = prompts.map(() => r.range(0, 6));
    const stop = new Set([EOS, ...free.map((g, i) => g[cut[i]])]);
    const answers = free.map((g, i) => {
      const a = g.slice(0, cut[i]);
      if (i % 3 === 2 && a.length > 0) a[a.length - 1] = a[a.length - 1] === 65 ? 66 : 65; // a wrong answer
      return a;
    });
    const reference = prompts.map((p, i) => {
      const out = greedy(model, p, answers[i].length + 1, stop);
      return out.length === answers[i].length && out.every((t, k) => t === answers[i][k]);
    });
    const examples = prompts.map((p, i) => ({
      tokens: Uint8Array.from([...p, ...answers[i], EOS]),
      promptLen: p.length,
    }));
    const batch = exampleBatch(examples, MODEL_PRESETS.nano.ctx, false);
    const picks = tf.tidy(() => tf.argMax(model.forward(batch.x, batch.batch, batch.seq), 1).dataSync() as Int32Array);
    const oneRow = (i: number) => {
      const seq = batch.seq;
      const part = <T extends Int32Array | Float32Array>(a: T) => a.slice(i * seq, (i + 1) * seq) as T;
      const row = { x: part(batch.x), y: part(batch.y), mask: part(batch.mask), batch: 1, seq };
      return exactMatches(row, picks.slice(i * seq, (i + 1) * seq), stop) === 1;
    };
    expect(prompts.map((_, i) => oneRow(i))).toEqual(reference);
    expect(reference.filter(Boolean).length).toBeGreaterThan(4);
    expect(reference.filter((ok) => !ok).length).toBeGreaterThan(4);
    expect(exactMatches(batch, picks, stop)).toBe(reference.filter(Boolean).length);
    model.dispose();
  });

  it('counts an answer cut by the window, or one holding a stop token, as wrong', () => {
    const b = exampleBatch([{ tokens: Uint8Array.from([65, 66, 67, 68, EOS]), promptLen: 2 }], 2, false);
    expect(exactMatches(b, Int32Array.from([67, 68]), new Set([EOS]))).toBe(0); // EOS fell outside the window
    const nl = exampleBatch([{ tokens: Uint8Array.from([65, 10, 67, EOS]), promptLen: 1 }], 8, false);
    expect(exactMatches(nl, Int32Array.from([10, 67, EOS, 0, 0, 0, 0, 0]), new Set([EOS, 10]))).toBe(0);
    expect(exactMatches(nl, Int32Array.from([10, 67, EOS, 0, 0, 0, 0, 0]), new Set([EOS]))).toBe(1);
  });

  it('ends an answer at the tokenizer’s own EOS (a model folder’s ids)', () => {
    const eos = 50256;
    const b = exampleBatch([{ tokens: Int32Array.from([5, 6, 7, eos]), promptLen: 1 }], 8, false);
    expect(exactMatches(b, Int32Array.from([6, 7, eos, 0, 0, 0, 0, 0]), new Set([eos]), eos)).toBe(1);
    expect(exactMatches(b, Int32Array.from([6, 7, 9, 0, 0, 0, 0, 0]), new Set([eos]), eos)).toBe(0);
    expect(exactMatches(b, Int32Array.from([6, 7, eos, 0, 0, 0, 0, 0]))).toBe(0); // byte EOS: never found
  });
});

describe('evalRows', () => {
  it("keeps an evaluation pass's logits within a training batch's for large vocabularies", () => {
    // Byte vocabularies (and any up to 512 ids): 2,048 tokens per pass, as always.
    expect(evalRows(64, VOCAB)).toBe(32);
    expect(evalRows(64, 267)).toBe(32);
    // GPT-2's 50,257 ids: 2,048 tokens per pass made [2048, 50257] logits (412 MB, several times over in the loss),
    // which aborted the wasm heap at the first evaluation; one row of 128 tokens per pass now.
    expect(evalRows(128, 50257)).toBe(1);
    expect(evalRows(16, 32000)).toBe(2);
  });
});

describe('evaluateSet', () => {
  it('scores the whole set in batches of a size set by the window alone', () => {
    const model = GPT.create(MODEL_PRESETS.nano, 2);
    const ds = loadDataset('instruct', { seq: 32, seed: 1, stage: 'finetune' });
    const set = ds.evalSet(256);
    expect(set.eos).toBe(EOS);
    expect(evalRows(32, VOCAB)).toBe(64);
    const full = evaluateSet(model, set, 32);
    expect(Object.keys(full).sort()).toEqual(['eval/accuracy', 'eval/loss', 'eval/ppl']);
    // seq below the context: loss over 16-token windows, accuracy still over the context's windows.
    const short = evaluateSet(model, loadDataset('instruct', { seq: 16, seed: 9, stage: 'finetune' }).evalSet(256), 16);
    expect(short['eval/accuracy']).toBe(full['eval/accuracy']);
    expect(short['eval/loss']).not.toBe(full['eval/loss']);
    model.dispose();
  });

  it('answers on windows as wide as the longest record needs, not the whole context, with the same picks', () => {
    const model = GPT.create({ ...MODEL_PRESETS.nano, ctx: 128 }, 3);
    const set = loadDataset('instruct', { seq: 16, seed: 9, stage: 'finetune' }).evalSet(64);
    expect(set.longest).toBeGreaterThan(16);
    expect(set.longest).toBeLessThan(128);
    const widths: number[] = [];
    const taskBatches = (rows: number, w: number) => {
      widths.push(w);
      return set.taskBatches(rows, w);
    };
    const watched = { ...set, taskBatches };
    evaluateSet(model, watched, 16);
    expect(widths).toEqual([set.longest]);
    // Every record's tokens sit at the same positions in both widths; the argmax at each of them agrees.
    const picks = (w: number) => {
      const [b] = set.taskBatches(64, w);
      const out = tf.tidy(() => tf.argMax(model.forward(b.x, b.batch, b.seq), 1).dataSync() as Int32Array);
      return { b, out };
    };
    const wide = picks(128);
    const narrow = picks(set.longest);
    let compared = 0;
    for (let r = 0; r < narrow.b.batch; r++) {
      for (let t = 0; t < set.longest; t++) {
        const i = r * set.longest + t;
        expect(narrow.b.x[i]).toBe(wide.b.x[r * 128 + t]);
        if (narrow.b.mask[i] === 0) continue;
        expect(narrow.out[i]).toBe(wide.out[r * 128 + t]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
    model.dispose();
  });
});
