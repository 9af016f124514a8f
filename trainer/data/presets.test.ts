import { describe, expect, it } from 'vitest';
import { isHeldOut, toExample } from './alpaca';
import { windowStart } from './batch';
import { decode, EOS, loadDataset, type Batch } from './index';
import { instructTrainRecord } from './instruct';

const same = (a: Batch, b: Batch): boolean =>
  a.x.every((v, i) => v === b.x[i]) && a.y.every((v, i) => v === b.y[i]) && a.mask.every((v, i) => v === b.mask[i]);

/** Row r's masked targets, decoded (EOS dropped). */
function responseOf(b: Batch, r: number): string {
  const ids: number[] = [];
  for (let t = 0; t < b.seq; t++) if (b.mask[r * b.seq + t] === 1) ids.push(b.y[r * b.seq + t]);
  expect(ids[ids.length - 1]).toBe(EOS);
  return decode(ids.slice(0, -1));
}

describe.each(['pretrain', 'instruct'] as const)('preset %s', (preset) => {
  const load = (seed: number) => loadDataset(preset, { seq: 64, seed, stage: 'finetune' });

  it('is a pure function of (seed, step, batch)', () => {
    const a = load(7),
      b = load(7);
    for (const step of [0, 1, 99]) expect(same(a.trainBatch(step, 16), b.trainBatch(step, 16))).toBe(true);
    const batch = a.trainBatch(5, 4);
    expect([batch.batch, batch.seq, batch.x.length, batch.y.length, batch.mask.length]).toEqual([4, 64, 256, 256, 256]);
    expect(batch.x).toBeInstanceOf(Int32Array);
    expect(batch.mask).toBeInstanceOf(Float32Array);
  });

  it('differs between seeds and between steps', () => {
    expect(same(load(1).trainBatch(0, 16), load(2).trainBatch(0, 16))).toBe(false);
    expect(same(load(1).trainBatch(0, 16), load(1).trainBatch(1, 16))).toBe(false);
  });

  it('has the same evaluation data for every seed', () => {
    const [a, b] = [load(1).evalSet(24).batches(8), load(2).evalSet(24).batches(8)];
    expect(a).toHaveLength(3);
    a.forEach((batch, k) => expect(same(batch, b[k])).toBe(true));
    expect(load(1).evalSet(20).tasks).toEqual(load(2).evalSet(20).tasks);
    expect(load(1).evalSet(20).hash).toBe(load(2).evalSet(20).hash);
  });

  it('has a fixed evaluation set of 256 items whatever the loss batches', () => {
    const set = load(1).evalSet(256);
    expect(set.records).toBe(256);
    expect(set.hash).toMatch(/^[0-9a-f]{64}$/);
    const rows = (bs: Batch[]) => bs.reduce((n, b) => n + b.batch, 0);
    expect(rows(set.batches(7))).toBe(256);
    const [one] = set.batches(256);
    const seven = set.batches(7);
    seven.forEach((b, k) => {
      const o = k * 7 * b.seq;
      expect(
        same(b, {
          ...one,
          x: one.x.slice(o, o + b.x.length),
          y: one.y.slice(o, o + b.y.length),
          mask: one.mask.slice(o, o + b.mask.length),
          batch: b.batch,
        }),
      ).toBe(true);
    });
    // Records are a prefix of any longer list; text windows spread over the whole held-out tail instead.
    if (preset === 'instruct') expect(load(1).evalSet(300).batches(256)[0].x).toEqual(one.x);
    expect(load(1).evalSet(255).hash).not.toBe(set.hash);
  });

  it('rejects a bad step or batch size', () => {
    expect(() => load(1).trainBatch(-1, 4)).toThrow(/step must be an integer >= 0/);
    expect(() => load(1).trainBatch(0, 0)).toThrow(/batch must be an integer >= 1/);
  });
});

describe('pretrain preset', () => {
  it('is English-like text with full masks and no eval tasks', () => {
    const ds = loadDataset('pretrain', { seq: 128, seed: 1, stage: 'pretrain' });
    const b = ds.trainBatch(0, 4);
    expect(b.mask.every((m) => m === 1)).toBe(true);
    expect(decode(Array.from(b.x))).toMatch(/ the | is /);
    expect(ds.evalSet(10).tasks).toEqual([]);
    expect(ds.vocab).toBe(256);
  });

  it('never trains on the held-out tail', () => {
    const ds = loadDataset('pretrain', { seq: 64, seed: 1, stage: 'pretrain' });
    const rowText = (b: Batch, r: number) => decode(Array.from(b.x.slice(r * 64, (r + 1) * 64)));
    const evalBatches = ds.evalSet(32).batches(16);
    const evalRows = new Set(evalBatches.flatMap((b) => Array.from({ length: 16 }, (_, r) => rowText(b, r))));
    for (let s = 0; s < 200; s++) {
      const b = ds.trainBatch(s, 16);
      for (let r = 0; r < 16; r++) expect(evalRows.has(rowText(b, r))).toBe(false);
    }
  });
});

describe('instruct preset', () => {
  const ds = loadDataset('instruct', { seq: 96, seed: 1, stage: 'finetune' });

  it('masks exactly the response of every row', () => {
    for (let r = 0; r < 16; r++) expect(responseOf(ds.trainBatch(4, 16), r)).toBe(instructTrainRecord(1, 4, r).output);
  });

  it('keeps held-out questions out of training', () => {
    const tasks = ds.evalSet(100).tasks;
    expect(tasks).toHaveLength(100);
    const evalPrompts = new Set(tasks.map((t) => t.prompt));
    expect(evalPrompts.size).toBe(100);
    for (let s = 0; s < 300; s++) {
      for (let r = 0; r < 16; r++) {
        const rec = instructTrainRecord(1, s, r);
        expect(isHeldOut(rec)).toBe(false);
      }
    }
    const seenInTraining = new Set<string>();
    for (let s = 0; s < 300; s++) {
      const b = ds.trainBatch(s, 16);
      for (let r = 0; r < 16; r++) {
        const text = decode(Array.from(b.x.slice(r * 96, (r + 1) * 96)));
        seenInTraining.add(`${text.split('### Response:\n')[0]}### Response:\n`);
      }
    }
    expect(seenInTraining.size).toBeGreaterThan(500);
    for (const t of tasks) expect(seenInTraining.has(t.prompt)).toBe(false);
  });

  it('evaluates on the held-out tasks, answers checkable from the batch', () => {
    const { tasks, batches } = ds.evalSet(8);
    const [batch] = batches(8);
    tasks.forEach((t, r) => {
      expect(t.prompt.endsWith('### Response:\n')).toBe(true);
      expect(responseOf(batch, r)).toBe(t.answer);
    });
    expect(new Set(tasks.map((t) => t.prompt.split('\n')[1].split(' ')[0])).size).toBeGreaterThan(4);
  });

  it('counts the prompt too in the pretrain stage', () => {
    const pre = loadDataset('instruct', { seq: 96, seed: 1, stage: 'pretrain' });
    const b = pre.trainBatch(4, 1);
    expect(b.mask[0]).toBe(1);
    expect(same(b, ds.trainBatch(4, 1))).toBe(false);
  });

  it('fits every question into 64 tokens (mini), dropping at most the "### Instruction:" header', () => {
    for (let s = 0; s < 2000; s++)
      expect(windowStart(toExample(instructTrainRecord(1, s, 0)), 64)).toBeLessThanOrEqual(17);
  });

  it('keeps the response when seq is short (nano)', () => {
    const nano = loadDataset('instruct', { seq: 32, seed: 1, stage: 'finetune' });
    const b = nano.trainBatch(0, 16);
    for (let r = 0; r < 16; r++) expect(responseOf(b, r)).toBe(instructTrainRecord(1, 0, r).output);
  });
});
